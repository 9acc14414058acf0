/**
 * `npm run bench` (third part), in Debian's chromium, the figures of issue 16:
 * - chart open: the time from clicking "Launch NeedleChart" in the sandbox EHR to an interactive
 *   charting form (EHR launch, token exchange, chart read, catalog, body map, first render). Each
 *   round starts NeedleChart as `npm start` does (the compiled server, a fresh process with its seeded
 *   sandbox), so the first launch of each round is the first launch a user sees after start-up; two
 *   more launches follow in the same process, and one in the EHR's frame at 1024×700 px.
 * - the live panel: from the last keystroke to the note preview showing its answer (narrative typed,
 *   a number changed), LIVE_SAMPLES of each.
 * - the interaction counts of the budget flows (test/support/charting-flows.ts, the same flows
 *   test/e2e/charting-budget.test.ts asserts).
 * Prints figures; asserts nothing.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../test/support/browser.js';
import { chartFirstVisit, chartFirstVisitFromFavourite, chartReturningVisit, prepareFavouriteSet, FIRST_VISIT_BUDGET, openChart, RETURNING_VISIT_BUDGET, waitForMuscleRows, type FlowCount } from '../test/support/charting-flows.js';
import { livePanelLatency } from './support/panel-latency.js';
import { ensureBuilt } from '../scripts/ensure-build.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const LATER_LAUNCHES = 2;
const LIVE_SAMPLES = Number(process.env.LIVE_SAMPLES ?? 20);

interface Started {
  readonly appUrl: string;
  readonly sandboxOrigin: string;
  readonly startMs: number;
  stop(): Promise<void>;
}

/** `node dist/server.js` on free ports; resolves once it prints where the launcher is. */
async function startServer(): Promise<Started> {
  const began = performance.now();
  const child = spawn(process.execPath, [fileURLToPath(new URL('../dist/server.js', import.meta.url))], {
    env: { ...process.env, PORT: '0', NEEDLECHART_SANDBOX_PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  for (;;) {
    const app = /listening on (http:\/\/\S+)/.exec(out)?.[1];
    const launcher = /click "Launch NeedleChart": (http:\/\/\S+)\/sandbox/.exec(out)?.[1];
    if (app && launcher) {
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      return { appUrl: app, sandboxOrigin: launcher, startMs: performance.now() - began, stop: async () => void (child.kill('SIGTERM'), await exited) };
    }
    if (child.exitCode !== null) throw new Error(`NeedleChart exited during start-up:\n${out}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Click → interactive form for one launch of Maria Lopez, in a tab or in the EHR's frame (from another site, as an EHR frames it). */
async function timeLaunch(browser: Browser, sandboxOrigin: string, viewport: { width: number; height: number }, inFrame: boolean): Promise<number> {
  const page = await browser.newPage({ viewport });
  try {
    // The frame is cross-site, as in an EHR: the launcher is opened as localhost, the app is on 127.0.0.1.
    const origin = inFrame ? sandboxOrigin.replace('127.0.0.1', 'localhost') : sandboxOrigin;
    await page.goto(`${origin}/sandbox`);
    const button = page.locator(`tr[data-patient="p-maria-lopez"] button[data-action="${inFrame ? 'launch-frame' : 'launch'}"]`);
    await button.waitFor();
    const started = performance.now();
    await button.click();
    const root = inFrame ? page.frameLocator('iframe.app-frame') : page;
    await root.locator('#workspace').waitFor({ state: 'visible', timeout: 15_000 });
    return performance.now() - started;
  } finally {
    await page.close();
  }
}

const problem = ensureBuilt();
if (problem) throw new Error(problem);
const browser = await launchChromium();
const starts: number[] = [];
const firsts: number[] = [];
const laters: number[] = [];
const framed: number[] = [];
let live: { narrative: number[]; number: number[] } = { narrative: [], number: [] };
let counts: { first: FlowCount; returning: FlowCount; favourite: FlowCount } | undefined;
try {
  for (let round = 0; round < ROUNDS; round++) {
    const server = await startServer();
    starts.push(server.startMs);
    try {
      for (let i = 0; i <= LATER_LAUNCHES; i++) (i === 0 ? firsts : laters).push(await timeLaunch(browser, server.sandboxOrigin, { width: 1280, height: 800 }, false));
      framed.push(await timeLaunch(browser, server.sandboxOrigin, { width: 1024, height: 700 }, true));
    } finally {
      await server.stop();
    }
  }
  // The live panel and the budget flows, on two more fresh starts (the flows save visits to the sandbox, whose one first-visit patient is Nora Silva).
  const flow = async (run: (p: Page) => Promise<FlowCount>): Promise<FlowCount> => {
    const p = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    try {
      return await run(p);
    } finally {
      await p.close();
    }
  };
  let server = await startServer();
  let first: FlowCount;
  let returning: FlowCount;
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await openChart(page, server.sandboxOrigin, 'p-maria-lopez');
    await page.locator('#copy-forward').click();
    await waitForMuscleRows(page, 3);
    live = await livePanelLatency(page, LIVE_SAMPLES);
    await page.close();
    first = await flow((p) => chartFirstVisit(p, server.sandboxOrigin));
    returning = await flow((p) => chartReturningVisit(p, server.sandboxOrigin));
  } finally {
    await server.stop();
  }
  server = await startServer();
  try {
    // A returning clinician: the set was saved once before (not counted), then the first visit is charted from it.
    await flow(async (p) => (await prepareFavouriteSet(p, server.sandboxOrigin, 'p-nora-silva', 'Neck and shoulder'), { interactions: 0, narrative: 0 }));
    counts = { first, returning, favourite: await flow((p) => chartFirstVisitFromFavourite(p, server.sandboxOrigin, 'p-nora-silva', 'Neck and shoulder', 5)) };
  } finally {
    await server.stop();
  }
} finally {
  await browser.close();
}

const quantile = (samples: number[], q: number): number => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
};
const figures = (samples: number[]): string => `median ${quantile(samples, 0.5).toFixed(0)} ms, p90 ${quantile(samples, 0.9).toFixed(0)} ms (n=${samples.length})`;
const against = (samples: number[], goalMs: number): string => `(goal: p90 ≤ ${goalMs} ms: ${quantile(samples, 0.9) <= goalMs ? 'met' : 'NOT met'})`;
const both = [...live.narrative, ...live.number];
console.log(`\nNeedleChart UI benchmark — Debian chromium, compiled server (node dist/server.js) with its sandbox EHR on loopback, ${ROUNDS} fresh starts`);
console.log(`start-up (process start → launcher ready): ${figures(starts)}`);
console.log(`first launch after start, click → interactive form: ${figures(firsts)}   (goal: p90 ≤ 2000 ms)`);
console.log(`later launches, click → interactive form: ${figures(laters)}   ${against(laters, 1000)}`);
console.log(`later launch in the EHR frame at 1024×700, click → interactive form: ${figures(framed)}   ${against(framed, 1000)}`);
console.log(`live panel, last keystroke → answer shown: narrative ${figures(live.narrative)}; number ${figures(live.number)}`);
console.log(`live panel, all samples: p50 ${quantile(both, 0.5).toFixed(0)} ms, p90 ${quantile(both, 0.9).toFixed(0)} ms (n=${both.length})   ${against(both, 150)}`);
if (counts) {
  console.log(`first visit: ${counts.first.interactions} interactions (budget ${FIRST_VISIT_BUDGET}), ${counts.first.narrative} narrative keys`);
  console.log(`returning visit: ${counts.returning.interactions} (budget ${RETURNING_VISIT_BUDGET})`);
  console.log(`first visit from a saved favourite set: ${counts.favourite.interactions} interactions (budget ${FIRST_VISIT_BUDGET}), ${counts.favourite.narrative} narrative keys`);
}
