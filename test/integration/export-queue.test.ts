import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import { Redis } from 'ioredis';
import { exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.js';
import type { Session } from '../../src/domain/types.generated.js';
import { createJsonLogger, silentLogger } from '../../src/infra/logger.js';
import { startNeedleChart, type RunningNeedleChart } from '../../src/runtime.js';
import { appRegistration, backendRegistration } from '../../src/sandbox/registered-scopes.js';
import { createSandbox, type RunningSandbox } from '../../src/sandbox/sandbox-server.js';
import { analyseSession, visitTransactionFor } from '../../src/service/preview-session.js';
import { practitionerReference } from '../../src/fhir/practitioner-reference.js';
import { testCore } from '../support/fixtures.js';
import { complianceSignIn, type LaunchedSession } from '../support/launch.js';
import { freePort, startRedis } from '../support/redis.js';

/**
 * Compliance exports with NEEDLECHART_REDIS_URL and a shared NEEDLECHART_EXPORT_DIR: two instances
 * of NeedleChart (one a child process, so it can be killed outright) share a real redis-server, a
 * packet folder and one EHR (a sandbox in this process, with extra visits so an export takes a while).
 */
const manifest = (await import('../../manifest.json', { with: { type: 'json' } })).default;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const OFFICER = 'Practitioner/staff-jordan-ellis';
/** A second member of the compliance staff: allowed to export, not to follow someone else's export. */
const COLLEAGUE = 'Practitioner/pt-rivera';
const ALL_DATES = { from: '2000-01-01', to: '2100-12-31' };
const EXTRA_VISITS = 300;

let redis: Awaited<ReturnType<typeof startRedis>>;
let sandbox: RunningSandbox;
let exportDir: string;
let env: Record<string, string>;
const children: ChildProcess[] = [];
const childLogs: string[] = [];
const appUrls: string[] = [];
/** Visits in the EHR (the seeded ones and EXTRA_VISITS), as the first export counted them. */
let allVisits = 0;

/** A seeded visit a day in 2026 for one of 30 patients, charted as NeedleChart saves it. */
function session(i: number): Session {
  const day = new Date(Date.UTC(2026, 0, 1) + (i % 300) * 86_400_000).toISOString().slice(0, 10);
  return {
    date: `${day}T${String(8 + (i % 9)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00-05:00`,
    performer: { reference: 'Practitioner/pt-rivera', display: 'Alex Rivera, PT, DPT', dryNeedlingCertified: true },
    payer: ['commercial-covered', 'medicare'][i % 2] ?? 'commercial-covered',
    billing: 'bill-payer',
    diagnoses: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'M54.2', display: 'Cervicalgia' }],
    consent: { obtained: true, investigationalStatusDisclosed: true },
    screening: { contraindications: [], precautions: [], cleared: true },
    needle: { type: 'solid filiform', diameterMm: 0.25, lengthMm: 40, countVerified: true },
    muscles: [{ muscle: 'upper-trapezius', side: 'left', depth: 'deep', technique: 'pistoning', needles: 1, retentionSeconds: 60, twitch: { elicited: true, count: 1 }, precaution: 'pincer grip' }],
    outcomes: { painPre: 7, painPost: 4 },
    adverseEvents: [],
    response: 'Tolerated well.',
    plan: 'Weekly.',
  };
}

/** NeedleChart as `npm start` runs it, in its own process, with this test's shared configuration. */
async function startChild(name: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: '', ...env, PORT: String(port), NEEDLECHART_CLIENT_ID: name },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  appUrls.push(url);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start`)), 60_000);
    const take = (chunk: Buffer): void => {
      const text = chunk.toString();
      childLogs.push(text);
      if (text.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}): ${childLogs.join('')}`)));
  });
  return { url, child };
}

/** NeedleChart in this process with the same configuration. */
async function startHere(logLines: string[]): Promise<RunningNeedleChart> {
  const nc = await startNeedleChart(readConfig({ ...env, PORT: '0', NEEDLECHART_CLIENT_ID: 'needlechart-b' }), { logger: createJsonLogger((line) => logLines.push(line)) });
  appUrls.push(nc.appUrl);
  return nc;
}

