import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.js';
import { silentLogger } from '../../src/infra/logger.js';
import { startNeedleChart, type RunningNeedleChart } from '../../src/runtime.js';
import { RedisSessionStore } from '../../src/smart/session-store.js';
import { ehrLaunch } from '../support/launch.js';
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
});
