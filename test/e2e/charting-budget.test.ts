import type { Bundle, Procedure } from 'fhir/r4.js';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningNeedleChart } from '../../src/runtime.js';
import { launchChromium } from '../support/browser.js';
import { chartFirstVisit, chartFirstVisitFromFavourite, chartReturningVisit, FIRST_VISIT_BUDGET, openChart, prepareFavouriteSet, RETURNING_VISIT_BUDGET, SAVED, saveFavouriteSet, waitForMuscleRows } from '../support/charting-flows.js';
import { newChart, sandboxOf, startTestNeedleChart } from '../support/sandbox.js';

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

const sandboxOrigin = (): string => nc.sandbox?.origin ?? '';

async function procedures(patient: string): Promise<Procedure[]> {
  const [, result] = await nc.sandbox!.engine.execute({ method: 'GET', path: '/Procedure', query: { patient: `Patient/${patient}` } });
  return ((result as Bundle).entry ?? []).map((e) => e.resource as Procedure);
}

// The flows themselves are in test/support/charting-flows.ts, shared with bench/ui.bench.ts.
describe('the interaction budget of issue 16', () => {
  it('when a first visit of 5 muscles with e-stim, consent, screening, pain and one range of motion is charted and saved, then it takes at most 40 interactions besides free narrative', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const before = (await procedures('p-nora-silva')).length;
    const count = await chartFirstVisit(page, sandboxOrigin());
    expect(await page.locator('#save-status').textContent()).toBe(SAVED);
    expect(await procedures('p-nora-silva')).toHaveLength(before + 1);
    expect(count.interactions).toBeLessThanOrEqual(FIRST_VISIT_BUDGET);
    console.info(`first visit: ${count.interactions} interactions, ${count.narrative} narrative keys`);
    await page.close();
  });

  it('when a returning visit is charted by copying forward, confirming the copy, recording consent, screening and pain, and saved, then it takes at most 12 interactions', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const count = await chartReturningVisit(page, sandboxOrigin());
    expect(await page.locator('#save-status').textContent()).toBe(SAVED);
    expect(count.interactions).toBeLessThanOrEqual(RETURNING_VISIT_BUDGET);
    console.info(`returning visit: ${count.interactions} interactions`);
    await page.close();
  });

  it('when the same first visit is charted inside the sandbox EHR’s 1024 × 700 frame, then it takes the same at most 40 interactions and saves', async () => {
    const sandbox = sandboxOf(nc);
    const chart = await newChart({ ...sandbox, fhirBaseUrl: '' }, 'payer-acme-health', sandbox.engine);
    const id = chart.patient.slice('Patient/'.length);
    const page = await browser.newPage({ viewport: { width: 1100, height: 880 } });
    const count = await chartFirstVisit(page, sandboxOrigin(), id, 'frame');
    expect(await procedures(id)).toHaveLength(1);
    expect(count.interactions).toBeLessThanOrEqual(FIRST_VISIT_BUDGET);
    console.info(`first visit in the EHR frame: ${count.interactions} interactions`);
    await page.close();
  });

  it('when a returning visit is charted inside the sandbox EHR’s 1024 × 700 frame, then it takes at most 12 interactions and saves', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 880 } });
    const before = (await procedures('p-tom-becker')).length;
    const count = await chartReturningVisit(page, sandboxOrigin(), 'p-tom-becker', 3, 'frame');
    expect(await procedures('p-tom-becker')).toHaveLength(before + 1);
    expect(count.interactions).toBeLessThanOrEqual(RETURNING_VISIT_BUDGET);
    console.info(`returning visit in the EHR frame: ${count.interactions} interactions`);
    await page.close();
  });

  it('when a clinician who saved a favourite set charts a new patient’s first visit from it, then one click adds its 5 rows marked to check, and the visit takes at most 40 interactions, fewer than typing the muscles', async () => {
    const sandbox = sandboxOf(nc);
    // Earlier, on another patient's chart: the clinician adds 5 muscles and saves them as a set.
    const earlier = await newChart({ ...sandbox, fhirBaseUrl: '' }, 'payer-acme-health', sandbox.engine);
    const setup = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await prepareFavouriteSet(setup, sandboxOrigin(), earlier.patient.slice('Patient/'.length), 'Neck and shoulder');
    await setup.close();

    const chart = await newChart({ ...sandbox, fhirBaseUrl: '' }, 'payer-acme-health', sandbox.engine);
    const id = chart.patient.slice('Patient/'.length);
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const count = await chartFirstVisitFromFavourite(page, sandboxOrigin(), id, 'Neck and shoulder', 5);
    expect(await page.locator('#save-status').textContent()).toBe(SAVED);
    const saved = await procedures(id);
    expect(saved).toHaveLength(1);
    // Today's facts did not come from the set: no twitch recorded, no palpation.
    const muscles = await page.locator('#muscle-rows tr[data-copy-key]:not(.nc-exam-row) th').allTextContents();
    expect(muscles.map((m) => m.replace(' (lung risk)', ''))).toEqual(['Upper trapezius', 'Upper trapezius', 'Levator scapulae', 'Infraspinatus', 'Semispinalis capitis']);
    expect(count.interactions).toBeLessThanOrEqual(FIRST_VISIT_BUDGET);
    expect(count.interactions).toBeLessThan(30);
    console.info(`first visit from a favourite set: ${count.interactions} interactions, ${count.narrative} narrative keys`);
    await page.close();
  });

  it('when a favourite set is added, then its rows are marked to check like copied values until confirmed, and they carry no twitch, palpation or notes', async () => {
    const sandbox = sandboxOf(nc);
    const chart = await newChart({ ...sandbox, fhirBaseUrl: '' }, 'payer-acme-health', sandbox.engine);
    const page = await browser.newPage({ viewport: { width: 1024, height: 700 } });
    await openChart(page, sandboxOrigin(), chart.patient.slice('Patient/'.length));
    await page.locator('#muscle-search').pressSequentially('masseter');
    await page.keyboard.press('Enter');
    await waitForMuscleRows(page, 1);
    await page.locator('[data-path="muscles[0].twitch.elicited"]').check();
    await page.locator('[data-path="muscles[0].exam.tautBand"]').check();
    await page.locator('[data-path="muscles[0].notes"]').fill('tender today');
    await saveFavouriteSet(page, 'Jaw only');
    await page.locator('#muscle-rows button', { hasText: 'Remove' }).click();
    await waitForMuscleRows(page, 0);
    await page.locator('#favourite-sets button[data-favourite-name="Jaw only"]').click();
    await waitForMuscleRows(page, 1);
    expect(await page.locator('#muscle-rows tr.nc-copied').count()).toBeGreaterThan(0);
    expect(await page.locator('#copied-count').textContent()).toBe('1 copied value to check');
    expect(await page.locator('#copied-desc').textContent()).toBe('copied from the favourite set “Jaw only”');
    expect(await page.locator('[data-path="muscles[0].twitch.elicited"]').isChecked()).toBe(false);
    expect(await page.locator('[data-path="muscles[0].exam.tautBand"]').isChecked()).toBe(false);
    expect(await page.locator('[data-path="muscles[0].notes"]').inputValue()).toBe('');
    await page.close();
  });
});
