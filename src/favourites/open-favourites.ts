import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../infra/logger.js';
import type { FavouriteStore } from './favourite-store.js';
import { FileFavouriteStore } from './file-favourite-store.js';
import { RedisFavouriteStore } from './redis-favourite-store.js';

export interface OpenFavourites {
  readonly store: FavouriteStore;
  /** Closes the store (and deletes the per-start folder when one was made). */
  close(): Promise<void>;
}

/**
 * Where each clinician's favourite muscle sets are kept, as configured: in Redis when
 * NEEDLECHART_REDIS_URL is set, else in NEEDLECHART_DATA_DIR, else in a private folder made for this
 * start (lost at restart: said once outside the sandbox). The clinic's own sets are read at start-up by
 * loadClinicFavourites (clinic-favourites.ts).
 */
export async function openFavouriteStore(config: Config, logger: Logger): Promise<OpenFavourites> {
  if (config.redisUrl) {
    const store = new RedisFavouriteStore(config.redisUrl);
    return { store, close: () => store.close() };
  }
  const temporary = config.dataDir ? undefined : await mkdtemp(join(tmpdir(), 'needlechart-data-'));
  if (temporary && !config.sandbox) logger.warn('favourite sets: NEEDLECHART_DATA_DIR is not set, so clinicians\' favourite sets are kept in a temporary folder and lost at restart');
  const store = await FileFavouriteStore.open(config.dataDir ?? temporary ?? '');
  return {
    store,
    close: async () => {
      await store.close();
      if (temporary) await rm(temporary, { recursive: true, force: true });
    },
  };
}
