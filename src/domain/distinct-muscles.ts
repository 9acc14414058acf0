import { describeMuscle, namedMuscleChoices } from './muscle-names.js';
import type { Profiles } from './profiles.js';
import type { NeedledMuscle, Side } from './types.generated.js';

/** One muscle as the codes count it: a muscle on one side (or either side when sides are not counted apart). */
export interface DistinctMuscle {
  readonly muscle: string;
  readonly side: Side;
  readonly label: string;
  /** Indexes into session.muscles of every entry merged into this one. */
  readonly entries: readonly number[];
}

/** A charted region entry: where the needling was, not a muscle that counts. */
export interface RegionEntry {
  readonly index: number;
  readonly label: string;
  /** "thoracic multifidus, longissimus thoracis or iliocostalis thoracis": the named muscles it stands for. */
  readonly choices: string;
}

export interface MuscleCount {
  readonly distinct: readonly DistinctMuscle[];
  /** Entries of the same muscle on the same side entered more than once: merged, with a warning. */
  readonly duplicates: readonly DistinctMuscle[];
  /**
   * Entries whose catalog id names a region or group ("thoracic paraspinals"): charted to say where,
   * never counted, with the named muscles to chart instead (`choices`, plain words).
   */
  readonly groups: readonly RegionEntry[];
}

/**
 * Counts distinct muscles for 20560/20561. The unit is the distinct muscle, not needles or trigger
 * points (rule sources `distinctMuscles`: nethealth-2025, cpt-2020); a region entry never counts,
 * only named muscles do (rule sources `regionWord`); left and right count as two when
 * the payer's `bilateralCountsAsTwo` rule says so (aapc-tpi-muscles, by analogy: advice per payer).
 * An unpaired muscle counts once whatever side was entered.
 */
export function countDistinctMuscles(muscles: readonly NeedledMuscle[], profiles: Profiles, bilateralCountsAsTwo: boolean): MuscleCount {
  const byKey = new Map<string, { muscle: string; side: Side; entries: number[] }>();
  const groups: RegionEntry[] = [];
  muscles.forEach((entry, index) => {
    const catalog = profiles.muscles.get(entry.muscle);
    if (catalog?.group) {
      groups.push({ index, label: describeMuscle(profiles, entry.muscle, entry.side), choices: namedMuscleChoices(profiles, entry.muscle) });
      return;
    }
    const sided = bilateralCountsAsTwo && catalog?.paired !== false;
    const key = sided ? `${entry.muscle}|${entry.side}` : entry.muscle;
    const found = byKey.get(key);
    if (found) found.entries.push(index);
    else byKey.set(key, { muscle: entry.muscle, side: entry.side, entries: [index] });
  });
  // Built field by field: V8's object spread is slow here, and this runs twice per preview.
  const distinct: DistinctMuscle[] = [];
  for (const d of byKey.values()) distinct.push({ muscle: d.muscle, side: d.side, entries: d.entries, label: describeMuscle(profiles, d.muscle, d.side) });
  // Entries merged only because the payer counts sides together are not duplicates the therapist made.
  const duplicates = distinct.filter((d) => {
    if (d.entries.length === 1) return false;
    const sides = new Set(d.entries.map((i) => muscles[i]?.side));
    return d.entries.length > sides.size;
  });
  return { distinct, duplicates, groups };
}

/**
 * How many distinct muscles `countDistinctMuscles` would find, without building labels or merge
 * lists (region entries never count): for the note's heading and for checking whether the payer's side rule changes the code.
 */
export function distinctMuscleCount(muscles: readonly NeedledMuscle[], profiles: Profiles, bilateralCountsAsTwo: boolean): number {
  const keys = new Set<string>();
  for (const entry of muscles) {
    const catalog = profiles.muscles.get(entry.muscle);
    if (catalog?.group) continue;
    const sided = bilateralCountsAsTwo && catalog?.paired !== false;
    keys.add(sided ? `${entry.muscle}|${entry.side}` : entry.muscle);
  }
  return keys.size;
}