beforeAll(async () => {
  redis = await startRedis();
  exportDir = join(mkdtempSync(join(tmpdir(), 'nc-export-queue-')), 'exports');
  const { privateKey, publicKey } = await generateKeyPair('ES384', { extractable: true });
  const keyFile = join(mkdtempSync(join(tmpdir(), 'nc-export-queue-key-')), 'backend.pem');
  writeFileSync(keyFile, await exportPKCS8(privateKey), { mode: 0o600 });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'queue-test', alg: 'ES384', use: 'sig' };
  const core = await testCore();
  sandbox = await (
    await createSandbox({
      core,
      logger: silentLogger,
      auth: {
        appUrl: () => appUrls[0] ?? 'http://127.0.0.1:1',
        clients: () => [
          ...['needlechart-a', 'needlechart-b'].map((clientId) => ({ clientId, redirectUris: appUrls.map((u) => `${u}/callback`), auth: 'none' as const, scopes: appRegistration(manifest.scopes) })),
          { clientId: 'needlechart-backend', redirectUris: [], auth: 'private_key_jwt' as const, jwks: { keys: [jwk] }, scopes: backendRegistration(manifest.scopes) },
        ],
      },
    })
  ).listen(0, '127.0.0.1');
  for (let i = 0; i < EXTRA_VISITS; i++) {
    if (i < 30) await sandbox.engine.execute({ method: 'PUT', path: `/Patient/q-${i}`, body: { resourceType: 'Patient', id: `q-${i}`, name: [{ given: ['Queue'], family: `Patient ${i}` }] } });
    // Signed, as a payer packet holds only signed notes (an unsigned one is left out unless drafts are asked for).
    const s = session(i);
    const recorded = new Date().toISOString();
    const analysis = analyseSession(s, core, {}, { signed: { by: s.performer.display, at: recorded }, addenda: [] });
    const bundle = visitTransactionFor(core, analysis, { patient: `Patient/q-${i % 30}`, encounter: `Encounter/qe-${i}` }, recorded, { signing: { state: 'signed', authenticator: practitionerReference(s.performer) } });
    const [, , status] = await sandbox.engine.execute({ method: 'POST', path: '/', body: bundle });
    if (status >= 300) throw new Error(`seeding visit ${i} failed: ${status}`);
  }
  env = {
    HOST: '127.0.0.1',
    NEEDLECHART_SANDBOX: 'off',
    NEEDLECHART_FHIR_BASE_URL: sandbox.fhirBaseUrl,
    NEEDLECHART_REDIS_URL: redis.url,
    NEEDLECHART_SESSION_SECRET: Buffer.alloc(32, 7).toString('base64'),
    NEEDLECHART_EXPORT_DIR: exportDir,
    NEEDLECHART_EXPORT_LOCK_SECONDS: '2',
    NEEDLECHART_BACKEND_KEY_FILE: keyFile,
    NEEDLECHART_BACKEND_KEY_ID: 'queue-test',
    NEEDLECHART_COMPLIANCE_USERS: `${OFFICER},${COLLEAGUE}`,
  };
}, 180_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await sandbox?.close();
  await redis?.stop();
});

const withSession = (s: LaunchedSession): Record<string, string> => ({ cookie: s.cookie, 'x-launch-id': s.launchId, 'content-type': 'application/json' });
async function startExport(appUrl: string, s: LaunchedSession): Promise<string> {
  const res = await fetch(`${appUrl}/api/exports`, { method: 'POST', headers: withSession(s), body: JSON.stringify(ALL_DATES) });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}
const events = (appUrl: string, s: LaunchedSession, id: string) => fetch(`${appUrl}/api/exports/${id}/events?launch=${s.launchId}`, { headers: { cookie: s.cookie } });
const download = (appUrl: string, s: LaunchedSession, id: string) => fetch(`${appUrl}/api/exports/${id}/download?launch=${s.launchId}`, { headers: { cookie: s.cookie } });

