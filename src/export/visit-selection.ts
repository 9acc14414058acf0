import type { Session } from '../domain/types.generated.js';
import { isSigned, visitNotes } from '../fhir/note-history.js';
import { NotANeedleChartVisit, toSession } from '../fhir/visit-to-session.js';
import type { Core } from '../service/core.js';
import type { ExportFilters } from './export-filters.js';
import type { VisitRecord } from './visit-source.js';

/**
 * Whether a visit the Procedure search (or Bulk Data filter) found goes into the packet, and if not,
 * why: `not-ours` (a Procedure NeedleChart cannot read back, or whose payer policy is unknown here:
 * listed in internal/not-included.csv), `other-payer` (the payer filter), `unsigned` (no signed
 * note, and drafts not asked for).
 */
export type VisitVerdict =
  | { readonly included: true; readonly session: Session; readonly draft: boolean }
  | { readonly included: false; readonly reason: 'not-ours' | 'other-payer' | 'unsigned' };

/** True when no version of the visit's note is signed: such a visit is a draft. */
export function isDraftVisit(record: VisitRecord): boolean {
  return !visitNotes(record.documents, `Procedure/${record.procedure.id}`).some(isSigned);
}

/**
 * The one test of which visits a packet holds, after the search's own (visit-source.ts
 * procedureQuery / procedureMatches): the export (run-export.ts) and the count shown before it
 * starts (export-preview.ts) both decide with it, so the preview cannot disagree with the packet.
 * Pure apart from reading the profiles.
 */
export function selectVisit(record: VisitRecord, filters: ExportFilters, core: Pick<Core, 'profiles'>): VisitVerdict {
  let session: Session;
  try {
    session = toSession(record.procedure, record.observations, core.profiles);
  } catch (error) {
    if (error instanceof NotANeedleChartVisit) return { included: false, reason: 'not-ours' };
    throw error;
  }
  if (!core.profiles.payers.has(session.payer)) return { included: false, reason: 'not-ours' };
  if (filters.payer && session.payer !== filters.payer) return { included: false, reason: 'other-payer' };
  const draft = isDraftVisit(record);
  if (draft && !filters.includeDrafts) return { included: false, reason: 'unsigned' };
  return { included: true, session, draft };
}
