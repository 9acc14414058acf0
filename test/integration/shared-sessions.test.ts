import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.js';
import { silentLogger } from '../../src/infra/logger.js';
import { startNeedleChart, type RunningNeedleChart } from '../../src/runtime.js';
import { RedisSessionStore } from '../../src/smart/session-store.js';
import { CookieJar, ehrLaunch, follow } from '../support/launch.js';
import { startRedis } from '../support/redis.js';

let redis: Awaited<ReturnType<typeof startRedis>>;
let first: RunningNeedleChart;
let second: RunningNeedleChart;
const secret = Buffer.alloc(32, 9).toString('base64');

beforeAll(async () => {
  redis = await startRedis();
  first = await startNeedleChart(readConfig({ PORT: '0', NEEDLECHART_SANDBOX_PORT: '0', NEEDLECHART_REDIS_URL: redis.url, NEEDLECHART_SESSION_SECRET: secret }), { logger: silentLogger });
  // A second instance of the app behind the same "load balancer": same store, same secret, same EHR.
  const sandboxBase = first.sandbox?.fhirBaseUrl ?? '';
  second = await startNeedleChart(
    readConfig({ PORT: '0', NEEDLECHART_SANDBOX: 'off', NEEDLECHART_FHIR_BASE_URL: sandboxBase, NEEDLECHART_CLIENT_ID: 'needlechart-second', NEEDLECHART_REDIS_URL: redis.url, NEEDLECHART_SESSION_SECRET: secret }),
    { logger: silentLogger },
  );
}, 60_000);
afterAll(async () => {
  await second?.close();
  await first?.close();
  await redis?.stop();
});

