import type { Profiles } from './profiles.js';
import type { Side } from './types.generated.js';

/** The catalog's display name, or the id itself when the catalog lacks it (validated input never does). */
export function muscleDisplay(profiles: Profiles, muscleId: string): string {
  return profiles.muscles.get(muscleId)?.display ?? muscleId;
}

/** "left upper trapezius": side first, as a therapist says it in a sentence. */
export function describeMuscle(profiles: Profiles, muscleId: string, side: Side): string {
  const display = muscleDisplay(profiles, muscleId);
  return `${side} ${display.charAt(0).toLowerCase()}${display.slice(1)}`;
}

/** "Upper trapezius (left)": for tables and lists where the muscle leads. */
export function labelMuscle(profiles: Profiles, muscleId: string, side: Side): string {
  return `${muscleDisplay(profiles, muscleId)} (${side})`;
}

/**
 * The named muscles a region entry stands for, as a therapist reads them in a sentence:
 * "longissimus lumborum, iliocostalis lumborum or lumbar multifidus" (muscles.json `namedMuscles`).
 * Empty when the id is not a region or lists none.
 */
export function namedMuscleChoices(profiles: Profiles, regionId: string): string {
  const names = (profiles.muscles.get(regionId)?.namedMuscles ?? []).map((id) => {
    const display = muscleDisplay(profiles, id);
    return `${display.charAt(0).toLowerCase()}${display.slice(1)}`;
  });
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}
