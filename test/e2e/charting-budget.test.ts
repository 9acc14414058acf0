import type { Bundle, Procedure } from 'fhir/r4.js';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningNeedleChart } from '../../src/runtime.js';
import { launchChromium } from '../support/browser.js';
import { chartFirstVisit, chartReturningVisit, FIRST_VISIT_BUDGET, RETURNING_VISIT_BUDGET, SAVED } from '../support/charting-flows.js';
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
});
