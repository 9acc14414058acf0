import { createRequire } from 'node:module';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningNeedleChart } from '../../src/runtime.js';
import { launchChromium } from '../support/browser.js';
import { signInToCompliance } from '../support/compliance-page.js';
import { startTestNeedleChart } from '../support/sandbox.js';

let nc: RunningNeedleChart;
let browser: Browser;
beforeAll(async () => {
  ({ nc } = await startTestNeedleChart());
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await nc?.close();
});

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly { readonly target: readonly string[] }[];
}

/**
 * axe-core's serious and critical violations on the page as it stands ("rule: targets"). The page's
 * strict CSP forbids the injected script, so pages checked are opened with bypassCSP (the test's
 * script only; the page's own scripts still come from 'self').
 */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const violations = (await page.evaluate('axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations)')) as AxeViolation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.help}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

async function openChart(page: Page, patient: string): Promise<void> {
  await page.goto(`${nc.sandbox?.origin ?? ''}/sandbox`);
  await page.locator(`tr[data-patient="${patient}"] button[data-action="launch"]`).click();
  await page.locator('#workspace').waitFor({ state: 'visible' });
  await page.locator('.nc-hotspot').first().waitFor({ state: 'attached' });
}

/** WCAG contrast ratio of two "rgb(r, g, b)" colours. */
function contrast(a: string, b: string): number {
  const lum = (c: string): number => {
    const [r = 0, g = 0, bl = 0] = (c.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number).map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

describe('accessibility of the charting and compliance pages', () => {
  it('when axe-core checks the charting page with muscles charted and the sign dialog closed, then it finds no serious or critical violation', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 }, bypassCSP: true });
    await openChart(page, 'p-maria-lopez');
    await page.locator('#copy-forward').click();
    await expect.poll(() => page.locator('#muscle-rows tr:not(.nc-exam-row)').count(), { timeout: 5000 }).toBe(3);
    await expect.poll(() => page.locator('#codes li').count(), { timeout: 5000 }).toBeGreaterThan(0);
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });

  it('when the compliance page lists patients found by name, one is picked and the count is shown, then axe-core finds no serious or critical violation and each match is a labelled radio', async () => {
    const page = await browser.newPage({ viewport: { width: 1024, height: 700 }, bypassCSP: true });
    await signInToCompliance(page, nc.sandbox?.origin ?? '');
    await page.getByLabel('Name').first().fill('a');
    await page.locator('#patient-find').click();
    await expect.poll(() => page.locator('#patient-note').textContent(), { timeout: 5000 }).toMatch(/at least two letters/);
    await page.getByLabel('Name').first().fill('Lopez');
    await page.locator('#patient-find').click();
    await page.getByRole('group', { name: 'Matching patients' }).getByRole('radio', { name: /Maria Lopez, born Mar 12, 1984/ }).check();
    await page.locator('#check').click();
    await expect.poll(() => page.locator('#preview').textContent(), { timeout: 10_000 }).toMatch(/The packet will hold/);
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });

  it('when axe-core checks the compliance export page, then it finds no serious or critical violation', async () => {
    const page = await browser.newPage({ viewport: { width: 1024, height: 700 }, bypassCSP: true });
    await signInToCompliance(page, nc.sandbox?.origin ?? '');
    await expect.poll(() => page.locator('#payer option').count(), { timeout: 5000 }).toBeGreaterThan(1);
    expect(await seriousViolations(page)).toEqual([]);
    expect(await page.locator('h1').count()).toBe(1);
    await page.close();
  });

  it('when a keyboard user opens the chart, then the first Tab reaches a skip link that moves focus to Save, the page has one h1 and its landmarks', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await openChart(page, 'p-nora-silva');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Skip to Save');
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement?.id')).toBe('save');
    expect(await page.locator('h1').count()).toBe(1);
    expect(await page.locator('header, main, aside, form[aria-label]').count()).toBeGreaterThanOrEqual(4);
    await page.close();
  });

  it('when a keyboard user tabs through the chart, then the body map is one tab stop, the arrow keys move inside it, Enter adds the muscle, and Save is reached in under 80 Tab presses', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await openChart(page, 'p-nora-silva');
    const visited: string[] = [];
    let presses = 0;
    for (; presses < 300; ) {
      await page.keyboard.press('Tab');
      presses += 1;
      const here = (await page.evaluate(`(() => {
        const a = document.activeElement;
        return a?.classList.contains('nc-hotspot') ? 'spot:' + a.getAttribute('data-muscle') + ':' + a.getAttribute('data-side') : (a?.id || a?.tagName || '');
      })()`)) as string;
      visited.push(here);
      if (here === 'save') break;
    }
    expect(visited.at(-1)).toBe('save');
    expect(visited.filter((v) => v.startsWith('spot:'))).toHaveLength(1);
    expect(presses).toBeLessThan(80);

    // Back to the map: the arrow keys move to the next muscle, whose name shows beside the map, and Enter adds it.
    const first = visited.find((v) => v.startsWith('spot:')) ?? '';
    const [, muscle, side] = first.split(':');
    await page.locator(`.nc-hotspot[data-muscle="${muscle}"][data-side="${side}"]`).focus();
    await page.keyboard.press('ArrowRight');
    const next = (await page.evaluate("({ muscle: document.activeElement?.getAttribute('data-muscle'), side: document.activeElement?.getAttribute('data-side'), label: document.activeElement?.getAttribute('aria-label') })")) as { muscle: string; side: string; label: string };
    expect(`${next.muscle}:${next.side}`).not.toBe(`${muscle}:${side}`);
    expect(await page.locator('#body-map-label').textContent()).toBe(next.label);
    expect(await page.locator('.nc-hotspot[tabindex="0"]').count()).toBe(1);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#muscle-rows tr:not(.nc-exam-row)').count()).toBe(1);
    await page.close();
  });

  it('when a control has focus or a border, then the focus ring and the input borders contrast at least 3:1 with white', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await openChart(page, 'p-nora-silva');
    const border = (await page.evaluate("getComputedStyle(document.getElementById('pain-pre')).borderTopColor")) as string;
    await page.locator('#pain-pre').focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Shift+Tab');
    const ring = (await page.evaluate("getComputedStyle(document.getElementById('pain-pre')).outlineColor")) as string;
    expect(contrast(border, 'rgb(255, 255, 255)')).toBeGreaterThanOrEqual(3);
    expect(contrast(ring, 'rgb(255, 255, 255)')).toBeGreaterThanOrEqual(3);
    await page.close();
  });
});

