import type { Sources } from './citations.js';

/** Who can confirm a rule that rests on no source that was read. */
export type CheckWith = 'payer' | 'state-board' | 'code-set' | 'clinical-guidance';

const PREFIX: Record<CheckWith, string> = {
  payer: 'Check this with the payer: ',
  'state-board': 'Check this with the state board: ',
  'code-set': 'Check this in the current ICD-10-CM code set: ',
  'clinical-guidance': 'Check this against current clinical guidance: ',
};

/**
 * A sentence as a person reads it: stated plainly when its rule is verified, as advice ("Check this
 * with the payer: …") when it is not. Every output that shows the sentence shows it this way.
 */
export function advise(text: string, verified: boolean, checkWith: CheckWith = 'payer'): string {
  return verified ? text : `${PREFIX[checkWith]}${text}`;
}

/** A finding built on an unverified rule is never an error: at most a warning. */
export function severityFor<S extends 'error' | 'warning' | 'info'>(severity: S, sources: Pick<Sources, 'verified'>): S | 'warning' {
  return severity === 'error' && !sources.verified ? 'warning' : severity;
}
