import type { Bundle, DocumentReference, Reference } from 'fhir/r4.js';
import type { Performer, Session } from '../domain/types.generated.js';
import { toNoteDocument, type RenderedNote } from './note-document.js';
import { practitionerReference } from './practitioner-reference.js';
import { provenanceTag, toProvenance } from './provenance.js';
import { VISIT_ID_SYSTEM } from './systems.js';
import { placeholder, type VisitTarget } from './visit-context.js';

/** Signing a draft: the draft it signs, the note as signed, and who signs it when. */
export interface SignWrite {
  readonly session: Session;
  readonly target: VisitTarget;
  /** The visit's key (its Procedure identifier). */
  readonly key: string;
  readonly procedure: Reference;
  readonly draft: DocumentReference & { id: string; meta: { versionId: string } };
  readonly note: RenderedNote;
  readonly now: string;
  /** The signed-in clinician who signs: author and authenticator of the signed note, Provenance author. */
  readonly signer: Pick<Performer, 'reference' | 'display' | 'npi'>;
  readonly version: string;
  readonly organization?: string;
}

/**
 * One transaction that signs a draft note: the signed note (docStatus final, authenticator the signer,
 * replacing the draft), the draft marked superseded (If-Match: someone else's change fails the whole
 * write) and a Provenance. The signed note's identifier names the draft version it signs, so a resent
 * signing creates nothing twice; the procedure and its observations are not touched.
 */
export function toSignTransaction(write: SignWrite): Bundle {
  const { draft, key } = write;
  const signer = practitionerReference(write.signer);
  const signed = toNoteDocument(write.session, write.target, key, write.note, write.procedure, write.now, signer, { amends: draft.meta.versionId, replaces: { reference: `DocumentReference/${draft.id}` } }, { state: 'signed', authenticator: signer });
  const identifier = `${key}/signed-${draft.id}-${draft.meta.versionId}`;
  const document: DocumentReference = { ...signed, identifier: [{ system: VISIT_ID_SYSTEM, value: identifier }] };
  const documentUrl = placeholder(key, `document-${identifier}`);
  const superseded: DocumentReference = { ...draft, status: 'superseded' };
  const tag = `${key}/provenance-sign-${draft.id}-${draft.meta.versionId}`;
  const provenance = toProvenance({ targets: [{ reference: documentUrl }, { reference: `DocumentReference/${draft.id}` }], now: write.now, version: write.version, activity: 'UPDATE', author: write.signer, ...(write.organization ? { organization: write.organization } : {}), tag });
  const { system, code } = provenanceTag(tag);
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { fullUrl: documentUrl, resource: document, request: { method: 'POST', url: 'DocumentReference', ifNoneExist: `identifier=${encodeURIComponent(`${VISIT_ID_SYSTEM}|${identifier}`)}` } },
      { fullUrl: `DocumentReference/${draft.id}`, resource: superseded, request: { method: 'PUT', url: `DocumentReference/${draft.id}`, ifMatch: `W/"${draft.meta.versionId}"` } },
      { fullUrl: placeholder(key, `provenance-${tag}`), resource: provenance, request: { method: 'POST', url: 'Provenance', ifNoneExist: `_tag=${encodeURIComponent(`${system}|${code}`)}` } },
    ],
  };
}