describe('launch sessions in Redis', () => {
  it('when a launch completes on one instance, then another instance sharing the Redis store serves its API calls', async () => {
    const s = await ehrLaunch(first.sandbox?.origin ?? '', { patient: 'p-li-wei', encounter: 'e-li-wei-6' });
    const res = await fetch(`${second.appUrl}/api/context`, { headers: { cookie: s.cookie, 'x-launch-id': s.launchId } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { patient: { name: string } }).patient.name).toBe('Li Wei');
  });

  it('when tokens are stored, then Redis holds them encrypted: no token or patient id in clear', async () => {
    await ehrLaunch(first.sandbox?.origin ?? '', { patient: 'p-maria-lopez', encounter: 'e-maria-lopez-4' });
    const client = new Redis(redis.url);
    try {
      const keys = await client.keys('needlechart:launch:*');
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) {
        const value = (await client.get(key)) ?? '';
        expect(value.split('.')).toHaveLength(5); // compact JWE
        expect(value).not.toMatch(/eyJhbGciOiJSUzI1Ni|p-maria-lopez|access/);
      }
    } finally {
      client.disconnect();
    }
  });

  it('when a launch has completed, its draft is kept and another launch awaits its callback, then no Redis key or value holds the cookie, the launch id, the state or the patient in clear', async () => {
    const jar = new CookieJar();
    const s = await ehrLaunch(first.sandbox?.origin ?? '', { patient: 'p-james-carter', encounter: 'e-james-carter-3' }, jar);
    const draft = await fetch(`${first.appUrl}/api/draft`, { method: 'PUT', headers: { cookie: s.cookie, 'x-launch-id': s.launchId, 'content-type': 'application/json' }, body: JSON.stringify({ session: { date: '2025-01-01' }, savedAt: Date.now() }) });
    expect(draft.status).toBe(204);
    const launch = first.sandbox?.auth?.createLaunch({ patient: 'p-james-carter', encounter: 'e-james-carter-3', fhirUser: 'Practitioner/pt-rivera', needPatientBanner: false });
    const pending = await follow(new Request(`${first.appUrl}/launch?iss=${encodeURIComponent(first.sandbox?.fhirBaseUrl ?? '')}&launch=${launch}`), jar, [], 1);
    const state = new URL(pending.headers.get('location') ?? '').searchParams.get('state') ?? '';
    const cookieValue = s.cookie.split('=')[1] ?? '';
    const secrets = [cookieValue, s.launchId, state, 'p-james-carter', 'e-james-carter-3'];
    expect(secrets.every((v) => v.length >= 8)).toBe(true);
    const client = new Redis(redis.url);
    try {
      const keys = await client.keys('*');
      expect(keys.length).toBeGreaterThanOrEqual(4);
      const stored: string[] = [];
      for (const key of keys) {
        const type = await client.type(key);
        if (type === 'string') stored.push((await client.get(key)) ?? '');
        else if (type === 'set') stored.push(...(await client.smembers(key)));
        else throw new Error(`unexpected ${type} at a store key`);
      }
      for (const text of [...keys, ...stored]) for (const secret of secrets) expect(text).not.toContain(secret);
    } finally {
      client.disconnect();
    }
  });

  it('when one JWT is sent to a CDS service 8 times at once, then exactly one call is accepted (jti kept atomically in Redis)', async () => {
    const sandbox = first.sandbox;
    if (!sandbox?.cds) throw new Error('no sandbox CDS client');
    const url = `${first.appUrl}/cds-services/needlechart-patient-view`;
    const token = await sandbox.cds.sign(sandbox.origin, url);
    const prefetch = await sandbox.cds.prefetch(sandbox.engine, 'needlechart-patient-view', { patientId: 'p-li-wei' });
    const body = JSON.stringify({ hook: 'patient-view', hookInstance: randomUUID(), context: { patientId: 'p-li-wei' }, prefetch });
    const statuses = await Promise.all(Array.from({ length: 8 }, () => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body }).then((r) => r.status)));
    expect(statuses.filter((st) => st === 200)).toHaveLength(1);
    expect(statuses.filter((st) => st === 401)).toHaveLength(7);
  });

  it('when a browser signs out on another instance, then its launches, drafts and session record are deleted from Redis', async () => {
    const client = new Redis(redis.url);
    try {
      const before = new Set(await client.keys('*'));
      const s = await ehrLaunch(first.sandbox?.origin ?? '', { patient: 'p-li-wei', encounter: 'e-li-wei-6' });
      const put = await fetch(`${first.appUrl}/api/draft`, { method: 'PUT', headers: { cookie: s.cookie, 'x-launch-id': s.launchId, 'content-type': 'application/json' }, body: JSON.stringify({ session: { date: '2025-01-01' }, savedAt: Date.now() }) });
      expect(put.status).toBe(204);
      const added = (await client.keys('*')).filter((k) => !before.has(k));
      expect(added.length).toBeGreaterThanOrEqual(3); // session record, launch, draft
      const out = await fetch(`${second.appUrl}/api/sign-out`, { method: 'POST', headers: { cookie: s.cookie, 'x-launch-id': s.launchId } });
      expect(out.status).toBe(204);
      expect(await client.exists(...added)).toBe(0);
      expect((await fetch(`${first.appUrl}/api/context`, { headers: { cookie: s.cookie, 'x-launch-id': s.launchId } })).status).toBe(401);
    } finally {
      client.disconnect();
    }
  });

  it('when a state is taken, then a second take finds nothing (single use across instances)', async () => {
    const store = new RedisSessionStore(redis.url, 'test:');
    try {
      await store.set('state:abc', 'value', 60);
      expect(await store.take('state:abc')).toBe('value');
      expect(await store.take('state:abc')).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('when 8 callers set one key if absent at once, then exactly one succeeds, and the key expires in milliseconds as asked', async () => {
    const store = new RedisSessionStore(redis.url, 'test:');
    const client = new Redis(redis.url);
    try {
      const results = await Promise.all(Array.from({ length: 8 }, (_v, i) => store.setIfAbsent('jti:x', String(i), 30)));
      expect(results.filter(Boolean)).toHaveLength(1);
      const ttl = await client.pttl('test:jti:x');
      expect(ttl).toBeGreaterThan(29_000);
      expect(ttl).toBeLessThanOrEqual(30_000);
    } finally {
      client.disconnect();
      await store.close();
    }
  });

  it('when members are added to a set, then its expiry is extended to the longest asked, never shortened', async () => {
    const store = new RedisSessionStore(redis.url, 'test:');
    const client = new Redis(redis.url);
    try {
      await store.addToSet('set:a', 'issued', 600);
      expect(await client.pttl('test:set:a')).toBeGreaterThan(599_000);
      await store.addToSet('set:a', 'launch:1', 43_200);
      await store.addToSet('set:a', 'draft:1', 60);
      expect(await client.pttl('test:set:a')).toBeGreaterThan(43_199_000);
      expect((await store.members('set:a')).sort()).toEqual(['draft:1', 'issued', 'launch:1']);
      await store.delete('set:a');
      expect(await store.members('set:a')).toEqual([]);
    } finally {
      client.disconnect();
      await store.close();
    }
  });
});
