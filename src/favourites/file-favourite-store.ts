import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StoredFavouriteSet } from '../domain/favourite-sets.js';
import type { FavouriteStore } from './favourite-store.js';

/** The file's name under the data folder. */
export const FAVOURITES_FILE = 'favourite-sets.json';

interface FileShape {
  readonly version: 1;
  readonly owners: Record<string, StoredFavouriteSet[]>;
}

/**
 * Favourite sets in one JSON file under a private folder (0700, the file 0600), for a single
 * instance without Redis. Every change is written to a temporary file in the same folder and renamed
 * over the old one, so a crash leaves the old file or the new one, never half of one. Changes are made
 * one at a time in this process; two processes must not share the folder (use Redis for that).
 */
export class FileFavouriteStore implements FavouriteStore {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly path: string,
    private owners: Record<string, StoredFavouriteSet[]>,
  ) {}

  /** Makes the folder private (creating it when missing) and reads the file, if any; an unreadable file stops start-up. */
  static async open(dir: string): Promise<FileFavouriteStore> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    if (((await stat(dir)).mode & 0o077) !== 0) await chmod(dir, 0o700);
    const path = join(dir, FAVOURITES_FILE);
    let text: string | undefined;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (text === undefined) return new FileFavouriteStore(path, {});
    const parsed = JSON.parse(text) as Partial<FileShape>;
    if (parsed.version !== 1 || !parsed.owners || typeof parsed.owners !== 'object') throw new Error(`${path} is not a NeedleChart favourite-sets file (version 1)`);
    return new FileFavouriteStore(path, parsed.owners);
  }

  async list(owner: string): Promise<StoredFavouriteSet[]> {
    return structuredClone(this.owners[owner] ?? []);
  }

  update(owner: string, change: (sets: readonly StoredFavouriteSet[]) => StoredFavouriteSet[]): Promise<StoredFavouriteSet[]> {
    const next = this.queue.then(async () => {
      const sets = change(structuredClone(this.owners[owner] ?? []));
      const owners = { ...this.owners };
      if (sets.length) owners[owner] = sets;
      else delete owners[owner];
      await this.write({ version: 1, owners });
      this.owners = owners;
      return structuredClone(sets);
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async write(content: FileShape): Promise<void> {
    const temporary = `${this.path}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temporary, JSON.stringify(content), { mode: 0o600, flag: 'wx' });
      await rename(temporary, this.path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.queue;
  }
}
