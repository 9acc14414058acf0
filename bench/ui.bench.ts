/**
 * `npm run bench` (third part): the time from clicking "Launch NeedleChart" in the sandbox EHR to an
 * interactive charting form (EHR launch, token exchange, chart read, catalog, body map, first render),
 * in Debian's chromium, over several launches. Prints median and p90; asserts nothing.
 */
import { readConfig } from '../src/config.js';
import { silentLogger } from '../src/infra/logger.js';
import { startNeedleChart } from '../src/runtime.js';
import { launchChromium } from '../test/support/browser.js';

const RUNS = 9;
const nc = await startNeedleChart(readConfig({ PORT: '0', NEEDLECHART_SANDBOX_PORT: '0' }), { logger: silentLogger });
const browser = await launchChromium();
const samples: number[] = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${nc.sandbox?.origin}/sandbox`);
    const button = page.locator('tr[data-patient="p-maria-lopez"] button[data-action="launch"]');
    const started = performance.now();
    await button.click();
    await page.locator('#workspace').waitFor({ state: 'visible' });
    samples.push(performance.now() - started);
    await page.close();
  }
} finally {
  await browser.close();
  await nc.close();
}
const sorted = [...samples].sort((a, b) => a - b);
const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
console.log(`\nNeedleChart UI benchmark — Debian chromium, sandbox EHR on loopback, ${RUNS} EHR launches of Patient/p-maria-lopez`);
console.log(`launch click → interactive form: median ${at(0.5).toFixed(0)} ms, p90 ${at(0.9).toFixed(0)} ms, first ${samples[0]?.toFixed(0)} ms`);