/**
 * The charting page where a therapist meets it: at 1024 × 700 inside the sandbox EHR's frame (the EHR
 * around it, the app in an iframe of that size), and at 1366 × 768 in a tab of its own.
 */
async function chartAt(page: Page, patient: string, where: 'frame' | 'tab'): Promise<Frame> {
  await page.goto(`${nc.sandbox?.origin ?? ''}/sandbox`);
  await page.locator(`tr[data-patient="${patient}"] button[data-action="${where === 'frame' ? 'launch-frame' : 'launch'}"]`).click();
  const app = where === 'frame' ? await (await page.locator('iframe.app-frame').elementHandle())!.contentFrame() : page.mainFrame();
  await app!.locator('#workspace').waitFor({ state: 'visible', timeout: 15_000 });
  return app!;
}

describe('the charting page in an EHR frame', () => {
  for (const [width, height, where] of [[1024, 700, 'frame'], [1366, 768, 'tab']] as const) {
    it(`when the chart is ${width}×${height} px ${where === 'frame' ? "inside the sandbox EHR's frame" : 'in a tab'} with muscles charted, then nothing scrolls sideways, the muscles are cards below 1100 px, and the live panel stays in view beside the form`, async () => {
      const page = await browser.newPage({ viewport: where === 'frame' ? { width: 1280, height: 900 } : { width, height } });
      const app = await chartAt(page, 'p-maria-lopez', where);
      if (where === 'frame') {
        const frame = await page.locator('iframe.app-frame').boundingBox();
        expect([Math.round(frame!.width), Math.round(frame!.height)]).toEqual([width + 2, height + 2]); // the frame's 1-px border around the app's 1024 × 700
        expect(await app.evaluate('[window.innerWidth, window.innerHeight]')).toEqual([width, height]);
      }
      await app.locator('#copy-forward').click();
      await expect.poll(() => app.locator('#muscle-rows tr:not(.nc-exam-row)').count(), { timeout: 5000 }).toBe(3);
      expect(await app.evaluate('document.documentElement.scrollWidth <= document.documentElement.clientWidth')).toBe(true);
      expect(await app.locator('.nc-table-wrap').evaluate((w) => w.scrollWidth <= w.clientWidth)).toBe(true);
      const remove = await app.locator('#muscle-rows button', { hasText: 'Remove' }).first().evaluate((b) => b.getBoundingClientRect().right);
      expect(remove).toBeLessThanOrEqual(width);
      if (width < 1100) expect(await app.evaluate("getComputedStyle(document.querySelector('#muscle-rows tr:not(.nc-exam-row)')).display")).toBe('flex');
      // Deep in the form (the outcomes), the codes and readiness are still on screen, to the right of the form.
      await app.locator('#pain-pre').scrollIntoViewIfNeeded();
      await app.evaluate('window.scrollBy(0, 600)');
      const inView = (selector: string) => app.locator(selector).first().evaluate((n) => { const r = n.getBoundingClientRect(); return { x: r.x, y: r.y, right: r.right, bottom: r.bottom }; });
      const panel = await inView('.nc-panel');
      const form = await inView('#visit-form');
      expect(panel.y).toBeGreaterThanOrEqual(0);
      expect(panel.y).toBeLessThan(height / 2);
      expect(panel.x).toBeGreaterThanOrEqual(form.right);
      await expect.poll(() => app.locator('#codes li').count(), { timeout: 5000 }).toBeGreaterThan(0);
      const codes = await inView('#codes li');
      expect(codes.y).toBeGreaterThanOrEqual(0);
      expect(codes.bottom).toBeLessThanOrEqual(height);
      await page.close();
    });
  }
});

