import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningNeedleChart } from '../../src/runtime.js';
import { launchChromium } from '../support/browser.js';
import { openChart, waitForMuscleRows } from '../support/charting-flows.js';
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

/** Maria Lopez's chart at 1366 × 768 with her last visit's three muscles copied forward, so the panel has codes and a note to show. */
async function openCopiedForward(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  await openChart(page, sandboxOrigin(), 'p-maria-lopez');
  await page.locator('#copy-forward').click();
  await waitForMuscleRows(page, 3);
  return page;
}

/** The narrative the page last sent for a preview (its `response`). */
const responseSent = (r: Request): string | undefined => (JSON.parse(r.postData() ?? '{}') as { session?: { response?: string } }).session?.response;

// The figures (p50/p90 from the last keystroke) are measured by bench/ui.bench.ts; these check the mechanics behind them.
describe('the live panel keeps up with typing (issue 16, item 7)', () => {
  it('when the therapist types again while the panel’s request is still waiting, then that request is cancelled and the panel shows the answer for the latest words only', async () => {
    const page = await openCopiedForward();
    await expect.poll(() => page.locator('#codes li').count(), { timeout: 5000 }).toBeGreaterThan(0);
    // The server is slow to answer the first words: the second are typed while it thinks.
    await page.route('**/api/preview', async (route) => {
      if (responseSent(route.request()) === 'First words') await new Promise((resolve) => setTimeout(resolve, 1500));
      await route.continue().catch(() => undefined);
    });
    const failed: string[] = [];
    page.on('requestfailed', (r) => {
      if (r.url().endsWith('/api/preview')) failed.push(`${responseSent(r) ?? ''}: ${r.failure()?.errorText ?? ''}`);
    });
    await page.locator('#response').fill('First words');
    await page.waitForRequest((r) => r.url().endsWith('/api/preview') && responseSent(r) === 'First words');
    await page.locator('#response').fill('Second words');
    await expect.poll(() => page.locator('#note-preview').textContent(), { timeout: 5000 }).toContain('Second words');
    await expect.poll(() => failed, { timeout: 3000 }).toEqual(['First words: net::ERR_ABORTED']);
    await page.waitForTimeout(1700);
    expect(await page.locator('#note-preview').textContent()).toContain('Second words');
    expect(await page.locator('#note-preview').textContent()).not.toContain('First words');
    await page.close();
  });

  it('when an answer leaves the note as it was, then the note preview is not drawn again (its elements stay the same)', async () => {
    const page = await openCopiedForward();
    await page.locator('#pain-pre').fill('5');
    await expect.poll(() => page.locator('#note-preview').textContent(), { timeout: 5000 }).toContain('5/10');
    await page.evaluate("document.querySelector('#note-preview > *').setAttribute('data-test-mark', 'kept')");
    // The same value again: the page asks the server again and gets the same note.
    const asked = page.waitForResponse((r) => r.url().endsWith('/api/preview'));
    await page.locator('#pain-pre').dispatchEvent('input');
    await asked;
    await page.waitForTimeout(300);
    expect(await page.locator('#note-preview [data-test-mark="kept"]').count()).toBe(1);
    await page.close();
  });
});

describe('the live panel shows what each suggestion rests on', () => {
  it('when a code is suggested and a finding is raised, then each opens its public sources in words, each a link to the source itself', async () => {
    const page = await openCopiedForward();
    await expect.poll(() => page.locator('#codes li').first().textContent(), { timeout: 5000 }).toContain('20561');
    const code = page.locator('#codes > li').first();
    await code.locator('details.nc-sources summary').click();
    const link = code.locator('details.nc-sources a', { hasText: 'American Physical Therapy Association \u2014 Compliance Matters: Physician Fee Schedule Coding Updates' });
    expect(await link.getAttribute('href')).toMatch(/^https:\/\/www\.apta\.org\//);
    expect(await link.isVisible()).toBe(true);
    // A source with no address to link to is still named.
    expect(await code.locator('details.nc-sources').textContent()).toContain('Net Health \u2014 Dry Needling: CPT Codes, Practitioner Concerns, and More (June 12, 2025)');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    // Findings carry their sources too: the missing consent rests on a published source.
    expect(await page.locator('#findings > li details.nc-sources').count()).toBeGreaterThan(0);
    // Nothing internal in the words shown.
    expect(await page.locator('.nc-sources').allTextContents()).not.toContainEqual(expect.stringMatching(/DOMAIN\.md|seed \d|VERIFY|[a-z]+-\d{4}-\d{2}/));
    await page.close();
  });
});
