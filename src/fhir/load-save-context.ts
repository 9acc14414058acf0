import type { Encounter, Procedure } from 'fhir/r4.js';
import { OperationOutcomeError } from '../outcome/operation-outcome-error.js';
import type { FhirGateway } from './client.js';
import { DRY_NEEDLING_CODE, PROCEDURE_SYSTEM } from './systems.js';
import type { VisitTarget } from './visit-context.js';

/** What a save checks against in the EHR: the launch's encounter (if it is the patient's) and the patient's dry-needling visits. */
export interface SaveContext {
  /** Absent when the EHR has no such encounter for this patient. */
  readonly encounter?: Encounter;
  /** Every dry-needling Procedure of the patient: the visit already saved under the key, and the ones before this visit (its number in the course). */
  readonly visits: readonly Procedure[];
}

/**
 * Reads, in one round trip (in parallel), the launch's encounter and the patient's dry-needling
 * visits, paging followed. An encounter the EHR will not show this launch (404, or 403: a
 * patient-scoped token may not read another patient's encounter) or whose subject is another
 * patient is left out: it is not this patient's.
 */
export async function loadSaveContext(gateway: FhirGateway, target: VisitTarget): Promise<SaveContext> {
  const encounterId = target.encounter.split('/')[1] ?? '';
  const [encounter, visits] = await Promise.all([
    gateway.read<Encounter>('Encounter', encounterId).catch((error: unknown) => {
      if (error instanceof OperationOutcomeError && [403, 404, 410].includes(error.status)) return undefined;
      throw error;
    }),
    gateway.searchAll<Procedure>('Procedure', { patient: target.patient, code: `${PROCEDURE_SYSTEM}|${DRY_NEEDLING_CODE}`, _count: '100' }),
  ]);
  const own = encounter?.subject?.reference === target.patient ? encounter : undefined;
  return { ...(own ? { encounter: own } : {}), visits };
}