async function eventually(check: () => boolean, ms = 5000): Promise<boolean> {
  const until = Date.now() + ms;
  while (!check() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  return check();
}

interface Event {
  readonly event: string;
  readonly data: Record<string, unknown>;
}

/** The server-sent events of a response as they arrive; ends when the stream ends or breaks. */
async function* eventsOf(res: Response): AsyncGenerator<Event> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        yield { event: /^event: (.*)$/m.exec(block)?.[1] ?? '', data: JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? '{}') as Record<string, unknown> };
      }
    }
  } catch {
    return; // the instance went away mid-stream
  } finally {
    reader.releaseLock();
  }
}

async function lastEvent(res: Response): Promise<Event | undefined> {
  let last: Event | undefined;
  for await (const e of eventsOf(res)) last = e;
  return last;
}

/** The files of a zip (central directory, then each entry's data: stored or deflated). */
function unzip(zip: Buffer): Map<string, Buffer> {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const skip = zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const data = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(data, data + size);
    files.set(name, method === 8 ? inflateRawSync(raw) : raw);
    at += 46 + nameLength + skip;
  }
  return files;
}

interface Manifest {
  readonly visits: number;
  readonly files: readonly { readonly path: string; readonly sha256: string }[];
}

describe('compliance exports through the Redis queue, on two instances', () => {
  it('when an export is started on one instance, then another follows it to the end, refuses a colleague, and serves the very packet the first wrote', async () => {
    const { url: first } = await startChild('needlechart-a');
    const logLines: string[] = [];
    const second = await startHere(logLines);
    try {
      const s = await complianceSignIn(first, OFFICER);
      expect(s.final.status).toBe(200);
      const id = await startExport(first, s);

      const colleague = await complianceSignIn(first, COLLEAGUE);
      expect(colleague.final.status).toBe(200);
      for (const res of [await events(second.appUrl, colleague, id), await download(second.appUrl, colleague, id)]) {
        expect(res.status).toBe(403);
        expect(JSON.stringify(await res.json())).toContain('started by someone else');
      }

      const end = await lastEvent(await events(second.appUrl, s, id));
      expect(end?.event).toBe('done');
      expect(end?.data).toMatchObject({ download: `/api/exports/${id}/download` });
      allVisits = Number(end?.data.visits);
      expect(allVisits).toBeGreaterThan(EXTRA_VISITS);

      const onDisk = readFileSync(join(exportDir, `job-${id}`, 'packet.zip'));
      expect(statSync(join(exportDir, `job-${id}`, 'packet.zip')).mode & 0o777).toBe(0o600);
      expect(statSync(join(exportDir, `job-${id}`)).mode & 0o777).toBe(0o700);
      const res = await download(second.appUrl, s, id);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(bytes.equals(onDisk)).toBe(true);
      const files = unzip(bytes);
      const manifestFile = JSON.parse((files.get('manifest.json') ?? Buffer.from('{}')).toString('utf8')) as Manifest;
      expect(manifestFile.visits).toBe(allVisits);
      expect([...files.keys()].sort()).toEqual([...manifestFile.files.map((f) => f.path), 'manifest.json'].sort());

      // Downloaded once: the packet is gone from the shared folder, and the first instance says so too.
      expect(await eventually(() => !readdirSync(exportDir).includes(`job-${id}`))).toBe(true);
      expect((await download(first, s, id)).status).toBe(410);
      expect([...logLines, ...childLogs].join('\n')).not.toMatch(/Queue Patient|Patient \d|Patient\/q-|Bearer|eyJ/);
    } finally {
      await second.close();
      for (const child of children) child.kill('SIGTERM');
    }
  }, 240_000);

  it('when Redis is read after an export, then its job record and the queue hold no patient, filter, staff identity or token in clear', async () => {
    const client = new Redis(redis.url);
    try {
      const keys = await client.keys('*');
      expect(keys.some((k) => k.startsWith('needlechart:export:'))).toBe(true);
      const dump: string[] = [...keys];
      for (const key of keys) {
        const type = await client.type(key);
        if (type === 'string') dump.push((await client.get(key)) ?? '');
        else if (type === 'hash') dump.push(...Object.entries(await client.hgetall(key)).flat());
        else if (type === 'zset') dump.push(...(await client.zrange(key, 0, -1)));
        else if (type === 'list') dump.push(...(await client.lrange(key, 0, -1)));
        else if (type === 'set') dump.push(...(await client.smembers(key)));
        else if (type === 'stream') dump.push(JSON.stringify(await client.xrange(key, '-', '+')));
      }
      expect(dump.join('\n')).not.toMatch(/staff-jordan-ellis|pt-rivera|Jordan|Patient\/|Queue|2000-01-01|Bearer/);
      // The only JOSE objects are the sealed records (compact JWE, five parts): no access token (a JWS) was stored.
      const jose = dump.flatMap((text) => text.match(/eyJ[\w.-]+/g) ?? []);
      expect(jose.length).toBeGreaterThan(0);
      for (const value of jose) expect(value.split('.')).toHaveLength(5);
    } finally {
      client.disconnect();
    }
  });

  it('when the instance running an export is killed mid-export, then another instance takes the job up, resumes from the visits already written and the packet downloads whole', async () => {
    const { url: first, child } = await startChild('needlechart-a');
    const s = await complianceSignIn(first, OFFICER);
    const id = await startExport(first, s);
    // Let the export get going on the first instance (nothing else runs jobs yet), then start the second.
    let seen: Event | undefined;
    const progress = eventsOf(await events(first, s, id));
    const logLines: string[] = [];
    let second: RunningNeedleChart | undefined;
    for await (const e of progress) {
      seen = e;
      if (e.event !== 'progress') break;
      second ??= await startHere(logLines);
      if (Number(e.data.done) >= 40) break;
    }
    try {
      if (!second) throw new Error('the export ended before the second instance started');
      expect(seen).toMatchObject({ event: 'progress', data: { phase: 'visits' } });
      const doneBeforeKill = Number(seen?.data.done);
      expect(doneBeforeKill).toBeGreaterThanOrEqual(40);
      expect(doneBeforeKill).toBeLessThan(EXTRA_VISITS);
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));

      const end = await lastEvent(await events(second.appUrl, s, id));
      expect(end?.event).toBe('done');
      expect(end?.data.visits).toBe(allVisits || end?.data.visits); // as the first test counted them, when it ran
      expect(Number(end?.data.visits)).toBeGreaterThan(EXTRA_VISITS);
      expect(Number(end?.data.reused)).toBeGreaterThanOrEqual(doneBeforeKill);
      const res = await download(second.appUrl, s, id);
      expect(res.status).toBe(200);
      const files = unzip(Buffer.from(await res.arrayBuffer()));
      const manifestFile = JSON.parse((files.get('manifest.json') ?? Buffer.from('{}')).toString('utf8')) as Manifest;
      expect(manifestFile.visits).toBe(end?.data.visits);
      expect([...files.keys()].filter((f) => f.endsWith('.pdf') && f.startsWith('visits/'))).toHaveLength(Number(end?.data.visits));
      expect([...files.keys()].some((f) => f.endsWith('.part'))).toBe(false);
      expect(logLines.join('\n')).toContain('"resumed":true');
    } finally {
      await second?.close();
    }
  }, 240_000);

  it('when the instance running an export shuts down, then the job goes back to the queue at once and another instance finishes it from where it stopped', async () => {
    const firstLog: string[] = [];
    const first = await startHere(firstLog);
    const s = await complianceSignIn(first.appUrl, OFFICER);
    expect(s.final.status).toBe(200);
    const id = await startExport(first.appUrl, s);
    let seen: Event | undefined;
    for await (const e of eventsOf(await events(first.appUrl, s, id))) {
      seen = e;
      if (e.event !== 'progress' || Number(e.data.done) >= 40) break;
    }
    expect(seen).toMatchObject({ event: 'progress', data: { phase: 'visits' } });
    const secondLog: string[] = [];
    const second = await startHere(secondLog);
    try {
      await first.close();
      expect(firstLog.join('\n')).not.toContain('export failed');
      const end = await lastEvent(await events(second.appUrl, s, id));
      expect(end?.event).toBe('done');
      expect(end?.data.visits).toBe(allVisits || end?.data.visits); // as the first test counted them, when it ran
      expect(Number(end?.data.visits)).toBeGreaterThan(EXTRA_VISITS);
      expect(Number(end?.data.reused)).toBeGreaterThanOrEqual(40);
      expect((await download(second.appUrl, s, id)).status).toBe(200);
    } finally {
      await second.close();
    }
  }, 240_000);
});
