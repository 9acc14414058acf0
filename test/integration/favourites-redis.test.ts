import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.js';
import { silentLogger } from '../../src/infra/logger.js';
import { startNeedleChart, type RunningNeedleChart } from '../../src/runtime.js';
import { ehrLaunch } from '../support/launch.js';
import { startRedis } from '../support/redis.js';

let redis: Awaited<ReturnType<typeof startRedis>>;
let first: RunningNeedleChart;
let second: RunningNeedleChart;
const secret = Buffer.alloc(32, 7).toString('base64');

beforeAll(async () => {
  redis = await startRedis();
  first = await startNeedleChart(readConfig({ PORT: '0', NEEDLECHART_SANDBOX_PORT: '0', NEEDLECHART_REDIS_URL: redis.url, NEEDLECHART_SESSION_SECRET: secret }), { logger: silentLogger });
  // A second instance behind the same "load balancer": same Redis, same secret, same EHR.
  second = await startNeedleChart(
    readConfig({ PORT: '0', NEEDLECHART_SANDBOX: 'off', NEEDLECHART_FHIR_BASE_URL: first.sandbox?.fhirBaseUrl ?? '', NEEDLECHART_CLIENT_ID: 'needlechart-second', NEEDLECHART_REDIS_URL: redis.url, NEEDLECHART_SESSION_SECRET: secret }),
    { logger: silentLogger },
  );
}, 60_000);
afterAll(async () => {
  await second?.close();
  await first?.close();
  await redis?.stop();
});

const SET = { name: 'Low back', muscles: [{ muscle: 'quadratus-lumborum', side: 'left', depth: 'deep', technique: 'pistoning', needles: 2, retentionSeconds: 60 }] };

describe('favourite muscle sets in Redis', () => {
  it('when a clinician saves a set through one instance, then another instance sharing Redis lists it, and Redis holds it under the clinician with no patient in it', async () => {
    const s = await ehrLaunch(first.sandbox?.origin ?? '', { patient: 'p-li-wei', encounter: 'e-li-wei-6' });
    const headers = { cookie: s.cookie, 'x-launch-id': s.launchId, 'content-type': 'application/json' };
    const saved = await fetch(`${first.appUrl}/api/favourites`, { method: 'POST', headers, body: JSON.stringify(SET) });
    expect(saved.status).toBe(201);
    const { id } = (await saved.json()) as { id: string };
    const listed = (await (await fetch(`${second.appUrl}/api/favourites`, { headers })).json()) as { mine: { id: string; name: string }[] };
    expect(listed.mine).toEqual([{ id, ...SET }]);
    const client = new Redis(redis.url);
    try {
      const keys = await client.keys('needlechart:favourites:*');
      expect(keys).toEqual([`needlechart:favourites:${first.sandbox?.fhirBaseUrl ?? ''}|Practitioner/pt-rivera`]);
      const value = (await client.get(keys[0] ?? '')) ?? '';
      expect(JSON.parse(value)).toEqual([{ id, ...SET }]);
      expect(value).not.toMatch(/p-li-wei|e-li-wei/);
    } finally {
      client.disconnect();
    }
  });

  it('when two instances add sets at the same moment, then both are kept (no lost update)', async () => {
    const s = await ehrLaunch(first.sandbox?.origin ?? '', { patient: 'p-li-wei', encounter: 'e-li-wei-6', practitioner: 'Practitioner/pt-chen' });
    const headers = { cookie: s.cookie, 'x-launch-id': s.launchId, 'content-type': 'application/json' };
    const names = Array.from({ length: 8 }, (_, i) => `Set ${i}`);
    const answers = await Promise.all(names.map((name, i) => fetch(`${(i % 2 ? first : second).appUrl}/api/favourites`, { method: 'POST', headers, body: JSON.stringify({ ...SET, name }) })));
    expect(answers.map((r) => r.status)).toEqual(names.map(() => 201));
    const listed = (await (await fetch(`${first.appUrl}/api/favourites`, { headers })).json()) as { mine: { name: string }[] };
    expect(listed.mine.map((m) => m.name).sort()).toEqual(names);
  });
});
