/**
 * `npm run bench` (first part): what a live preview costs, on a 12-muscle session.
 *
 * 1. The pure pipeline the preview runs on every change — validate, suggest codes, check readiness,
 *    build the view model, render the HTML note — per step and whole (tinybench): mean, median, p99
 *    and ops/s. Goal (issue 13): whole-pipeline mean ≤ 200 µs. The payer-review summary is timed too.
 * 2. The HTTP path, against a control measured in the same run (machines differ): req/s of a bare
 *    express JSON endpoint and of POST /api/preview at 32 connections (autocannon), alternated over
 *    ROUNDS rounds of HTTP_SECONDS each, medians and their ratio. Goal: ratio ≥ 0.5. The preview is
 *    measured as `npm start` serves it (its worker pool, NEEDLECHART_PREVIEW_WORKERS) and, beside it,
 *    with every preview on the server's own thread (pool off), so both figures are on record.
 * Prints figures; asserts nothing.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Bench } from 'tinybench';
import { checkReadiness } from '../src/domain/check-readiness.js';
import { suggestCodes } from '../src/domain/suggest-codes.js';
import { parseSession } from '../src/domain/validate-session.js';
import { buildNoteViewModel } from '../src/notes/note-view-model.js';
import { createCore } from '../src/service/core.js';
import { TWELVE_MUSCLE_SESSION as session } from './support/twelve-muscle-session.js';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const HTTP_SECONDS = Number(process.env.HTTP_SECONDS ?? 4);
const CONNECTIONS = 32;

const core = await createCore();
const input: unknown = JSON.parse(JSON.stringify(session));
const payer = core.profiles.payers.get('medicare');
if (!payer) throw new Error('medicare payer missing');

function pipeline(withReview: boolean): string {
  const parsed = parseSession(input, core.check, core.profiles);
  if (!parsed.ok) throw new Error('bench session invalid');
  const coding = suggestCodes(parsed.session, payer!, core.profiles);
  const readiness = checkReadiness(parsed.session, payer!, core.profiles);
  const view = buildNoteViewModel(parsed.session, payer!, core.profiles, coding, readiness, core.generator);
  const note = core.renderer.render('note', 'html', view);
  return withReview ? note + core.renderer.render('payer-review', 'html', view) : note;
}

const coding = suggestCodes(session, payer, core.profiles);
const readiness = checkReadiness(session, payer, core.profiles);
const view = buildNoteViewModel(session, payer, core.profiles, coding, readiness, core.generator);

const bench = new Bench({ time: 1500, warmupTime: 300 });
bench
  .add('validate (schema + cross-field)', () => parseSession(input, core.check, core.profiles))
  .add('suggestCodes', () => suggestCodes(session, payer, core.profiles))
  .add('checkReadiness', () => checkReadiness(session, payer, core.profiles))
  .add('build view model', () => buildNoteViewModel(session, payer, core.profiles, coding, readiness, core.generator))
  .add('render HTML note (template only)', () => core.renderer.render('note', 'html', view))
  .add('render payer review (template only)', () => core.renderer.render('payer-review', 'html', view))
  .add('whole pipeline + payer review', () => pipeline(true))
  .add('whole pipeline (12 muscles)', () => pipeline(false));
await bench.run();

const us = (ms: number | undefined): string => (ms === undefined ? 'n/a' : `${(ms * 1000).toFixed(1)} µs`);
console.log(`NeedleChart core benchmark — Node ${process.version}, ${session.muscles.length}-muscle session\n`);
console.log(`${'step'.padEnd(40)}${'mean'.padStart(12)}${'median'.padStart(12)}${'p99'.padStart(12)}${'ops/s'.padStart(12)}${'samples'.padStart(10)}`);
for (const task of bench.tasks) {
  const r = task.result;
  if (!r || r.error) {
    console.log(`${task.name.padEnd(40)} failed: ${String(r?.error)}`);
    continue;
  }
  console.log(`${task.name.padEnd(40)}${us(r.latency.mean).padStart(12)}${us(r.latency.p50).padStart(12)}${us(r.latency.p99).padStart(12)}${Math.round(r.throughput.mean).toLocaleString('en-US').padStart(12)}${String(r.latency.samples.length).padStart(10)}`);
}
const whole = bench.tasks.at(-1)?.result;
if (whole) console.log(`\nGoal: whole-pipeline mean ≤ 200 µs — measured ${us(whole.latency.mean)} (${whole.latency.mean * 1000 <= 200 ? 'met' : 'NOT met'}; median ${us(whole.latency.p50)}).`);

// ---- the HTTP path against a control, same machine, same run ------------------------------------

const servers = fork(fileURLToPath(new URL('./support/preview-servers.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
interface Ports { readonly needlechart: number; readonly inThread: number; readonly control: number; readonly previewWorkers: number }
const ports = await new Promise<Ports>((resolve, reject) => {
  servers.once('message', (m) => resolve(m as Ports));
  servers.once('exit', (code) => reject(new Error(`benchmark servers exited (${code})`)));
});
const body = JSON.stringify({ session, course: { visitNumber: 2 } });

interface Run { readonly rps: number; readonly p99: number; readonly non2xx: number; readonly errors: number }
async function load(url: string, seconds: number): Promise<Run> {
  const r = await autocannon({ url, method: 'POST', body, headers: { 'content-type': 'application/json' }, connections: CONNECTIONS, duration: seconds });
  return { rps: r.requests.average, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts };
}
const targets = { control: `http://127.0.0.1:${ports.control}/json`, preview: `http://127.0.0.1:${ports.needlechart}/api/preview`, inThread: `http://127.0.0.1:${ports.inThread}/api/preview` } as const;
// Warm both (JIT, caches), then alternate so drift on a shared machine falls on both alike.
for (const url of Object.values(targets)) await load(url, 1);
const runs: Record<keyof typeof targets, Run[]> = { control: [], preview: [], inThread: [] };
for (let round = 0; round < ROUNDS; round++) {
  runs.control.push(await load(targets.control, HTTP_SECONDS));
  runs.preview.push(await load(targets.preview, HTTP_SECONDS));
  runs.inThread.push(await load(targets.inThread, HTTP_SECONDS));
}
servers.kill();

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
console.log(`\nHTTP at ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${HTTP_SECONDS} s (body ${body.length} bytes)`);
console.log(`${'endpoint'.padEnd(40)}${'req/s median'.padStart(14)}${'rounds'.padStart(40)}${'p99 ms'.padStart(9)}${'non-2xx'.padStart(9)}${'errors'.padStart(8)}`);
const poolLabel = `POST /api/preview (${ports.previewWorkers} worker${ports.previewWorkers === 1 ? '' : 's'})`;
for (const [name, label] of [['control', 'bare express JSON endpoint (control)'], ['preview', poolLabel], ['inThread', 'POST /api/preview (server thread only)']] as const) {
  const rs = runs[name];
  console.log(`${label.padEnd(40)}${Math.round(median(rs.map((r) => r.rps))).toLocaleString('en-US').padStart(14)}${rs.map((r) => Math.round(r.rps)).join(' / ').padStart(40)}${String(median(rs.map((r) => r.p99))).padStart(9)}${String(rs.reduce((s, r) => s + r.non2xx, 0)).padStart(9)}${String(rs.reduce((s, r) => s + r.errors, 0)).padStart(8)}`);
}
const ratio = median(runs.preview.map((r) => r.rps)) / median(runs.control.map((r) => r.rps));
const inThreadRatio = median(runs.inThread.map((r) => r.rps)) / median(runs.control.map((r) => r.rps));
console.log(`\nGoal: /api/preview req/s ≥ 0.5 × the control's — measured ${ratio.toFixed(2)} as served (${ports.previewWorkers} preview worker${ports.previewWorkers === 1 ? '' : 's'}; ${ratio >= 0.5 ? 'met' : 'NOT met'}), ${inThreadRatio.toFixed(2)} with every preview on the server's own thread.`);
