import type { Encounter, Procedure } from 'fhir/r4.js';
import { OperationOutcomeError } from '../outcome/operation-outcome-error.js';
import type { FhirGateway } from './client.js';
import { DRY_NEEDLING_CODE, PROCEDURE_SYSTEM } from './systems.js';
import type { VisitTarget } from './visit-context.js';

/** What a save checks against in the EHR: the launch's encounter (if it is the patient's) and the visits charted in it. */
export interface SaveContext {
  /** Absent when the EHR has no such encounter for this patient. */
  readonly encounter?: Encounter;
  /** The patient's dry-needling Procedures in this encounter: the visit already saved under its key is among them. */
  readonly encounterVisits: readonly Procedure[];
}

const DRY_NEEDLING = `${PROCEDURE_SYSTEM}|${DRY_NEEDLING_CODE}`;
/** Every Procedure status but entered-in-error, as one OR list (plainer than `status:not`, which not every EHR supports). */
const NOT_RETRACTED = 'preparation,in-progress,not-done,on-hold,stopped,completed,unknown';

/**
 * Reads, in one round trip (in parallel), the launch's encounter and the patient's dry-needling
 * visits in that encounter. Only this encounter's visits: a save must not page through a long
 * course, whose length is counted apart (countVisitsBefore). An encounter the EHR will not show
 * this launch (404, or 403: a patient-scoped token may not read another patient's encounter) or
 * whose subject is another patient is left out: it is not this patient's.
 */
export async function loadSaveContext(gateway: FhirGateway, target: VisitTarget): Promise<SaveContext> {
  const encounterId = target.encounter.split('/')[1] ?? '';
  const [encounter, encounterVisits] = await Promise.all([
    gateway.read<Encounter>('Encounter', encounterId).catch((error: unknown) => {
      if (error instanceof OperationOutcomeError && [403, 404, 410].includes(error.status)) return undefined;
      throw error;
    }),
    gateway.searchAll<Procedure>('Procedure', { patient: target.patient, encounter: target.encounter, code: DRY_NEEDLING, _count: '100' }),
  ]);
  const own = encounter?.subject?.reference === target.patient ? encounter : undefined;
  return { ...(own ? { encounter: own } : {}), encounterVisits };
}

/**
 * How many of the patient's dry-needling visits (not entered in error) are dated before `date`: the
 * visit number is one more. One counting search (`_summary=count`); where the EHR cannot count, its
 * pages are read and counted instead.
 */
export async function countVisitsBefore(gateway: FhirGateway, patient: string, date: string): Promise<number> {
  const params = { patient, code: DRY_NEEDLING, date: `lt${date}`, status: NOT_RETRACTED };
  try {
    const counted = await gateway.search('Procedure', { ...params, _summary: 'count' });
    if (typeof counted.total === 'number') return counted.total;
  } catch (error) {
    if (!(error instanceof OperationOutcomeError) || error.status !== 400) throw error;
  }
  return (await gateway.searchAll<Procedure>('Procedure', { ...params, _count: '100' })).length;
}

/**
 * The patient's latest dry-needling visit dated before `date`, for the cloned-documentation check:
 * one search sorted newest first; the newest of what comes back is taken, in case an EHR ignores
 * `_sort`.
 */
export async function loadPreviousVisit(gateway: FhirGateway, patient: string, date: string): Promise<Procedure | undefined> {
  const bundle = await gateway.search('Procedure', { patient, code: DRY_NEEDLING, date: `lt${date}`, status: NOT_RETRACTED, _sort: '-date', _count: '10' });
  const visits = (bundle.entry ?? []).map((e) => e.resource).filter((r): r is Procedure => r?.resourceType === 'Procedure');
  const when = (p: Procedure): string => p.performedDateTime ?? p.performedPeriod?.start ?? '';
  return visits.sort((a, b) => when(b).localeCompare(when(a)))[0];
}
