/**
 * `npm run pictures`: the pictures in docs/ that README shows, made from the running product rather
 * than by hand, so they can be remade whenever the page or the packet changes.
 *
 * - docs/charting-1024x700-ehr-frame.png: the charting page inside the sandbox EHR's 1024 × 700 frame;
 * - docs/charting-1366x768.png: the charting page in a tab at 1366 × 768;
 * - docs/packet-page.png: the first page of a visit record from a payer packet (the CLI export of the
 *   seeded sandbox, rendered with poppler's pdftoppm).
 *
 * Needs Debian's chromium and poppler-utils (as the tests do). Writes only the three files above.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Frame, Page } from 'playwright-core';
import { launchChromium } from '../test/support/browser.js';
import { startTestNeedleChart } from '../test/support/sandbox.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DOCS = join(ROOT, 'docs');

/** Opens Maria Lopez's chart from the sandbox launcher, in a tab or in the EHR's frame, and copies her last visit forward. */
async function chartedVisit(page: Page, sandboxOrigin: string, where: 'tab' | 'frame'): Promise<Frame> {
  await page.goto(`${sandboxOrigin}/sandbox`);
  await page.locator(`tr[data-patient="p-maria-lopez"] button[data-action="${where === 'frame' ? 'launch-frame' : 'launch'}"]`).click();
  const app = where === 'frame' ? await (await page.locator('iframe.app-frame').elementHandle())!.contentFrame() : page.mainFrame();
  if (!app) throw new Error('the app frame did not load');
  await app.locator('#workspace').waitFor({ state: 'visible', timeout: 15_000 });
  await app.locator('#copy-forward').click();
  await app.locator('#pain-pre').fill('5');
  await app.locator('#pain-post').fill('2');
  await app.locator('#codes li').first().waitFor({ timeout: 10_000 });
  // Let the live panel settle on the last change before the picture is taken.
  await page.waitForTimeout(600);
  return app;
}

/** All files under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Exports the seeded sandbox's Medicare visits with the CLI and renders the first page of the first visit record. */
function packetPage(): void {
  const out = mkdtempSync(join(tmpdir(), 'needlechart-pictures-'));
  try {
    const packet = join(out, 'packet');
    const run = spawnSync(process.execPath, [join(ROOT, 'bin/needlechart.js'), 'export', '--from', '2026-01-01', '--to', '2026-12-31', '--payer', 'medicare', '--out', packet, '--requester', 'Medical Review Unit', '--request-reference', 'ADR 2026-0412'], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`the export failed:\n${run.stderr}`);
    const visit = filesUnder(packet).filter((f) => f.endsWith('.pdf') && !/cover|certification/.test(f)).sort()[0];
    if (!visit) throw new Error('the packet holds no visit record');
    const render = spawnSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', visit, join(out, 'page')], { encoding: 'utf8' });
    if (render.status !== 0) throw new Error(`pdftoppm failed (apt-get install -y poppler-utils):\n${render.stderr}`);
    renameSync(join(out, 'page.png'), join(DOCS, 'packet-page.png'));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const { nc } = await startTestNeedleChart();
const browser = await launchChromium();
try {
  const origin = nc.sandbox?.origin ?? '';
  const framed = await browser.newPage({ viewport: { width: 1100, height: 880 } });
  const inFrame = await chartedVisit(framed, origin, 'frame');
  await inFrame.evaluate('window.scrollTo(0, 0)');
  await framed.evaluate('window.scrollTo(0, 0)');
  await framed.waitForTimeout(200);
  await framed.screenshot({ path: join(DOCS, 'charting-1024x700-ehr-frame.png') });
  const tab = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  const app = await chartedVisit(tab, origin, 'tab');
  await app.evaluate('document.querySelector(".nc-muscle-picker").scrollIntoView({ block: "start" }); window.scrollBy(0, -70)');
  await tab.waitForTimeout(200);
  await tab.screenshot({ path: join(DOCS, 'charting-1366x768.png') });
} finally {
  await browser.close();
  await nc.close();
}
packetPage();
console.log('docs/charting-1024x700-ehr-frame.png, docs/charting-1366x768.png and docs/packet-page.png written.');
