import { sourcesOf, type Sources } from './citations.js';
import type { Profiles } from './profiles.js';
import type { PayerPolicy } from './types.generated.js';

/** Left and right count as two muscles unless the payer's rule says otherwise (an analogy from 20552/20553: advice per payer). */
export function bilateralCountsAsTwo(payer: PayerPolicy): boolean {
  return payer.rules.bilateralCountsAsTwo?.value ?? true;
}

export function isInvestigational(payer: PayerPolicy): boolean {
  return payer.coverage.status === 'investigational';
}

/** The sources of the payer's coverage of dry needling (its policy, or the law behind it). */
export function coverageSources(profiles: Profiles, payer: PayerPolicy): Sources {
  return sourcesOf(profiles.cite, payer.coverage);
}
