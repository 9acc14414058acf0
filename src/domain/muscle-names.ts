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
