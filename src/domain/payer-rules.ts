import type { PayerPolicy } from './types.generated.js';

/** Left and right count as two muscles unless the payer's rule says otherwise (AAPC by analogy: VERIFY per payer). */
export function bilateralCountsAsTwo(payer: PayerPolicy): boolean {
  return payer.rules.bilateralCountsAsTwo?.value ?? true;
}

export function isInvestigational(payer: PayerPolicy): boolean {
  return payer.coverage.status === 'investigational';
}

/** "Premera 2.01.100 'Dry Needling …' (2024-07-01)", or the payer's name when no policy is cited. */
export function citePolicy(payer: PayerPolicy): string {
  const policy = payer.coverage.policy;
  return policy ? `${payer.name}, policy ${policy.id} '${policy.title}' (${policy.date})` : payer.name;
}

/** Suffix for a sentence built on an unverified rule: shown as advisory, never as certain (DOMAIN.md preamble). */
export function advisory(verified: boolean): string {
  return verified ? '' : ' — advisory: not verified from a primary source, check with the payer';
}
