import type { PreviousNarrative } from './coding-types.js';
import type { Session } from './types.generated.js';
import { withoutUndefined } from './without-undefined.js';

/** What a visit's note said in the clinician's own words: what the next visit's cloned-text check compares. Pure. */
export function narrativeOf(session: Session): PreviousNarrative {
  return { date: session.date, ...withoutUndefined({ response: session.response, plan: session.plan, goalProgress: session.goalProgress, functionalLimitation: session.necessity?.functionalLimitation }) };
}
