import { createHash } from 'node:crypto';
import type { DocumentReference, Reference } from 'fhir/r4.js';
import type { Session } from '../domain/types.generated.js';
import { fhirString } from './extensions.js';
import { CLINICAL_NOTE_CATEGORY, FORMAT_CODE_SYSTEM, PROGRESS_NOTE, US_CORE_PROFILE, VISIT_ID_SYSTEM } from './systems.js';
import type { VisitTarget } from './visit-context.js';

export interface RenderedNote {
  readonly html: string;
  readonly text: string;
}

/** The note's identifier: the visit key plus a digest of its content, so the same note is never stored twice. */
export function noteIdentifier(key: string, note: RenderedNote): string {
  return `${key}/note-${createHash('sha256').update(note.html).digest('hex').slice(0, 16)}`;
}

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/**
 * The rendered note as a DocumentReference (US Core: type LOINC 11506-3 Progress note, category
 * clinical-note, subject, date, author, content with contentType and data, context.encounter and
 * period), related to the Procedure. An amendment `replaces` the note it supersedes.
 */
export function toNoteDocument(session: Session, target: VisitTarget, key: string, note: RenderedNote, procedure: Reference, now: string, replaces?: Reference): DocumentReference {
  const title = `Dry needling treatment note ${session.date.slice(0, 10)}`;
  const format = { system: FORMAT_CODE_SYSTEM, code: 'urn:ihe:iti:xds:2017:mimeTypeSufficient', display: 'mimeType Sufficient' };
  return {
    resourceType: 'DocumentReference',
    meta: { profile: [US_CORE_PROFILE.documentReference] },
    identifier: [{ system: VISIT_ID_SYSTEM, value: noteIdentifier(key, note) }],
    status: 'current',
    docStatus: replaces ? 'amended' : 'final',
    type: { coding: [{ ...PROGRESS_NOTE }], text: 'Dry needling treatment note' },
    category: [{ coding: [{ ...CLINICAL_NOTE_CATEGORY }] }],
    subject: { reference: target.patient },
    date: now,
    author: [{ reference: session.performer.reference, display: fhirString(session.performer.display) }],
    description: title,
    ...(replaces ? { relatesTo: [{ code: 'replaces', target: replaces }] } : {}),
    content: [
      { attachment: { contentType: 'text/html', language: 'en', data: base64(note.html), title, creation: now }, format },
      { attachment: { contentType: 'text/plain', language: 'en', data: base64(note.text), title, creation: now }, format },
    ],
    context: { encounter: [{ reference: target.encounter }], period: { start: session.date, end: session.date }, related: [procedure] },
  };
}
