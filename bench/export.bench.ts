/**
 * `npm run bench:export`: a child process runs the sandbox EHR seeded with VISITS (default 10,000)
 * synthetic visits; this process exports them over loopback HTTP with SMART Backend Services auth,
 * without PDFs, then with PDFs rendered by one PDF worker thread and by the pool (one worker per core).
 * Prints visits/s for each, the pool's speed-up over one worker, and this process's peak RSS (the
 * export alone, its worker threads included). Goals: ≥ 200 visits/s without PDFs, ≥ 50 with; the pool
 * ≥ 1.6× one worker on 2 cores (issue 17); peak RSS < 350 MB. Asserts nothing.
 * `npm run bench:export` runs it with V8's heap bounded as `needlechart export` runs (128 MB old
 * space, 4 MB semi-space): the export's live heap is about 50 MB; unbounded, V8 lets garbage reach ~300 MB.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { backendGateway, generateBackendKey } from '../src/export/backend-gateway.js';
import { defaultPdfWorkers } from '../src/export/pdf/pdf-pool.js';
import { runExport } from '../src/export/run-export.js';
import { silentLogger } from '../src/infra/logger.js';
import { loadBodyMap } from '../src/profiles/load-body-map.js';
import { createCore } from '../src/service/core.js';
import { BackendServicesClient } from '../src/smart/backend-services.js';

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
const sampler = setInterval(() => { const m = process.memoryUsage(); peakRss = Math.max(peakRss, m.rss); peakHeap = Math.max(peakHeap, m.heapUsed); }, 50);
// The scopes NeedleChart's Backend Services client is registered for (manifest.json), as the app asks for them.
const manifest = (await import('../manifest.json', { with: { type: 'json' } })).default;
const core = await createCore();
const backend = new BackendServicesClient({ fhirBaseUrl: fhirBase, clientId: 'bench-backend', privateKey: key.privateKey, keyId: key.publicJwk.kid, scopes: [...(manifest.scopes.backendServices ?? [])] });
const gateway = backendGateway(fhirBase, backend, silentLogger, 120_000);
const lines: string[] = [];
/** visits/s with PDFs: one PDF worker, then the pool. */
const withPdfs: number[] = [];
try {
  // Passes: without PDFs read by Bulk Data $export (the default where the EHR offers it, as the sandbox
  // does) and by paged searches, then with PDFs by Bulk Data, rendered by one PDF worker and by the pool.
  // PDFS=without|with and SOURCE=bulk|search narrow them.
  const pool = defaultPdfWorkers();
  const all = [{ pdf: false, source: 'bulk', workers: 0 }, { pdf: false, source: 'search', workers: 0 }, { pdf: true, source: 'bulk', workers: 1 }, { pdf: true, source: 'bulk', workers: pool }] as const;
  const passes = all.filter((p) => (!process.env.PDFS || p.pdf === (process.env.PDFS === 'with')) && (!process.env.SOURCE || p.source === process.env.SOURCE));
  for (const { pdf, source, workers } of passes) {
    const out = mkdtempSync(join(tmpdir(), 'nc-bench-export-'));
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const sandboxCpuBefore = sandboxCpuSeconds();
    let finishing = 0;
    let firstVisit = 0;
    const onProgress = (p: { phase: string }): void => {
      if (p.phase === 'visits' && !firstVisit) firstVisit = performance.now();
      if (p.phase === 'finishing' && !finishing) finishing = performance.now();
    };
    const result = await runExport({ gateway, core, bodyMap: loadBodyMap(), filters: { from: '2026-01-01', to: '2026-12-31' }, out, requestedBy: 'bench', client: 'bench-backend', logger: silentLogger, pdf, source, ...(workers ? { pdfWorkers: workers } : {}), ...(process.env.CONCURRENCY ? { concurrency: Number(process.env.CONCURRENCY) } : {}), onProgress });
    const seconds = (performance.now() - started) / 1000;
    const visitSeconds = (finishing - started) / 1000;
    const firstSeconds = ((firstVisit || finishing) - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const exporterBusy = (cpu.user + cpu.system) / 1e6 / seconds;
    const sandboxBusy = (sandboxCpuSeconds() - sandboxCpuBefore) / seconds;
    if (pdf) withPdfs.push(result.visits / seconds);
    lines.push(`${pdf ? `with PDFs, ${workers} PDF worker${workers === 1 ? ' ' : 's'}` : 'without PDFs         '} (${source === 'bulk' ? 'Bulk Data $export' : 'paged searches '})  ${result.visits} visits in ${seconds.toFixed(1)} s = ${(result.visits / seconds).toFixed(1)} visits/s (goal ≥ ${pdf ? 50 : 200}); CPU busy: exporter ${(exporterBusy * 100).toFixed(0)}%, sandbox EHR ${(sandboxBusy * 100).toFixed(0)}% of a core; first visit after ${firstSeconds.toFixed(1)} s, visits done at ${visitSeconds.toFixed(1)} s, packet assembly ${(seconds - visitSeconds).toFixed(1)} s`);
    rmSync(out, { recursive: true, force: true });
  }
} finally {
  clearInterval(sampler);
  child.kill('SIGTERM');
}
console.log(`NeedleChart export benchmark — Node ${process.version}; sandbox EHR in a separate process: ${visits} visits of ${patients} patients, seeded in ${seedSeconds} s`);
for (const line of lines) console.log(line);
const [one, all] = withPdfs;
if (one && all) console.log(`PDF pool of ${defaultPdfWorkers()} workers: ${(all / one).toFixed(2)}× one worker (goal ≥ 1.6× on 2 cores)`);
console.log(`peak RSS of the exporting process, worker threads included: ${(peakRss / 1024 / 1024).toFixed(0)} MB (goal < 350 MB); peak JS heap in use ${(peakHeap / 1024 / 1024).toFixed(0)} MB`);
