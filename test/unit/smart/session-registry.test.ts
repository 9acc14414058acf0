import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionRegistry } from '../../../src/smart/session-registry.js';
import { MemorySessionStore } from '../../../src/smart/session-store.js';
import { StoreKeys } from '../../../src/smart/store-keys.js';

const secret = new Uint8Array(32).fill(3);

function registry(): { store: MemorySessionStore; keys: StoreKeys; sessions: SessionRegistry } {
  const store = new MemorySessionStore();
  const keys = new StoreKeys(secret);
  return { store, keys, sessions: new SessionRegistry(store, keys) };
}

describe('store keys', () => {
  it('when keys are derived, then none contains what it stands for, and each kind and each list of parts gets its own', () => {
    const keys = new StoreKeys(secret);
    const all = [keys.session('sid-123456'), keys.state('state-123456'), keys.launch('sid-123456', 'launch-123456'), keys.draft('sid-123456', 'Patient/p-maria-lopez', 'Encounter/e-1'), keys.cdsJti('https://ehr.example.org', 'jti-123456'), keys.rateLimitTag('sid-123456')];
    for (const key of all) expect(key).not.toMatch(/123456|maria|ehr\.example/);
    expect(new Set(all).size).toBe(all.length);
    expect(keys.launch('a', 'bc')).not.toBe(keys.launch('ab', 'c'));
    expect(keys.session('s')).toMatch(/^session:[A-Za-z0-9_-]{43}$/);
  });

  it('when two instances share the secret, then they derive the same keys; another secret gives others', () => {
    expect(new StoreKeys(secret).launch('s', 'l')).toBe(new StoreKeys(Uint8Array.from(secret)).launch('s', 'l'));
    expect(new StoreKeys(new Uint8Array(32).fill(4)).launch('s', 'l')).not.toBe(new StoreKeys(secret).launch('s', 'l'));
  });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('session registry', () => {
  it('when no launch completes in a session, then it ends after 10 minutes; a signed-in one lives 12 hours', async () => {
    vi.useFakeTimers();
    const { sessions, keys } = registry();
    const idle = await sessions.issue();
    const active = await sessions.issue();
    vi.advanceTimersByTime(5 * 60_000);
    await sessions.attach(active, keys.launch(active, 'l1'));
    vi.advanceTimersByTime(5 * 60_000 + 1);
    expect(await sessions.find(idle)).toBeUndefined();
    expect(await sessions.find(active)).toEqual({ sid: active, signedIn: true });
    vi.advanceTimersByTime(12 * 3600_000 - 5 * 60_000);
    expect(await sessions.find(active)).toBeUndefined();
  });

  it('when an id was issued, then it is found; an id never issued, or malformed, is not', async () => {
    const { sessions } = registry();
    const sid = await sessions.issue();
    expect(sid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await sessions.find(sid)).toEqual({ sid, signedIn: false });
    expect(await sessions.find('A'.repeat(43))).toBeUndefined();
    expect(await sessions.find('not an id')).toBeUndefined();
    expect(await sessions.find(undefined)).toBeUndefined();
  });

  it('when a launch is attached, then the session counts as signed in', async () => {
    const { sessions, keys } = registry();
    const sid = await sessions.issue();
    await sessions.attach(sid, keys.launch(sid, 'l1'));
    expect(await sessions.find(sid)).toEqual({ sid, signedIn: true });
  });

  it('when a session ends, then its launches, drafts and record are deleted and its id is no longer accepted', async () => {
    const { sessions, keys, store } = registry();
    const sid = await sessions.issue();
    const other = await sessions.issue();
    const launch = keys.launch(sid, 'l1');
    const draft = keys.draft(sid, 'Patient/p', 'Encounter/e');
    const otherLaunch = keys.launch(other, 'l2');
    for (const [owner, key] of [[sid, launch], [sid, draft], [other, otherLaunch]] as const) {
      await store.set(key, 'sealed', 60);
      await sessions.attach(owner, key);
    }
    await sessions.end(sid);
    expect(await store.get(launch)).toBeUndefined();
    expect(await store.get(draft)).toBeUndefined();
    expect(await sessions.find(sid)).toBeUndefined();
    expect(await store.get(otherLaunch)).toBe('sealed');
    expect(await sessions.find(other)).toEqual({ sid: other, signedIn: true });
  });

  it('when a key is attached to a session that has expired, then the session is not revived', async () => {
    const { sessions, keys } = registry();
    const sid = 'B'.repeat(43);
    await sessions.attach(sid, keys.launch(sid, 'l1'));
    expect(await sessions.find(sid)).toBeUndefined();
  });
});
