/**
 * `npm run bench` (third part): the time from clicking "Launch NeedleChart" in the sandbox EHR to an
 * interactive charting form (EHR launch, token exchange, chart read, catalog, body map, first render),
 * in Debian's chromium. Each round starts NeedleChart as `npm start` does (the compiled server, a
 * fresh process with its seeded sandbox), so the first launch of each round is the first launch a
 * user sees after start-up; two more launches follow in the same process. Prints figures; asserts nothing.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../test/support/browser.js';
import { ensureBuilt } from '../scripts/ensure-build.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const LATER_LAUNCHES = 2;

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

const problem = ensureBuilt();
if (problem) throw new Error(problem);
const browser = await launchChromium();
const starts: number[] = [];
const firsts: number[] = [];
const laters: number[] = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    const server = await startServer();
    starts.push(server.startMs);
    try {
      for (let i = 0; i <= LATER_LAUNCHES; i++) {
        const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
        await page.goto(`${server.sandboxOrigin}/sandbox`);
        const button = page.locator('tr[data-patient="p-maria-lopez"] button[data-action="launch"]');
        await button.waitFor();
        const started = performance.now();
        await button.click();
        await page.locator('#workspace').waitFor({ state: 'visible' });
        (i === 0 ? firsts : laters).push(performance.now() - started);
        await page.close();
      }
    } finally {
      await server.stop();
    }
  }
} finally {
  await browser.close();
}

const quantile = (samples: number[], q: number): number => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
};
const figures = (samples: number[]): string => `median ${quantile(samples, 0.5).toFixed(0)} ms, p90 ${quantile(samples, 0.9).toFixed(0)} ms (n=${samples.length})`;
console.log(`\nNeedleChart UI benchmark — Debian chromium, compiled server (node dist/server.js) with its sandbox EHR on loopback, ${ROUNDS} fresh starts`);
console.log(`start-up (process start → launcher ready): ${figures(starts)}`);
console.log(`first launch after start, click → interactive form: ${figures(firsts)}   (goal: p90 ≤ 2000 ms)`);
console.log(`later launches, click → interactive form: ${figures(laters)}`);
