import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { StoredFavouriteSet } from '../domain/favourite-sets.js';
import type { SchemaCheck } from '../domain/validate-session.js';
import type { Logger } from '../infra/logger.js';
import { loadClinicFavourites } from './clinic-favourites.js';
import type { FavouriteStore } from './favourite-store.js';
import { FileFavouriteStore } from './file-favourite-store.js';
import { RedisFavouriteStore } from './redis-favourite-store.js';

export interface OpenFavourites {
  readonly store: FavouriteStore;
  readonly clinic: readonly StoredFavouriteSet[];
  /** Closes the store (and deletes the per-start folder when one was made). */
  close(): Promise<void>;
}

/**
 * Favourite muscle sets as configured: the clinic's from NEEDLECHART_CLINIC_FAVOURITES (checked first:
 * a bad file stops start-up with every problem listed), each clinician's in Redis when
 * NEEDLECHART_REDIS_URL is set, else in NEEDLECHART_DATA_DIR, else in a private folder made for this
 * start (lost at restart: said once outside the sandbox).
 */
export async function openFavourites(config: Config, check: SchemaCheck, logger: Logger): Promise<OpenFavourites> {
  const clinic = await loadClinicFavourites(config.clinicFavouritesFile, check);
  if (config.redisUrl) {
    const store = new RedisFavouriteStore(config.redisUrl);
    return { store, clinic, close: () => store.close() };
  }
  const temporary = config.dataDir ? undefined : await mkdtemp(join(tmpdir(), 'needlechart-data-'));
  if (temporary && !config.sandbox) logger.warn('favourite sets: NEEDLECHART_DATA_DIR is not set, so clinicians\' favourite sets are kept in a temporary folder and lost at restart');
  const store = await FileFavouriteStore.open(config.dataDir ?? temporary ?? '');
  return {
    store,
    clinic,
    close: async () => {
      await store.close();
      if (temporary) await rm(temporary, { recursive: true, force: true });
    },
  };
}
