import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemorySessionStore } from '../../../src/smart/session-store.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('memory session store', () => {
  it('when a key is set if absent twice, then only the first call stores it, until it expires', async () => {
    vi.useFakeTimers();
    const store = new MemorySessionStore();
    expect(await store.setIfAbsent('k', 'first', 10)).toBe(true);
    expect(await store.setIfAbsent('k', 'second', 10)).toBe(false);
    expect(await store.get('k')).toBe('first');
    vi.advanceTimersByTime(10_001);
    expect(await store.setIfAbsent('k', 'third', 10)).toBe(true);
    expect(await store.get('k')).toBe('third');
  });

  it('when 8 callers set one key if absent at once, then exactly one succeeds', async () => {
    const store = new MemorySessionStore();
    const results = await Promise.all(Array.from({ length: 8 }, (_v, i) => store.setIfAbsent('jti', String(i), 60)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('when members are added to a set, then each addition makes it live at least its time from now, never shorter', async () => {
    vi.useFakeTimers();
    const store = new MemorySessionStore();
    await store.addToSet('s', 'a', 10);
    vi.advanceTimersByTime(6_000);
    await store.addToSet('s', 'b', 10);
    await store.addToSet('s', 'c', 1);
    vi.advanceTimersByTime(9_000);
    expect((await store.members('s')).sort()).toEqual(['a', 'b', 'c']);
    vi.advanceTimersByTime(1_001);
    expect(await store.members('s')).toEqual([]);
  });

  it('when a set is deleted, then it has no members and its key reads as nothing', async () => {
    const store = new MemorySessionStore();
    await store.addToSet('s', 'a', 10);
    expect(await store.get('s')).toBeUndefined();
    await store.delete('s');
    expect(await store.members('s')).toEqual([]);
  });
});
