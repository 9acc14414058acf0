import { Redis } from 'ioredis';

/** Redis named by NEEDLECHART_REDIS_URL did not answer at start-up: one line saying where and what to change. */
export class RedisUnreachableError extends Error {
  constructor(
    readonly where: string,
    readonly reason: string,
    readonly seconds: number,
  ) {
    super(`Redis at ${where} (NEEDLECHART_REDIS_URL) did not answer within ${seconds} s: ${reason}. Start Redis there, or correct NEEDLECHART_REDIS_URL (unset it to keep sessions and exports in this process).`);
    this.name = 'RedisUnreachableError';
  }
}

/** host:port of a Redis URL, never its password. */
function whereOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '6379'}`;
  } catch {
    return 'the configured address';
  }
}

/**
 * Waits until the Redis at `url` answers PING, for at most `timeoutMs`. Without this, a wrong or down
 * Redis left start-up waiting forever (the export queue's connection retries without end), or let the
 * app serve requests that all fail. One connection, no retries, closed either way.
 */
export async function redisReady(url: string, timeoutMs = 10_000): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null, connectTimeout: timeoutMs });
  let lastError = 'no answer';
  client.on('error', (error: Error) => {
    lastError = error.message;
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisUnreachableError(whereOf(url), lastError, Math.round(timeoutMs / 1000))), timeoutMs);
  });
  try {
    await Promise.race([client.connect().then(() => client.ping()), timeout]);
  } catch (error) {
    if (error instanceof RedisUnreachableError) throw error;
    throw new RedisUnreachableError(whereOf(url), error instanceof Error ? error.message : lastError, Math.round(timeoutMs / 1000));
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}
