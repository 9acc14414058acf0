import type { DocumentReference } from 'fhir/r4.js';
import { displayZone, formatDateTime } from '../domain/human-dates.js';
import type { NoteStatus } from '../notes/note-status.js';
import { EXT } from './systems.js';

/** One version of a visit's note, as the app lists it: what it was, who wrote it, when and why. */
export interface NoteVersion {
  /** "Draft", "Signed" or "Addendum". */
  readonly kind: 'Draft' | 'Signed' | 'Addendum';
  readonly by: string;
  /** The instant (data for the app); `when` is what people read. */
  readonly at: string;
  /** "Friday, November 20, 2026, 3:10 PM" in the clinic's time zone (or the visit's offset). */
  readonly when: string;
  /** The reason given for an addendum. */
  readonly reason?: string;
  /** The note in force now (the others are superseded, kept in the EHR). */
  readonly current: boolean;
}

const KIND = { preliminary: 'Draft', final: 'Signed', amended: 'Addendum' } as const;

/** The notes NeedleChart wrote for one visit (related to its Procedure), oldest first. */
export function visitNotes(documents: readonly DocumentReference[], procedureRef: string): DocumentReference[] {
  return documents
    .filter((d) => d.status !== 'entered-in-error' && d.context?.related?.some((r) => r.reference === procedureRef))
    .sort((a, b) => (a.date ?? '').localeCompare(b.date ?? ''));
}

/** True when the note is signed: the final note, or an addendum to a signed one. */
export function isSigned(document: DocumentReference | undefined): boolean {
  return document?.docStatus === 'final' || document?.docStatus === 'amended';
}

const whoOf = (d: DocumentReference): string => d.authenticator?.display ?? d.author?.[0]?.display ?? 'Unknown author';
const reasonOf = (d: DocumentReference): string | undefined => d.extension?.find((e) => e.url === EXT.addendumReason)?.valueString;

/**
 * Where a visit's note stands, from its notes in the EHR: signed by whoever authenticated the first
 * final version, when it was written, then each addendum with its reason; a draft when none was signed.
 */
export function noteStatusOf(notes: readonly DocumentReference[]): NoteStatus {
  const signed = notes.find((d) => d.docStatus === 'final' && d.date);
  if (!signed?.date) return { addenda: [] };
  const addenda = notes.filter((d) => d.docStatus === 'amended' && d.date && d.date >= (signed.date ?? '')).map((d) => ({ by: whoOf(d), at: d.date ?? '', reason: reasonOf(d) ?? '' }));
  return { signed: { by: whoOf(signed), at: signed.date }, addenda };
}

/** Every version of the visit's note, oldest first, in words people read. */
export function noteHistory(notes: readonly DocumentReference[], visitDate: string, timeZone?: string): NoteVersion[] {
  const zone = displayZone(timeZone, visitDate);
  return notes.map((d) => {
    const reason = reasonOf(d);
    return {
      kind: KIND[d.docStatus as keyof typeof KIND] ?? 'Draft',
      by: whoOf(d),
      at: d.date ?? '',
      when: d.date ? formatDateTime(d.date, zone) : 'time not recorded',
      ...(reason ? { reason } : {}),
      current: d.status === 'current',
    };
  });
}
