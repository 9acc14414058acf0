import { inForce } from './in-force.js';
import type { Profiles, StateScopeEntry } from './profiles.js';

/**
 * A state's scope-of-practice entry (state-scope.json) as it stood on the date of service: the entry
 * when its `effective`/`expires` hold that day, otherwise nothing (NeedleChart then knows no status for
 * the state on that day and says nothing rather than apply a later law to an earlier visit).
 */
export function stateOnDate(profiles: Profiles, state: string | undefined, date: string): StateScopeEntry | undefined {
  const entry = state ? profiles.states.get(state) : undefined;
  return entry && inForce(entry, date) ? entry : undefined;
}
