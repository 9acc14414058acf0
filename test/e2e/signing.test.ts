import type { Bundle, DocumentReference } from 'fhir/r4.js';
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

async function openChart(page: Page, patient: string): Promise<void> {
  await page.goto(`${nc.sandbox?.origin ?? ''}/sandbox`);
  await page.locator(`tr[data-patient="${patient}"] button[data-action="launch"]`).click();
  await page.locator('#workspace').waitFor({ state: 'visible' });
}

async function notesOf(patient: string): Promise<DocumentReference[]> {
  const [, result] = await nc.sandbox!.engine.execute({ method: 'GET', path: '/DocumentReference', query: { patient: `Patient/${patient}`, _count: '200' } });
  return ((result as Bundle).entry ?? []).map((e) => e.resource as DocumentReference);
}

/** Ticks every warning in the sign dialog, one by one, as the clinician must. */
async function acknowledgeAll(page: Page): Promise<number> {
  const boxes = page.locator('#sign-warnings input[type=checkbox]');
  const n = await boxes.count();
  for (let i = 0; i < n; i++) await boxes.nth(i).check();
  return n;
}

describe('draft, sign and addend in the browser', () => {
  it('when a therapist saves a draft, signs it (blocked, then allowed), adds an addendum with a reason and reloads, then the chart holds each version and the page lists them', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await openChart(page, 'p-maria-lopez');
    await page.locator('#copy-forward').click();
    await page.locator('#confirm-copied').click();
    await page.locator('#pain-pre').fill('5');
    await page.locator('#pain-post').fill('2');
    await page.locator('#no-adverse-events').check();
    await page.locator('#needle-counted').check();
    await expect.poll(() => page.locator('#codes').textContent(), { timeout: 10_000 }).toMatch(/2056[01]/);

    // A save is a draft.
    await page.locator('#save').click();
    await expect.poll(() => page.locator('#save-status').textContent(), { timeout: 15_000 }).toBe('Saved as a draft in the chart.');
    await expect.poll(() => page.locator('#sign').isVisible()).toBe(true);
    expect(await page.locator('#save').textContent()).toBe('Save draft');
    await expect.poll(async () => (await notesOf('p-maria-lopez')).filter((d) => d.status === 'current' && d.docStatus === 'preliminary').length).toBe(1);

    // Signing is blocked while consent is not recorded.
    await page.locator('#sign').click();
    await page.locator('#sign-dialog').waitFor({ state: 'visible' });
    await expect.poll(() => page.locator('#sign-errors').textContent()).toContain('consent');
    expect(await page.locator('#sign-confirm').isDisabled()).toBe(true);
    await page.locator('#sign-cancel').click();

    // Consent recorded: signing needs each warning acknowledged, then signs.
    await page.locator('#consent-obtained').check();
    await page.locator('#screening-cleared').check();
    await page.waitForTimeout(600);
    await page.locator('#sign').click();
    await page.locator('#sign-dialog').waitFor({ state: 'visible' });
    await expect.poll(() => page.locator('#sign-errors').textContent(), { timeout: 10_000 }).toBe('');
    const warnings = await page.locator('#sign-warnings input[type=checkbox]').count();
    if (warnings > 0) expect(await page.locator('#sign-confirm').isDisabled()).toBe(true);
    await acknowledgeAll(page);
    expect(await page.locator('#sign-confirm').isDisabled()).toBe(false);
    expect(await page.locator('#sign-attestation').textContent()).toContain('accurate and complete');
    await page.locator('#sign-confirm').click();
    await expect.poll(() => page.locator('#save-status').textContent(), { timeout: 15_000 }).toBe('Signed. The note is final in the chart.');
    await expect.poll(() => page.locator('#history li strong').allTextContents()).toEqual(['Draft', 'Draft', 'Signed']);
    expect(await page.locator('#sign').isVisible()).toBe(false);
    expect(await page.locator('#save').textContent()).toBe('Save addendum…');

    // A change to the signed note is an addendum: the reason is required.
    await page.locator('#pain-post').fill('1');
    await page.waitForTimeout(600);
    await page.locator('#save').click();
    await page.locator('#sign-dialog').waitFor({ state: 'visible' });
    expect(await page.locator('#sign-title').textContent()).toBe('Save an addendum to the signed note');
    await acknowledgeAll(page);
    expect(await page.locator('#sign-confirm').isDisabled()).toBe(true);
    await page.locator('#sign-reason').fill('Pain after treatment corrected to 1, as the patient reported before leaving');
    expect(await page.locator('#sign-confirm').isDisabled()).toBe(false);
    await page.locator('#sign-confirm').click();
    await expect.poll(() => page.locator('#save-status').textContent(), { timeout: 15_000 }).toBe('Addendum saved and signed.');
    await expect.poll(() => page.locator('#history li strong').allTextContents()).toEqual(['Draft', 'Draft', 'Signed', 'Addendum']);
    expect(await page.locator('#history').textContent()).toContain('Reason: Pain after treatment corrected to 1');

    // The chart keeps every version; a reload lists them again.
    const notes = await notesOf('p-maria-lopez');
    const amendedNotes = notes.filter((d) => d.docStatus === 'amended');
    expect(amendedNotes.map((d) => d.status)).toEqual(['current']);
    const amended = amendedNotes[0];
    const visit = amended?.context?.related?.[0]?.reference;
    const mine = notes.filter((d) => d.context?.related?.some((r) => r.reference === visit));
    const text = Buffer.from(amended?.content.find((c) => c.attachment.contentType === 'text/plain')?.attachment.data ?? '', 'base64').toString('utf8');
    expect(text).toMatch(/Addendum \w+day, .* by .*: Pain after treatment corrected to 1, as the patient reported before leaving\./);
    expect(text).toContain('Electronically signed by');
    expect(mine.filter((d) => d.status === 'superseded').length).toBeGreaterThanOrEqual(3);
    await page.reload();
    await page.locator('#workspace').waitFor({ state: 'visible' });
    await expect.poll(() => page.locator('#history li strong').allTextContents(), { timeout: 10_000 }).toEqual(['Draft', 'Draft', 'Signed', 'Addendum']);
    expect(await page.locator('#history').textContent()).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
    await page.close();
  }, 120_000);
});

