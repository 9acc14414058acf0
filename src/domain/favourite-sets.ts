/**
 * Favourite muscle sets (issue 16, item 3): a named list of muscles a clinician needles again and
 * again, added to a visit in one click. A set keeps only what repeats from visit to visit, as
 * copy-forward does (src/web/copy-forward.ts): the muscle, its side, depth, technique, needles and
 * retention. Today's facts (palpation findings, the twitch, the precaution taken, notes) never go into
 * a set and never come out of one. Pure rules: the store and the routes are in src/favourites/ and src/http/.
 */
import { businessRule, forbidden, notFound } from '../outcome/operation-outcome-error.js';
import type { ValidationIssue } from '../outcome/validation-issue.js';
import type { FavouriteMuscle, FavouriteSet, NeedledMuscle } from './types.generated.js';

/** At most this many sets per clinician (the clinic's own are not counted). */
export const MAX_SETS_PER_CLINICIAN = 20;

/** A set as stored and listed: its id, and whose it is on the page (the clinic's are read-only). */
export interface StoredFavouriteSet extends FavouriteSet {
  readonly id: string;
}

/** What GET /api/favourites answers: the clinic's sets first, then the clinician's own, oldest first. */
export interface FavouriteLists {
  readonly clinic: readonly StoredFavouriteSet[];
  readonly mine: readonly StoredFavouriteSet[];
}

/** The prefix of a clinic set's id: such a set comes from configuration and cannot be renamed or deleted. */
export const CLINIC_SET_PREFIX = 'clinic-';

/** Names compare without case and surrounding or repeated spaces: "Neck  and Shoulder" is "neck and shoulder". */
export function sameName(a: string, b: string): boolean {
  const fold = (s: string): string => s.trim().replace(/\s+/g, ' ').toLocaleLowerCase('en-US');
  return fold(a) === fold(b);
}

/** The repeating part of each needled muscle, in the table's order (one entry per muscle and side, duplicates dropped). */
export function favouriteMusclesOf(muscles: readonly NeedledMuscle[]): FavouriteMuscle[] {
  const seen = new Set<string>();
  const kept: FavouriteMuscle[] = [];
  for (const m of muscles) {
    const key = `${m.muscle}|${m.side}`;
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push({ muscle: m.muscle, side: m.side, depth: m.depth, technique: m.technique, needles: m.needles, retentionSeconds: m.retentionSeconds });
  }
  return kept;
}

/** A muscle on the same side listed twice in a set: one issue per repeat, naming it. */
export function repeatedMuscles(set: FavouriteSet): ValidationIssue[] {
  const first = new Map<string, number>();
  return set.muscles.flatMap((m, i) => {
    const key = `${m.muscle}|${m.side}`;
    const earlier = first.get(key);
    if (earlier === undefined) {
      first.set(key, i);
      return [];
    }
    return [{ path: `muscles[${i}]`, message: `muscles[${i}] repeats muscles[${earlier}]: the same muscle on the same side is listed once` }];
  });
}

/** A set's muscle as a row of today's visit: its repeating part, with today's twitch still to record. */
export function needledFromFavourite(m: FavouriteMuscle): NeedledMuscle {
  return { muscle: m.muscle, side: m.side, depth: m.depth, technique: m.technique, needles: m.needles, retentionSeconds: m.retentionSeconds, twitch: { elicited: false } };
}

/** `sets` with `set` added under `id`: refused past the limit or when the clinician already has a set of that name. */
export function withSetAdded(sets: readonly StoredFavouriteSet[], set: FavouriteSet, id: string): StoredFavouriteSet[] {
  if (sets.length >= MAX_SETS_PER_CLINICIAN) throw businessRule(`You have ${MAX_SETS_PER_CLINICIAN} favourite sets, the most NeedleChart keeps for one clinician: delete one you no longer use first.`, 'name');
  if (sets.some((s) => sameName(s.name, set.name))) throw businessRule(`You already have a favourite set named “${set.name.trim()}”: choose another name.`, 'name');
  return [...sets, { id, name: set.name.trim(), muscles: set.muscles.map((m) => ({ ...m })) }];
}

function indexOf(sets: readonly StoredFavouriteSet[], id: string): number {
  if (id.startsWith(CLINIC_SET_PREFIX)) throw forbidden('This set is your clinic’s: it comes from the clinic’s settings and only an administrator can change it.');
  const i = sets.findIndex((s) => s.id === id);
  if (i < 0) throw notFound('You have no favourite set with this id: it may have been deleted on another screen. Reload the page.');
  return i;
}

/** `sets` with set `id` renamed; refused when another of the clinician's sets has that name. */
export function withSetRenamed(sets: readonly StoredFavouriteSet[], id: string, name: string): StoredFavouriteSet[] {
  const i = indexOf(sets, id);
  if (sets.some((s, j) => j !== i && sameName(s.name, name))) throw businessRule(`You already have a favourite set named “${name.trim()}”: choose another name.`, 'name');
  return sets.map((s, j) => (j === i ? { ...s, name: name.trim() } : s));
}

/** `sets` without set `id`. */
export function withSetRemoved(sets: readonly StoredFavouriteSet[], id: string): StoredFavouriteSet[] {
  const i = indexOf(sets, id);
  return sets.filter((_, j) => j !== i);
}
