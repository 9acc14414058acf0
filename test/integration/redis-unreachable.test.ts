import { describe, expect, it } from 'vitest';
import { RedisUnreachableError, redisReady } from '../../src/infra/redis-ready.js';
import { freePort, startRedis } from '../support/redis.js';
import { startTestNeedleChart } from '../support/sandbox.js';

describe('start-up with NEEDLECHART_REDIS_URL', () => {
  it('when nothing answers at the configured Redis, then start-up stops within seconds with one line naming the address and the variable, never the password', async () => {
    const port = await freePort();
    const started = performance.now();
    const failure = await startTestNeedleChart({ env: { NEEDLECHART_REDIS_URL: `redis://:s3cret-word@127.0.0.1:${port}` } }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(RedisUnreachableError);
    const message = (failure as Error).message;
    expect(message).toContain(`127.0.0.1:${port}`);
    expect(message).toContain('NEEDLECHART_REDIS_URL');
    expect(message).not.toContain('s3cret-word');
    expect(performance.now() - started).toBeLessThan(15_000);
  }, 30_000);

  it('when the Redis answers, then the check passes; when it stops answering within the time allowed, then it says so', async () => {
    const redis = await startRedis();
    try {
      await expect(redisReady(redis.url, 5000)).resolves.toBeUndefined();
    } finally {
      await redis.stop();
    }
    await expect(redisReady(redis.url, 2000)).rejects.toThrow(/did not answer within 2 s/);
  }, 30_000);
});
