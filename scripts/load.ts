/**
 * `npm run load`: load against loopback only, bounded in time. (a) Throughput on /api/preview at 32
 * connections (goal ≥ 2,000 req/s, p99 < 50 ms); (b) a hold of 200 connections for HOLD_SECONDS
 * (default 60) on /api/preview, then on the save path against the sandbox EHR (every request a new
 * visit): errors, lost or duplicated saves, and RSS before/after. Prints figures; asserts nothing.
 */
import autocannon, { type Result } from 'autocannon';
import type { Bundle } from 'fhir/r4.js';
import { readConfig } from '../src/config.js';
import { silentLogger } from '../src/http/logger.js';
import { startNeedleChart } from '../src/runtime.js';
import { ehrLaunch } from '../test/support/launch.js';

const HOLD = Number(process.env.HOLD_SECONDS ?? 60);
const THROUGHPUT = Number(process.env.THROUGHPUT_SECONDS ?? 10);
const session = JSON.parse(await (await import('node:fs/promises')).readFile(new URL('../../shared/examples/session-neck-4-muscles.json', import.meta.url), 'utf8')) as Record<string, unknown>;

const nc = await startNeedleChart(readConfig({ PORT: '0', NEEDLECHART_SANDBOX_PORT: '0', NEEDLECHART_API_RATE_LIMIT: '100000000' }), { logger: silentLogger });
const mb = () => `${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MB`;

function run(options: autocannon.Options): Promise<Result> {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

function report(label: string, r: Result, before?: string): void {
  const errors = r.errors + r.timeouts + r.non2xx;
  console.log(`${label}: ${r.requests.average.toFixed(0)} req/s, latency p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, max ${r.latency.max} ms, ${r.requests.total} requests, errors ${errors} (non-2xx ${r.non2xx}, timeouts ${r.timeouts})${before ? `, RSS ${before} → ${mb()}` : ''}`);
}

try {
  const preview = { url: `${nc.appUrl}/api/preview`, method: 'POST' as const, headers: { 'content-type': 'application/json' }, body: JSON.stringify(session) };
  await run({ ...preview, connections: 8, duration: 2 }); // warm-up
  // The load generator runs in a worker thread, so it takes the second core instead of the app's.
  report(`(a) /api/preview, 32 connections, ${THROUGHPUT} s`, await run({ ...preview, connections: 32, duration: THROUGHPUT, workers: 1 }));

  let rss = mb();
  report(`(b) /api/preview, 200 connections held ${HOLD} s`, await run({ ...preview, connections: 200, duration: HOLD, workers: 1 }), rss);

  const s = await ehrLaunch(nc.sandbox?.origin ?? '', { patient: 'p-nora-silva', encounter: 'e-nora-silva-1' });
  let n = 0;
  rss = mb();
  const saves = await run({
    url: `${nc.appUrl}/api/sessions`,
    connections: 200,
    duration: HOLD,
    // The sandbox EHR applies writes one at a time (all-or-nothing transactions): with 200 waiting, a save can queue for seconds.
    timeout: 30,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: s.cookie, 'x-launch-id': s.launchId },
        setupRequest: (req) => {
          const i = n++;
          // Every request a distinct visit: a distinct time of needling.
          const date = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString().replace('Z', '+00:00');
          return { ...req, body: JSON.stringify({ session: { ...session, payer: 'commercial-covered', date } }) };
        },
      },
    ],
  });
  report(`(b) POST /api/sessions (save to the sandbox EHR), 200 connections held ${HOLD} s`, saves, rss);
  const procedures: { identifier?: { value?: string }[] }[] = [];
  for (let offset = 0; ; offset += 1000) {
    const [, found] = await nc.sandbox!.engine.execute({ method: 'GET', path: '/Procedure', query: { patient: 'Patient/p-nora-silva', _count: '1000', _offset: String(offset) } });
    const page = ((found as Bundle).entry ?? []).map((e) => e.resource as { identifier?: { value?: string }[] });
    procedures.push(...page);
    if (page.length < 1000) break;
  }
  const keys = procedures.map((p) => p.identifier?.[0]?.value ?? '');
  const duplicated = keys.length - new Set(keys).size;
  const answered = saves['2xx'];
  // A request the client gave up on (timeout) may still land: stored ≥ answered; each visit at most once.
  const lost = Math.max(0, answered - new Set(keys).size);
  console.log(`saves: ${n} sent, ${answered} answered 2xx, ${saves.timeouts} timed out at the client, ${procedures.length} stored → ${lost} lost, ${duplicated} duplicated (RSS includes the in-process sandbox EHR, which holds every visit written)`);
} finally {
  await nc.close();
}
