import { Redis } from 'ioredis';

/**
 * Where launch state and launch sessions live: in memory for one instance, Redis when several
 * instances run behind a load balancer. Values are strings (already encrypted where they hold tokens);
 * keys are HMACs of the secrets they stand for (see StoreKeys), never the secrets themselves.
 */
export interface SessionStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /**
   * Stores `value` only when `key` holds nothing, in one atomic step (Redis `SET NX PX`): true when
   * this call stored it. Several instances racing on one key: exactly one gets true (CDS `jti`).
   */
  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  /** Reads and deletes in one step: single-use values (OAuth `state`) can be taken once only. */
  take(key: string): Promise<string | undefined>;
  /**
   * Adds `member` to the set at `key` in one atomic step, and makes the set live at least `ttlSeconds`
   * from now (an expiry already later is kept). A browser session's record lists its launches and drafts.
   */
  addToSet(key: string, member: string, ttlSeconds: number): Promise<void>;
  /** The members of the set at `key`; none when it is absent or expired. */
  members(key: string): Promise<string[]>;
  /** Deletes a value or a set. */
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}

interface Entry {
  value?: string;
  members?: Set<string>;
  expires: number;
}

export class MemorySessionStore implements SessionStore {
  private readonly entries = new Map<string, Entry>();

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expires < Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private put(key: string, entry: Entry): void {
    this.entries.set(key, entry);
    if (this.entries.size % 1000 === 0) this.sweep();
  }

  async get(key: string): Promise<string | undefined> {
    return this.live(key)?.value;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.put(key, { value, expires: Date.now() + ttlSeconds * 1000 });
  }

  // No await between the check and the write: one turn of the event loop, so atomic in this process.
  async setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    if (this.live(key)) return false;
    this.put(key, { value, expires: Date.now() + ttlSeconds * 1000 });
    return true;
  }

  async take(key: string): Promise<string | undefined> {
    const value = this.live(key)?.value;
    this.entries.delete(key);
    return value;
  }

  async addToSet(key: string, member: string, ttlSeconds: number): Promise<void> {
    const expires = Date.now() + ttlSeconds * 1000;
    const entry = this.live(key);
    if (entry?.members) {
      entry.members.add(member);
      entry.expires = Math.max(entry.expires, expires);
    } else this.put(key, { members: new Set([member]), expires });
  }

  async members(key: string): Promise<string[]> {
    return [...(this.live(key)?.members ?? [])];
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async close(): Promise<void> {
    this.entries.clear();
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) if (entry.expires < now) this.entries.delete(key);
  }
}

/** SADD, then an expiry of ARGV[2] ms unless the set's is later (PTTL -1: just created, none yet): one atomic script. */
const ADD_TO_SET = `local added = redis.call('SADD', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return added`;

export class RedisSessionStore implements SessionStore {
  private readonly redis: Redis;

  constructor(url: string, private readonly prefix = 'needlechart:') {
    this.redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true });
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.redis.get(this.prefix + key)) ?? undefined;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.redis.set(this.prefix + key, value, 'EX', Math.max(1, Math.ceil(ttlSeconds)));
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    return (await this.redis.set(this.prefix + key, value, 'PX', Math.max(1, Math.ceil(ttlSeconds * 1000)), 'NX')) === 'OK';
  }

  async take(key: string): Promise<string | undefined> {
    return (await this.redis.getdel(this.prefix + key)) ?? undefined;
  }

  async addToSet(key: string, member: string, ttlSeconds: number): Promise<void> {
    await this.redis.eval(ADD_TO_SET, 1, this.prefix + key, member, Math.max(1, Math.ceil(ttlSeconds * 1000)));
  }

  async members(key: string): Promise<string[]> {
    return this.redis.smembers(this.prefix + key);
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }

  async close(): Promise<void> {
    await this.redis.quit();
  }
}
