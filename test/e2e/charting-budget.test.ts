import type { Bundle, Procedure } from 'fhir/r4.js';
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

/** Counts what a therapist does: each click and each key, with free narrative (typed sentences) counted apart. */
class Interactions {
  count = 1; // the "Launch NeedleChart" click in the EHR
  narrative = 0;
  constructor(private readonly page: Page) {}
  async click(selector: string): Promise<void> {
    this.count += 1;
    await this.page.locator(selector).first().click();
  }
  async type(selector: string, text: string): Promise<void> {
    await this.click(selector);
    this.count += text.length;
    await this.page.locator(selector).pressSequentially(text);
  }
  /** Free narrative the budget leaves out: the clicks into the field count, the letters do not. */
  async narrate(selector: string, text: string): Promise<void> {
    await this.click(selector);
    this.narrative += text.length;
    await this.page.locator(selector).pressSequentially(text);
  }
}

async function openChart(page: Page, patient: string): Promise<void> {
  await page.goto(`${nc.sandbox?.origin ?? ''}/sandbox`);
  await page.locator(`tr[data-patient="${patient}"] button[data-action="launch"]`).click();
  await page.locator('#workspace').waitFor({ state: 'visible' });
  await page.locator('.nc-hotspot').first().waitFor({ state: 'attached' });
}

async function procedures(patient: string): Promise<Procedure[]> {
  const [, result] = await nc.sandbox!.engine.execute({ method: 'GET', path: '/Procedure', query: { patient: `Patient/${patient}` } });
  return ((result as Bundle).entry ?? []).map((e) => e.resource as Procedure);
}

const spot = (muscle: string, side: string): string => `.nc-hotspot[data-muscle="${muscle}"][data-side="${side}"]`;

describe('the interaction budget of issue 16', () => {
  it('when a first visit of 5 muscles with e-stim, consent, screening, pain and one range of motion is charted and saved, then it takes at most 40 interactions besides free narrative', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await openChart(page, 'p-nora-silva');
    const before = (await procedures('p-nora-silva')).length;
    const ui = new Interactions(page);
    // Five muscles: Both adds the left and the right upper trapezius at once; three more on the map.
    await ui.click('#muscle-side-both');
    await ui.type('#muscle-search', 'upper trap');
    await page.keyboard.press('Enter');
    ui.count += 1;
    for (const [muscle, side] of [['levator-scapulae', 'left'], ['infraspinatus', 'left'], ['semispinalis-capitis', 'right']] as const) await ui.click(spot(muscle, side));
    await expect.poll(() => page.locator('#muscle-rows tr:not(.nc-exam-row)').count()).toBe(5);
    await ui.click('#estim-applied');
    await ui.click('#estim-muscles input');
    await ui.type('#estim-minutes', '15');
    await ui.click('#consent-obtained');
    await ui.click('#screening-cleared');
    await ui.type('#pain-pre', '6');
    await ui.type('#pain-post', '3');
    await ui.click('#add-rom');
    await ui.narrate('[data-path="outcomes.rom[0].movement"]', 'cervical rotation');
    await ui.type('[data-path="outcomes.rom[0].pre"]', '50');
    await ui.type('[data-path="outcomes.rom[0].post"]', '65');
    await ui.click('#no-adverse-events');
    await ui.click('#needle-counted');
    await ui.click('#save');
    await expect.poll(() => page.locator('#save-status').textContent(), { timeout: 10_000 }).toBe('Saved as a draft in the chart.');
    expect(await procedures('p-nora-silva')).toHaveLength(before + 1);
    expect(ui.count).toBeLessThanOrEqual(40);
    console.info(`first visit: ${ui.count} interactions, ${ui.narrative} narrative keys`);
    await page.close();
  });

  it('when a returning visit is charted by copying forward, confirming the copy, recording consent, screening and pain, and saved, then it takes at most 12 interactions', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await openChart(page, 'p-maria-lopez');
    const ui = new Interactions(page);
    await ui.click('#copy-forward');
    await expect.poll(() => page.locator('#muscle-rows tr:not(.nc-exam-row)').count(), { timeout: 5000 }).toBe(3);
    await ui.click('#confirm-copied');
    await ui.click('#consent-obtained');
    await ui.click('#screening-cleared');
    await ui.type('#pain-pre', '4');
    await ui.type('#pain-post', '2');
    await ui.click('#no-adverse-events');
    await ui.click('#save');
    await expect.poll(() => page.locator('#save-status').textContent(), { timeout: 10_000 }).toBe('Saved as a draft in the chart.');
    expect(ui.count).toBeLessThanOrEqual(12);
    console.info(`returning visit: ${ui.count} interactions`);
    await page.close();
  });
});
