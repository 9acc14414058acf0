import { Redis } from 'ioredis';
import type { StoredFavouriteSet } from '../domain/favourite-sets.js';
import { conflict } from '../outcome/operation-outcome-error.js';
import type { FavouriteStore } from './favourite-store.js';

/** Writes ARGV[2] only when the key still holds ARGV[1] ('' for absent; an empty list deletes it): one atomic step. */
const COMPARE_AND_SET = `local now = redis.call('GET', KEYS[1]) or ''
if now ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2]) end
return 1`;

/** How often a change is tried again when other writes keep landing in between. */
const ATTEMPTS = 10;

/**
 * Favourite sets in Redis, one key per clinician (`needlechart:favourites:<owner>`, no expiry), so
 * every instance behind a load balancer lists the same sets. A change is a compare-and-set: read,
 * apply the rules, write only if nobody wrote in between, else try again on what they wrote.
 */
export class RedisFavouriteStore implements FavouriteStore {
  private readonly redis: Redis;

  constructor(url: string, private readonly prefix = 'needlechart:favourites:') {
    this.redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true });
  }

  private parse(text: string | null): StoredFavouriteSet[] {
    return text ? (JSON.parse(text) as StoredFavouriteSet[]) : [];
  }

  async list(owner: string): Promise<StoredFavouriteSet[]> {
    return this.parse(await this.redis.get(this.prefix + owner));
  }

  async update(owner: string, change: (sets: readonly StoredFavouriteSet[]) => StoredFavouriteSet[]): Promise<StoredFavouriteSet[]> {
    const key = this.prefix + owner;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const before = (await this.redis.get(key)) ?? '';
      const sets = change(this.parse(before || null));
      const after = sets.length ? JSON.stringify(sets) : '';
      if ((await this.redis.eval(COMPARE_AND_SET, 1, key, before, after)) === 1) return sets;
    }
    throw conflict('Your favourite sets were being changed on another screen at the same moment: try again.');
  }

  async close(): Promise<void> {
    await this.redis.quit();
  }
}
