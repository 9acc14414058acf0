import type { ExplanationOfBenefit } from 'fhir/r4.js';
import { OperationOutcomeError } from '../outcome/operation-outcome-error.js';
import type { FhirGateway } from './client.js';

/** HL7 adjudication categories: `eligible` is the amount considered for payment (the allowed amount). */
const ADJUDICATION = 'http://terminology.hl7.org/CodeSystem/adjudication';
/** Therapy lines carry the therapy modifier (GP for physical therapy, GN speech-language pathology; the KX threshold combines them). */
const THERAPY_MODIFIERS = new Set(['GP', 'GN']);

/**
 * The allowed amount of this calendar year's therapy lines before `date` in the claims given (pure):
 * each line with a GP or GN modifier, its `eligible` adjudication. Claims dated in another year or on
 * or after the visit do not count; claims entered in error or cancelled do not count.
 */
export function therapyAllowedThisYear(claims: readonly ExplanationOfBenefit[], date: string): number {
  const year = date.slice(0, 4);
  const day = date.slice(0, 10);
  let total = 0;
  for (const claim of claims) {
    if (claim.status === 'entered-in-error' || claim.status === 'cancelled') continue;
    const served = claim.billablePeriod?.start ?? claim.item?.[0]?.servicedDate ?? claim.created;
    if (!served || served.slice(0, 4) !== year || served.slice(0, 10) >= day) continue;
    for (const item of claim.item ?? []) {
      const therapy = item.modifier?.some((m) => m.coding?.some((c) => THERAPY_MODIFIERS.has(c.code ?? '')));
      if (!therapy) continue;
      const allowed = item.adjudication?.find((a) => a.category.coding?.some((c) => c.system === ADJUDICATION && c.code === 'eligible'))?.amount?.value;
      if (typeof allowed === 'number' && Number.isFinite(allowed)) total += allowed;
    }
  }
  return Math.round(total * 100) / 100;
}

/**
 * This year's allowed therapy amount before the visit, from the patient's ExplanationOfBenefit
 * resources in the EHR (one search, paged), or undefined when the EHR keeps none or will not show
 * them to this launch: then no KX advice is given rather than a guess.
 */
export async function loadTherapyAmountThisYear(gateway: FhirGateway, patient: string, date: string): Promise<number | undefined> {
  try {
    const claims = await gateway.searchAll<ExplanationOfBenefit>('ExplanationOfBenefit', { patient, created: `ge${date.slice(0, 4)}-01-01`, _count: '100' });
    return claims.length ? therapyAllowedThisYear(claims, date) : undefined;
  } catch (error) {
    if (error instanceof OperationOutcomeError && [400, 401, 403, 404].includes(error.status)) return undefined;
    throw error;
  }
}
