/**
 * `npm run load`: load against loopback only, bounded in time. NeedleChart runs in its own process
 * (measured through /proc), the sandbox EHR and the load generator in this one.
 * (a) Throughput on /api/preview at 32 connections (goal ≥ 2,000 req/s, p99 < 50 ms);
 * (b) a hold of 200 connections for HOLD_SECONDS (default 60) on /api/preview, then on the save
 * path: a visit is one per patient, encounter and performer, so the saves go to LOAD_ENCOUNTERS
 * (default 200) encounters, one launch each; the first save of each creates its visit, the rest are
 * retries answered `unchanged`. Errors, lost or duplicated saves, and the app's RSS before/after.
 * Prints figures; asserts nothing.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import autocannon, { type Result } from 'autocannon';
import type { Bundle } from 'fhir/r4.js';
import { silentLogger } from '../src/infra/logger.js';
import { appRegistration } from '../src/sandbox/registered-scopes.js';
import { createSandbox } from '../src/sandbox/sandbox-server.js';
import { createCore } from '../src/service/core.js';
import { ehrLaunch } from '../test/support/launch.js';
import { ensureBuilt } from './ensure-build.mjs';

const HOLD = Number(process.env.HOLD_SECONDS ?? 60);
const THROUGHPUT = Number(process.env.THROUGHPUT_SECONDS ?? 10);
const session = JSON.parse(await readFile(new URL('../examples/sessions/neck-4-muscles-investigational.json', import.meta.url), 'utf8')) as Record<string, unknown>;

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });

const appPort = await freePort();
const appUrl = `http://127.0.0.1:${appPort}`;
const core = await createCore();
const manifest = (await import('../manifest.json', { with: { type: 'json' } })).default;
const sandbox = await (await createSandbox({ core, logger: silentLogger, auth: { appUrl: () => appUrl, clients: () => [{ clientId: 'needlechart-load', redirectUris: [`${appUrl}/callback`], auth: 'none', scopes: appRegistration(manifest.scopes) }] } })).listen(0, '127.0.0.1');

// NeedleChart as production runs it: the compiled server.
const buildProblem = ensureBuilt();
if (buildProblem) throw new Error(buildProblem);
const app = spawn(process.execPath, [fileURLToPath(new URL('../dist/server.js', import.meta.url))], {
  env: {
    ...process.env,
    PORT: String(appPort),
    NEEDLECHART_SANDBOX: 'off',
    NEEDLECHART_FHIR_BASE_URL: sandbox.fhirBaseUrl,
    NEEDLECHART_CLIENT_ID: 'needlechart-load',
    NEEDLECHART_SESSION_SECRET: randomBytes(32).toString('base64'),
    NEEDLECHART_API_RATE_LIMIT: '100000000',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
await new Promise<void>((resolve) => {
  app.stdout.on('data', (chunk: Buffer) => {
    if (chunk.toString().includes('listening on')) resolve();
  });
});
app.stdout.resume();

async function appRss(): Promise<string> {
  const status = await readFile(`/proc/${app.pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return `${(kb / 1024).toFixed(0)} MB`;
}

function run(options: autocannon.Options): Promise<Result> {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

function report(label: string, r: Result, rss?: string): void {
  const errors = r.errors + r.timeouts + r.non2xx;
  console.log(`${label}: ${r.requests.average.toFixed(0)} req/s, latency p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, max ${r.latency.max} ms, ${r.requests.total} requests, errors ${errors} (non-2xx ${r.non2xx}, timeouts ${r.timeouts})${rss ?? ''}`);
}

try {
  const preview = { url: `${appUrl}/api/preview`, method: 'POST' as const, headers: { 'content-type': 'application/json' }, body: JSON.stringify(session) };
  await run({ ...preview, connections: 8, duration: 2 }); // warm-up
  report(`(a) /api/preview, 32 connections, ${THROUGHPUT} s`, await run({ ...preview, connections: 32, duration: THROUGHPUT }));

  let before = await appRss();
  const held = await run({ ...preview, connections: 200, duration: HOLD });
  report(`(b) /api/preview, 200 connections held ${HOLD} s`, held, `, app RSS ${before} → ${await appRss()}`);

  const encounters = Number(process.env.LOAD_ENCOUNTERS ?? 200);
  const start = new Date(Date.now() - 10 * 60_000).toISOString();
  // Dated a minute ago: a save checks the visit is on its encounter's day and not in the future.
  const date = new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, '+00:00');
  const launches: { cookie: string; launchId: string }[] = [];
  for (let i = 0; i < encounters; i++) {
    const id = `load-${i}`;
    await sandbox.engine.execute({ method: 'PUT', path: `/Encounter/${id}`, body: { resourceType: 'Encounter', id, status: 'in-progress', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' }, subject: { reference: 'Patient/p-nora-silva' }, period: { start } } });
    launches.push(await ehrLaunch(sandbox.origin, { patient: 'p-nora-silva', encounter: id }));
  }
  let n = 0;
  before = await appRss();
  const saves = await run({
    url: `${appUrl}/api/sessions`,
    connections: 200,
    duration: HOLD,
    // The sandbox EHR applies writes one at a time (all-or-nothing transactions): with 200 waiting, a save can queue for seconds.
    timeout: 30,
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => {
          const s = launches[n++ % encounters] ?? { cookie: '', launchId: '' };
          return { ...req, headers: { 'content-type': 'application/json', cookie: s.cookie, 'x-launch-id': s.launchId }, body: JSON.stringify({ session: { ...session, payer: 'commercial-covered', date } }) };
        },
      },
    ],
  });
  report(`(b) POST /api/sessions (save to the sandbox EHR), 200 connections held ${HOLD} s`, saves, `, app RSS ${before} → ${await appRss()}`);
  await new Promise((r) => setTimeout(r, 3000)); // let saves in flight when the run stopped land
  const procedures: { encounter?: { reference?: string } }[] = [];
  for (let offset = 0; ; offset += 1000) {
    const [, found] = await sandbox.engine.execute({ method: 'GET', path: '/Procedure', query: { patient: 'Patient/p-nora-silva', _count: '1000', _offset: String(offset) } });
    const page = ((found as Bundle).entry ?? []).map((e) => e.resource as { encounter?: { reference?: string } });
    procedures.push(...page);
    if (page.length < 1000) break;
  }
  const visits = procedures.map((p) => p.encounter?.reference ?? '').filter((e) => e.startsWith('Encounter/load-'));
  const duplicated = visits.length - new Set(visits).size;
  const created = saves.statusCodeStats?.['201']?.count ?? 0;
  const unchanged = saves.statusCodeStats?.['200']?.count ?? 0;
  const lost = Math.max(0, created - new Set(visits).size);
  console.log(`saves: ${n} sent to ${encounters} encounters, ${created} created, ${unchanged} answered unchanged, ${saves.timeouts} timed out at the client, ${visits.length} visits stored → ${lost} lost, ${duplicated} duplicated`);
} finally {
  app.kill('SIGTERM');
  await sandbox.close();
}
