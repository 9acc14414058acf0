import type { StoredFavouriteSet } from '../domain/favourite-sets.js';

/**
 * Where each clinician's favourite muscle sets live: Redis when NEEDLECHART_REDIS_URL is set (every
 * instance sees the same sets), otherwise a private JSON file under NEEDLECHART_DATA_DIR (one instance).
 * `owner` names the clinician as the verified launch does (the EHR and the Practitioner), never a
 * request body. Sets hold no patient data.
 */
export interface FavouriteStore {
  /** The clinician's sets, in the order they were saved; none when they have saved none. */
  list(owner: string): Promise<StoredFavouriteSet[]>;
  /**
   * Replaces the clinician's sets with `change(current)` in one atomic step: when another request (or
   * instance) wrote in between, `change` runs again on what it wrote. An error thrown by `change`
   * (a rule refused) leaves the sets as they were.
   */
  update(owner: string, change: (sets: readonly StoredFavouriteSet[]) => StoredFavouriteSet[]): Promise<StoredFavouriteSet[]>;
  close(): Promise<void>;
}
