import { describe, expect, it } from 'vitest';
import { readAhead } from '../../../src/export/packet-files.js';

/** A source that records when each item is requested, relative to what the consumer has seen. */
function trackedSource(count: number, failAt?: number) {
  const log: string[] = [];
  let closed = false;
  async function* source(): AsyncGenerator<number> {
    try {
      for (let i = 0; i < count; i++) {
        log.push(`fetch ${i}`);
        await new Promise((r) => setTimeout(r, 1));
        if (i === failAt) throw new Error(`page ${i} failed`);
        yield i;
      }
    } finally {
      closed = true;
    }
  }
  return { log, source: source(), isClosed: () => closed };
}

describe('readAhead', () => {
  it('yields every item in order and starts fetching the next one before the current one is processed', async () => {
    const { log, source } = trackedSource(3);
    const seen: number[] = [];
    for await (const item of readAhead(source)) {
      log.push(`process ${item}`);
      seen.push(item);
    }
    expect(seen).toEqual([0, 1, 2]);
    // Item 1 is already being fetched when item 0 is processed.
    expect(log.indexOf('fetch 1')).toBeLessThan(log.indexOf('process 0'));
    expect(log.indexOf('fetch 2')).toBeLessThan(log.indexOf('process 1'));
  });

  it('surfaces a failed prefetch where that item would have come, after the earlier items', async () => {
    const { source } = trackedSource(5, 2);
    const seen: number[] = [];
    await expect(async () => {
      for await (const item of readAhead(source)) seen.push(item);
    }).rejects.toThrow('page 2 failed');
    expect(seen).toEqual([0, 1]);
  });

  it('closes the source when the consumer stops early', async () => {
    const { source, isClosed } = trackedSource(10);
    for await (const item of readAhead(source)) {
      if (item === 1) break;
    }
    expect(isClosed()).toBe(true);
  });

  it('does not leave an unhandled rejection when the consumer fails while a prefetch fails too', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { source } = trackedSource(5, 1);
      await expect(async () => {
        for await (const item of readAhead(source)) {
          await new Promise((r) => setTimeout(r, 5));
          if (item === 0) throw new Error('render failed');
        }
      }).rejects.toThrow('render failed');
      await new Promise((r) => setTimeout(r, 10));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
