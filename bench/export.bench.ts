/**
 * `npm run bench:export`: a child process runs the sandbox EHR seeded with VISITS (default 10,000)
 * synthetic visits; this process exports them over loopback HTTP with SMART Backend Services auth,
 * without PDFs, then with PDFs written (summary and PDF) by one visit worker thread and by the pool (one worker per core).
 * Prints visits/s for each, the pool's speed-up over one worker, and this process's peak RSS (the
 * export alone, its worker threads included). Goals: ≥ 200 visits/s without PDFs, ≥ 50 with; the pool
 * ≥ 1.6× one worker on 2 cores (issue 17); peak RSS < 350 MB. Asserts nothing.
 * It runs the compiled export in dist/ (built first if the sources changed).
 * `npm run bench:export` runs it with V8's heap bounded as `needlechart export` runs (128 MB old
 * space, 4 MB semi-spaces, for the visit workers too): the export's live heap is about 50 MB; unbounded, V8 lets garbage reach ~300 MB.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuScaling } from './support/cpu-scaling.js';

// The export is measured as `npm start` and `needlechart export` run it: the compiled JavaScript in
// dist/ (npm run bench:export builds it first), with plain worker threads. From the TypeScript sources
// every worker thread would also load tsx and its hooks thread, which costs CPU and memory users never pay.
const dist = (path: string): Promise<unknown> => import(new URL(`../dist/${path}`, import.meta.url).href);
const { backendGateway, generateBackendKey } = (await dist('export/backend-gateway.js')) as typeof import('../src/export/backend-gateway.js');
const { defaultVisitWorkers } = (await dist('export/visit-pool.js')) as typeof import('../src/export/visit-pool.js');
const { runExport } = (await dist('export/run-export.js')) as typeof import('../src/export/run-export.js');
const { silentLogger } = (await dist('infra/logger.js')) as typeof import('../src/infra/logger.js');
const { loadBodyMap } = (await dist('profiles/load-body-map.js')) as typeof import('../src/profiles/load-body-map.js');
const { createCore } = (await dist('service/core.js')) as typeof import('../src/service/core.js');
const { BackendServicesClient } = (await dist('smart/backend-services.js')) as typeof import('../src/smart/backend-services.js');

const key = await generateBackendKey();
const child = spawn(process.execPath, [...(process.env.SANDBOX_NODE_ARGS ?? '').split(' ').filter(Boolean), '--import', 'tsx', fileURLToPath(new URL('./support/seeded-sandbox.ts', import.meta.url))], {
  env: { ...process.env, NODE_OPTIONS: '', BACKEND_JWK: JSON.stringify(key.publicJwk), VISITS: process.env.VISITS ?? '10000' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const ready = await new Promise<string[]>((resolve, reject) => {
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const line = buffer.split('\n').find((l) => l.startsWith('READY '));
    if (line) resolve(line.split(' ').slice(1));
  });
  child.on('exit', (code) => reject(new Error(`sandbox exited (${code})`)));
});
const [fhirBase = '', visits = '', patients = '', seedSeconds = ''] = ready;

/** CPU seconds the sandbox process has used so far (utime + stime from /proc; 0 where /proc is absent). */
function sandboxCpuSeconds(): number {
  try {
    const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

let peakRss = process.memoryUsage().rss;
let peakHeap = 0;
/** The peak RSS of the pass running now. */
let passRss = 0;
const sampler = setInterval(() => { const m = process.memoryUsage(); peakRss = Math.max(peakRss, m.rss); passRss = Math.max(passRss, m.rss); peakHeap = Math.max(peakHeap, m.heapUsed); }, 50);
// The scopes NeedleChart's Backend Services client is registered for (manifest.json), as the app asks for them.
const manifest = (await import('../manifest.json', { with: { type: 'json' } })).default;
const core = await createCore();
const backend = new BackendServicesClient({ fhirBaseUrl: fhirBase, clientId: 'bench-backend', privateKey: key.privateKey, keyId: key.publicJwk.kid, scopes: [...(manifest.scopes.backendServices ?? [])] });
const gateway = backendGateway(fhirBase, backend, silentLogger, 120_000);
const lines: string[] = [];
/** visits/s with PDFs, each round: one visit worker and the pool, end to end and while visits were written. */
const withPdfs = { one: [] as number[], pool: [] as number[], onePhase: [] as number[], poolPhase: [] as number[] };
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const rounds = Math.max(1, Number(process.env.ROUNDS ?? 1));
let control = 0;
try {
  // Passes: without PDFs read by Bulk Data $export (the default where the EHR offers it, as the sandbox
  // does) and by paged searches, then with PDFs by Bulk Data, written by one visit worker and by the pool.
  // PDFS=without|with and SOURCE=bulk|search narrow them; ROUNDS=n repeats the two passes with PDFs n times, alternating.
  const pool = defaultVisitWorkers();
  const withPdf = Array.from({ length: rounds }, () => [{ pdf: true, source: 'bulk', workers: 1 }, { pdf: true, source: 'bulk', workers: pool }] as const).flat();
  const all = [{ pdf: false, source: 'bulk', workers: 0 }, { pdf: false, source: 'search', workers: 0 }, ...withPdf] as const;
  const passes = all.filter((p) => (!process.env.PDFS || p.pdf === (process.env.PDFS === 'with')) && (!process.env.SOURCE || p.source === process.env.SOURCE));
  // The control for the pool's speed-up: the same pure CPU work in `pool` threads against one, measured now.
  if (passes.some((p) => p.pdf)) control = await cpuScaling(pool);
  for (const { pdf, source, workers } of passes) {
    const out = mkdtempSync(join(tmpdir(), 'nc-bench-export-'));
    passRss = 0;
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const sandboxCpuBefore = sandboxCpuSeconds();
    let finishing = 0;
    let firstVisit = 0;
    const onProgress = (p: { phase: string }): void => {
      if (p.phase === 'visits' && !firstVisit) firstVisit = performance.now();
      if (p.phase === 'finishing' && !finishing) finishing = performance.now();
    };
    const result = await runExport({ gateway, core, bodyMap: loadBodyMap(), filters: { from: '2026-01-01', to: '2026-12-31' }, out, requestedBy: 'bench', client: 'bench-backend', logger: silentLogger, pdf, source, ...(workers ? { visitWorkers: workers } : {}), ...(process.env.CONCURRENCY ? { concurrency: Number(process.env.CONCURRENCY) } : {}), onProgress });
    const seconds = (performance.now() - started) / 1000;
    const visitSeconds = (finishing - started) / 1000;
    const firstSeconds = ((firstVisit || finishing) - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const exporterBusy = (cpu.user + cpu.system) / 1e6 / seconds;
    const sandboxBusy = (sandboxCpuSeconds() - sandboxCpuBefore) / seconds;
    if (pdf) {
      withPdfs[workers === 1 ? 'one' : 'pool'].push(result.visits / seconds);
      withPdfs[workers === 1 ? 'onePhase' : 'poolPhase'].push(result.visits / (visitSeconds - firstSeconds));
    }
    lines.push(`${pdf ? `with PDFs, ${workers} visit worker${workers === 1 ? ' ' : 's'}` : 'without PDFs         '} (${source === 'bulk' ? 'Bulk Data $export' : 'paged searches '})  ${result.visits} visits in ${seconds.toFixed(1)} s = ${(result.visits / seconds).toFixed(1)} visits/s (goal ≥ ${pdf ? 50 : 200}); CPU busy: exporter ${(exporterBusy * 100).toFixed(0)}%, sandbox EHR ${(sandboxBusy * 100).toFixed(0)}% of a core; first visit after ${firstSeconds.toFixed(1)} s, visits done at ${visitSeconds.toFixed(1)} s (${(result.visits / (visitSeconds - firstSeconds)).toFixed(1)} visits/s between), packet assembly ${(seconds - visitSeconds).toFixed(1)} s; peak RSS ${(passRss / 1024 / 1024).toFixed(0)} MB`);
    rmSync(out, { recursive: true, force: true });
  }
} finally {
  clearInterval(sampler);
  child.kill('SIGTERM');
}
console.log(`NeedleChart export benchmark — Node ${process.version}; sandbox EHR in a separate process: ${visits} visits of ${patients} patients, seeded in ${seedSeconds} s`);
for (const line of lines) console.log(line);
if (withPdfs.one.length && withPdfs.pool.length) {
  const workers = defaultVisitWorkers();
  const speedUp = median(withPdfs.pool) / median(withPdfs.one);
  const ofRounds = rounds > 1 ? ` (medians of ${rounds} rounds)` : '';
  console.log(`Visit pool (summary and PDF) of ${workers} workers: ${speedUp.toFixed(2)}× one worker end to end${ofRounds} (goal ≥ 1.6× on 2 cores); ${(median(withPdfs.poolPhase) / median(withPdfs.onePhase)).toFixed(2)}× while visits are written (after the EHR's export is read, before the packet is assembled)`);
  console.log(`control: the same pure CPU work in ${workers} threads runs ${control.toFixed(2)}× one thread on this machine now (the ceiling for any pool here); the pool reaches ${((speedUp / control) * 100).toFixed(0)}% of it`);
}
console.log(`peak RSS of the exporting process, worker threads included: ${(peakRss / 1024 / 1024).toFixed(0)} MB (goal < 350 MB); peak JS heap in use ${(peakHeap / 1024 / 1024).toFixed(0)} MB`);