describe('the Favourites control', () => {
  it('when a clinician has long-named sets at 1024×700 px, then nothing scrolls sideways, the control is labelled, axe finds nothing serious, and from the keyboard a set is added, saved and renamed', async () => {
    const page = await browser.newPage({ viewport: { width: 1024, height: 700 }, bypassCSP: true });
    await openChart(page, 'p-aisha-khan');
    const set = (name: string) => ({ name, muscles: [{ muscle: 'masseter', side: 'left', depth: 'deep', technique: 'static', needles: 1, retentionSeconds: 60 }, { muscle: 'temporalis', side: 'right', depth: 'deep', technique: 'static', needles: 1, retentionSeconds: 60 }] });
    for (const name of ['Jaw', 'Temporomandibular pain with cervicogenic headache, both sides', 'Shoulder girdle and scapular stabilisers for overhead athletes', 'Low back']) {
      const status = await page.evaluate(`fetch('/api/favourites', { method: 'POST', headers: { 'x-launch-id': new URLSearchParams(location.search).get('launch'), 'content-type': 'application/json' }, body: ${JSON.stringify(JSON.stringify(set(name.slice(0, 60))))} }).then((r) => r.status)`);
      expect(status).toBe(201);
    }
    await page.reload();
    await page.locator('#favourite-sets button').nth(3).waitFor();
    expect(await page.locator('#favourites').getAttribute('role')).toBe('group');
    expect(await page.locator('#favourites-label').textContent()).toBe('Favourites');
    expect(await page.evaluate('document.documentElement.scrollWidth <= document.documentElement.clientWidth')).toBe(true);
    const box = await page.locator('#favourites').boundingBox();
    const form = await page.locator('#visit-form').boundingBox();
    expect((box?.x ?? 0) + (box?.width ?? Infinity)).toBeLessThanOrEqual((form?.x ?? 0) + (form?.width ?? 0));
    expect(await seriousViolations(page)).toEqual([]);

    // From the keyboard: the first set is the tab stop after the muscle picker's Add button; Enter adds its two muscles.
    await page.locator('#add-muscle').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate("document.activeElement?.getAttribute('data-favourite-name')")).toBe('Jaw');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#muscle-rows tr[data-copy-key]:not(.nc-exam-row)').count()).toBe(2);
    expect(await page.locator('#favourites-status').textContent()).toBe('Added 2 muscles from “Jaw”: check each row.');
    // Save the table as a new set, then rename it, without the pointer.
    await page.locator('#save-favourite').focus();
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement?.id')).toBe('favourite-name');
    await page.keyboard.type('Jaw again');
    await page.keyboard.press('Enter');
    await page.locator('#favourite-sets button[data-favourite-name="Jaw again"]').waitFor();
    await page.locator('#favourites-manage summary').focus();
    await page.keyboard.press('Enter');
    await page.locator('#favourite-manage-list button[aria-label="Rename Jaw again"]').focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('Jaw, renamed');
    await page.keyboard.press('Enter');
    await page.locator('#favourite-sets button[data-favourite-name="Jaw, renamed"]').waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth <= document.documentElement.clientWidth')).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });
});

describe('the body map zoomed to a region', () => {
  for (const [width, height] of [[1024, 700], [1366, 768]] as const) {
    it(`when the head and neck are shown at ${width}×${height} px, then the masseter and the lateral pterygoid are targets of at least 24×24 px, the tab stop is on a shown muscle, and the whole body comes back`, async () => {
      const page = await browser.newPage({ viewport: { width, height } });
      await openChart(page, 'p-nora-silva');
      const whole = await page.locator('.nc-hotspot[data-muscle="masseter"][data-side="left"]').first().boundingBox();
      await page.locator('#body-map-zoom button', { hasText: 'Head and neck' }).click();
      for (const muscle of ['masseter', 'lateral-pterygoid']) {
        const box = await page.locator(`.nc-body-maps figure:not([hidden]) .nc-hotspot[data-muscle="${muscle}"][data-side="left"]`).first().boundingBox();
        expect(box?.width ?? 0).toBeGreaterThanOrEqual(24);
        expect(box?.height ?? 0).toBeGreaterThanOrEqual(24);
      }
      expect(await page.evaluate(`(() => { const s = document.querySelector('.nc-hotspot[tabindex="0"]'); return !s.closest('figure').hidden; })()`)).toBe(true);
      await page.locator('.nc-body-maps figure:not([hidden]) .nc-hotspot[data-muscle="lateral-pterygoid"][data-side="left"]').first().click();
      await expect.poll(() => page.locator('#muscle-rows tr:not(.nc-exam-row) th').allTextContents()).toEqual(['Lateral pterygoid']);
      await page.locator('#body-map-zoom button', { hasText: 'Whole body' }).click();
      const back = await page.locator('.nc-hotspot[data-muscle="masseter"][data-side="left"]').first().boundingBox();
      expect(back?.width).toBeCloseTo(whole?.width ?? -1, 0);
      await page.close();
    });
  }
});

describe('charting in the clinic’s words', () => {
  it('when a first visit is opened, then the performer is the clinician’s name (no editable performer field) and the empty form asks to add a muscle in plain words', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await openChart(page, 'p-nora-silva');
    expect(await page.locator('[data-path^="performer"]').count()).toBe(0);
    const name = (await page.locator('#performer-name').textContent()) ?? '';
    expect(name).not.toMatch(/Practitioner\//);
    expect(name.length).toBeGreaterThan(2);
    await expect.poll(() => page.locator('#findings').textContent(), { timeout: 5000 }).toContain('Add at least one muscle.');
    expect(await page.locator('#findings').textContent()).not.toContain('must have at least 1 entry');
    await page.close();
  });

  it('when a therapist types part of a name that several muscles share and presses Enter, then nothing is added and the matches are listed; Both adds the left and the right row', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await openChart(page, 'p-nora-silva');
    await page.locator('#muscle-search').pressSequentially('pterygoid');
    await page.keyboard.press('Enter');
    expect(await page.locator('#muscle-rows tr:not(.nc-exam-row)[data-copy-key]').count()).toBe(0);
    expect(await page.locator('#muscle-options [role="option"]').allTextContents()).toEqual(['Lateral pterygoid', 'Medial pterygoid']);
    expect(await page.locator('#muscle-search-help').textContent()).toContain('Several muscles match');
    await page.locator('#muscle-side-both').check();
    await page.locator('#muscle-search').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#muscle-rows tr:not(.nc-exam-row) th').allTextContents()).toEqual(['Lateral pterygoid', 'Lateral pterygoid']);
    expect(await page.evaluate(`[...document.querySelectorAll('#muscle-rows select[data-path$=".side"]')].map((x) => x.value)`)).toEqual(['left', 'right']);
    await page.close();
  });
});
