import { createRequire } from 'node:module';
import type { Bundle, Observation } from 'fhir/r4.js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningNeedleChart } from '../../src/runtime.js';
import { launchChromium } from '../support/browser.js';
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

async function openChart(page: Page, patient: string): Promise<void> {
  await page.goto(`${nc.sandbox?.origin ?? ''}/sandbox`);
  await page.locator(`tr[data-patient="${patient}"] button[data-action="launch"]`).click();
  await page.locator('#workspace').waitFor({ state: 'visible' });
}

async function observationsFor(patient: string, encounter: string): Promise<Observation[]> {
  const [, result] = await nc.sandbox!.engine.execute({ method: 'GET', path: '/Observation', query: { patient: `Patient/${patient}`, encounter: `Encounter/${encounter}` } });
  return ((result as Bundle).entry ?? []).map((e) => e.resource as Observation);
}

async function noSidewaysScroll(page: Page): Promise<boolean> {
  return (await page.evaluate('document.documentElement.scrollWidth <= document.documentElement.clientWidth')) as boolean;
}

describe('the course at a glance while charting, at 1024×700 and 1366×768', () => {
  it('when an NDI is entered item by item from the keyboard and mouth opening in mm, then the score and its change against the MCID show as it is entered, and the save writes the answers and the mm', async () => {
    const page = await browser.newPage({ viewport: { width: 1024, height: 700 }, bypassCSP: true });
    await openChart(page, 'p-maria-lopez');
    await page.locator('#copy-forward').click();
    await expect.poll(() => page.locator('#muscle-rows tr:not(.nc-exam-row)').count(), { timeout: 5000 }).toBe(3);

    await page.locator('#add-measure').click();
    await page.locator('[data-path="outcomes.measures[0].instrument"]').selectOption('NDI');
    const byItem = page.locator('#measure-rows button', { hasText: 'Enter item by item' });
    await byItem.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#measure-rows [data-path^="outcomes.measures[0].answers"]').count()).toBe(10);
    expect(await page.locator('#measure-rows button', { hasText: 'Enter the total only' }).getAttribute('aria-expanded')).toBe('true');
    expect(await page.locator('#measure-rows label', { has: page.locator('[data-path="outcomes.measures[0].answers[3]"]') }).textContent()).toContain('4. Reading (0–5)');
    // NeedleChart did not read the NDI's scoring instructions: the rule shows as advice to check.
    expect(await page.locator('#measure-rows .nc-score-rule').textContent()).toMatch(/^Check this against current clinical guidance: 10 items scored 0-5/);

    // Item by item from the keyboard: a digit, then Tab to the next item. The earlier NDI was 32 (visit 3).
    await page.locator('[data-path="outcomes.measures[0].answers[0]"]').focus();
    for (const answer of [2, 2, 2, 2, 2, 2, 2, 2, 2]) {
      await page.keyboard.type(String(answer));
      await page.keyboard.press('Tab');
    }
    const status = page.locator('#measure-rows .nc-score-line');
    expect(await status.textContent()).toContain('Too many items of the Neck Disability Index are unanswered: 9 answered');
    await page.keyboard.type('2');
    await expect.poll(() => page.locator('[data-path="outcomes.measures[0].score"]').inputValue()).toBe('20');
    expect(await status.textContent()).toMatch(/^Score from the answers: 20 \(0–50, lower is better; 10 of 10 items answered\)\. Down 12 points since .+; the published minimal clinically important difference is 9\.5 points: this is an improvement at least that large\.$/);

    await page.locator('#add-rom').click();
    await page.locator('[data-path="outcomes.rom[0].movement"]').fill('Mouth opening');
    await expect.poll(() => page.locator('#rom-rows .nc-unit').allTextContents()).toEqual(['mm', 'mm']);
    await page.locator('[data-path="outcomes.rom[0].pre"]').fill('30');
    await page.locator('[data-path="outcomes.rom[0].post"]').fill('38');
    expect(await page.locator('[data-path="outcomes.rom[0].post"]').getAttribute('max')).toBe('80');
    await expect.poll(() => page.locator('#note-preview').textContent(), { timeout: 5000 }).toContain('38 mm');
    expect(await page.locator('#note-preview').textContent()).toContain('Pain intensity: 2');

    // This payer states no visit limit: only the plan of care could be counted, and it is not charted.
    expect(await page.locator('#header-counters').textContent()).not.toContain('allowed by');
    expect(await noSidewaysScroll(page)).toBe(true);
    await page.addScriptTag({ path: AXE });
    const violations = (await page.evaluate('axe.run(document.querySelector("#visit-form fieldset:has(#measure-rows)"), { resultTypes: ["violations"] }).then((r) => r.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id))')) as string[];
    expect(violations).toEqual([]);

    await page.locator('#no-adverse-events').check();
    await page.locator('#save').click();
    await expect.poll(() => page.locator('#save-status').textContent(), { timeout: 10_000 }).toBe('Saved as a draft in the chart.');
    const written = await observationsFor('p-maria-lopez', 'e-maria-lopez-4');
    const ndi = written.find((o) => o.code.coding?.some((c) => c.code === '82237-9'));
    expect(ndi?.valueQuantity?.value).toBe(20);
    expect(ndi?.component?.map((c) => [c.code.coding?.[0]?.code, c.valueQuantity?.value])).toEqual(Array.from({ length: 10 }, (_, i) => [`item-${i + 1}`, 2]));
    const rom = written.find((o) => o.code.text === 'Mouth opening');
    expect(rom?.component?.map((c) => [c.valueQuantity?.value, c.valueQuantity?.code])).toEqual([[30, 'mm'], [38, 'mm']]);
    await page.close();
  });

  it('when at 1366×768 a TMJ patient’s JFLS-8 and PSFS are entered item by item, then the jaw items and the patient’s own activities are labelled, both score as entered, and nothing scrolls sideways', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await openChart(page, 'p-nora-silva');
    await page.locator('#muscle-search').fill('Masseter');
    await page.locator('#add-muscle').click();
    for (const [i, id] of [[0, 'JFLS'], [1, 'PSFS']] as const) {
      await page.locator('#add-measure').click();
      await page.locator(`[data-path="outcomes.measures[${i}].instrument"]`).selectOption(id);
      await page.locator(`#measure-rows .nc-row:nth-child(${i + 1}) button`, { hasText: 'Enter item by item' }).click();
    }
    expect(await page.locator('#measure-rows label', { has: page.locator('[data-path="outcomes.measures[0].answers[5]"]') }).textContent()).toContain('6. Yawn (0–10)');
    for (const [n, value] of [6, 5, 1, 3, 0, 7, 2, 1].entries()) await page.locator(`[data-path="outcomes.measures[0].answers[${n}]"]`).fill(String(value));
    await expect.poll(() => page.locator('[data-path="outcomes.measures[0].score"]').inputValue()).toBe('3.1');
    expect(await page.locator('#measure-rows .nc-row:nth-child(1) .nc-score-line').textContent()).toBe('Score from the answers: 3.1 (0–10, lower is better; 8 of 8 items answered).');
    for (const [n, [activity, rating]] of [['Chewing a steak', 3], ['Talking on the phone', 5], ['Yawning', 6]].entries()) {
      await page.locator(`[data-path="outcomes.measures[1].activities[${n}]"]`).fill(String(activity));
      await page.locator(`[data-path="outcomes.measures[1].answers[${n}]"]`).fill(String(rating));
    }
    await expect.poll(() => page.locator('[data-path="outcomes.measures[1].score"]').inputValue()).toBe('4.7');
    await expect.poll(() => page.locator('#note-preview').textContent(), { timeout: 5000 }).toContain('Chewing a steak: 3');
    expect(await noSidewaysScroll(page)).toBe(true);
    await page.close();
  });

  it('when the patient’s payer states a visit limit (Washington L&I, 3 and up to 6 with justification) and this is visit 4, then the header counts the visit against it with the alert', async () => {
    const page = await browser.newPage({ viewport: { width: 1024, height: 700 } });
    await openChart(page, 'p-tom-becker');
    const counters = page.locator('#header-counters');
    await expect.poll(() => counters.textContent(), { timeout: 5000 }).toContain("Visit 4 of 3 allowed by Washington L&I (workers' compensation), up to 6 with documented justification");
    expect(await counters.textContent()).toContain('Visit 4 is beyond the 3 visits Washington L&I');
    expect(await counters.getAttribute('class')).toContain('nc-alert');
    expect(await counters.isVisible()).toBe(true);
    // The counter follows the payer as charted: a payer without a limit takes it away.
    await page.locator('#payer').selectOption('commercial-covered');
    await expect.poll(() => counters.isHidden()).toBe(true);
    expect(await noSidewaysScroll(page)).toBe(true);
    await page.close();
  });
});