describe('the course at a glance in the browser', () => {
  it('when a returning patient is opened, then earlier visits show as a flowsheet in words, and the plan of care as charted counts this visit, with an alert past its end', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await openChart(page, 'p-li-wei');
    const rows = page.locator('#flowsheet tbody tr');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBeGreaterThan(1);
    const table = (await page.locator('#flowsheet').textContent()) ?? '';
    expect(table).toMatch(/Pain \d+ before, \d+ after \(out of 10\)/);
    expect(table).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    expect(await page.locator('#pain-trend').textContent()).toContain('Relief so far is the drop in pain before treatment');
    const visit = Number(/visit (\d+) today/.exec((await page.locator('#pain-trend').textContent()) ?? '')?.[1]);
    expect(visit).toBeGreaterThan(1);
    expect(await page.locator('#visit-counters').isHidden()).toBe(true);
    await page.locator('#poc-visits').fill('1');
    await page.locator('#poc-weeks').fill(String(visit + 2));
    await expect.poll(() => page.locator('#visit-counters').textContent()).toBe(`Visit ${visit} of ${visit + 2} in the plan of care`);
    await page.locator('#poc-weeks').fill(String(visit - 1));
    await expect.poll(() => page.locator('#visit-counters').getAttribute('class')).toBe('nc-alert');
    expect(await page.locator('#visit-counters').textContent()).toContain(`Visit ${visit} of ${visit - 1} in the plan of care`);
    await page.close();
  }, 60_000);
});
