import { readFile } from 'node:fs/promises';
import { ConfigError } from '../config.js';
import { CLINIC_SET_PREFIX, sameName, type StoredFavouriteSet } from '../domain/favourite-sets.js';
import type { FavouriteSetsFile } from '../domain/types.generated.js';
import type { SchemaCheck } from '../domain/validate-session.js';

/** The schema of favourite-set files and of each set sent to the API. */
export const FAVOURITES_SCHEMA_ID = 'https://needlechart.dev/schemas/favourites.schema.json';
export const FAVOURITE_SET_SCHEMA_ID = `${FAVOURITES_SCHEMA_ID}#/definitions/favouriteSet`;
export const SET_RENAME_SCHEMA_ID = `${FAVOURITES_SCHEMA_ID}#/definitions/setRename`;

/**
 * The clinic's favourite sets, from the JSON file NEEDLECHART_CLINIC_FAVOURITES names (profiles/
 * favourites.schema.json: `{"sets": [{"name", "muscles": [{muscle, side, depth, technique, needles,
 * retentionSeconds}]}]}`), checked once at start-up against the schema and the muscle catalog; every
 * problem is listed (ConfigError), as with the rest of the configuration. Each set's id is
 * `clinic-<n>`, its place in the file; the page shows them before the clinician's own, read-only.
 */
export async function loadClinicFavourites(path: string | undefined, check: SchemaCheck): Promise<StoredFavouriteSet[]> {
  if (!path) return [];
  const name = `NEEDLECHART_CLINIC_FAVOURITES (${path})`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8')) as unknown;
  } catch (error) {
    throw new ConfigError([`${name} ${error instanceof SyntaxError ? `is not valid JSON (${error.message})` : `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`}`]);
  }
  const problems = check(FAVOURITES_SCHEMA_ID, parsed).map((issue) => `${name}: ${issue.message}`);
  if (problems.length) throw new ConfigError(problems);
  const sets = (parsed as FavouriteSetsFile).sets;
  sets.forEach((set, i) => {
    const first = sets.findIndex((other) => sameName(other.name, set.name));
    if (first < i) problems.push(`${name}: sets[${i}].name '${set.name}' repeats sets[${first}].name`);
  });
  if (problems.length) throw new ConfigError(problems);
  return sets.map((set, i) => ({ id: `${CLINIC_SET_PREFIX}${i + 1}`, name: set.name.trim(), muscles: set.muscles }));
}
