import { createHash } from 'node:crypto';
import type { DocumentReference, Reference } from 'fhir/r4.js';
import type { Session } from '../domain/types.generated.js';
import { fhirString } from './extensions.js';
import { CLINICAL_NOTE_CATEGORY, EXT, FORMAT_CODE_SYSTEM, PROGRESS_NOTE, US_CORE_PROFILE, VISIT_ID_SYSTEM } from './systems.js';
import type { VisitTarget } from './visit-context.js';

export interface RenderedNote {
  readonly html: string;
  readonly text: string;
}

/**
 * The note's identifier: the visit key, a digest of its content, and for an amendment the Procedure
 * version it amends. A retried write finds its own note (same content, same version amended); an
 * amendment never matches an earlier note, even one with the same text (a save with no change, or a
 * revert), which the same transaction would otherwise mark superseded and leave no current note.
 */
export function noteIdentifier(key: string, note: RenderedNote, amends?: string): string {
  return `${key}/note-${createHash('sha256').update(note.html).digest('hex').slice(0, 16)}${amends ? `/amends-${amends}` : ''}`;
}

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** An amendment's note: the note it replaces and the Procedure version it amends (or the signing it records). */
export interface NoteAmendment {
  /** The current note before the amendment, when there is one. */
  readonly replaces?: Reference;
  readonly amends: string;
}

/**
 * Where the written note stands: a draft (`preliminary`), the signed note (`final`, authenticated by
 * the signer) or an addendum to a signed note (`amended`, authenticated by who made it, with the reason).
 */
export type NoteSigning =
  | { readonly state: 'draft' }
  | { readonly state: 'signed'; readonly authenticator: Reference }
  | { readonly state: 'addendum'; readonly authenticator: Reference; readonly reason: string };

const DOC_STATUS = { draft: 'preliminary', signed: 'final', addendum: 'amended' } as const;

/**
 * The rendered note as a DocumentReference (US Core: type LOINC 11506-3 Progress note, category
 * clinical-note, subject, date, author, content with contentType and data, context.encounter and
 * period), related to the Procedure. The author is who wrote this version of the note (the signed-in
 * clinician). An amendment `replaces` the note it supersedes.
 */
export function toNoteDocument(session: Session, target: VisitTarget, key: string, note: RenderedNote, procedure: Reference, now: string, author: Reference, amendment?: NoteAmendment, signing: NoteSigning = { state: 'draft' }): DocumentReference {
  const replaces = amendment?.replaces;
  const title = `Dry needling treatment note ${session.date.slice(0, 10)}`;
  const format = { system: FORMAT_CODE_SYSTEM, code: 'urn:ihe:iti:xds:2017:mimeTypeSufficient', display: 'mimeType Sufficient' };
  return {
    resourceType: 'DocumentReference',
    meta: { profile: [US_CORE_PROFILE.documentReference] },
    ...(signing.state === 'addendum' ? { extension: [{ url: EXT.addendumReason, valueString: fhirString(signing.reason) }] } : {}),
    identifier: [{ system: VISIT_ID_SYSTEM, value: noteIdentifier(key, note, amendment?.amends) }],
    status: 'current',
    docStatus: DOC_STATUS[signing.state],
    type: { coding: [{ ...PROGRESS_NOTE }], text: 'Dry needling treatment note' },
    category: [{ coding: [{ ...CLINICAL_NOTE_CATEGORY }] }],
    subject: { reference: target.patient },
    date: now,
    author: [author],
    ...(signing.state === 'draft' ? {} : { authenticator: signing.authenticator }),
    description: title,
    ...(replaces ? { relatesTo: [{ code: 'replaces', target: replaces }] } : {}),
    content: [
      { attachment: { contentType: 'text/html', language: 'en', data: base64(note.html), title, creation: now }, format },
      { attachment: { contentType: 'text/plain', language: 'en', data: base64(note.text), title, creation: now }, format },
    ],
    context: { encounter: [{ reference: target.encounter }], period: { start: session.date, end: session.date }, related: [procedure] },
  };
}
