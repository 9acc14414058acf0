/**
 * Where a note stands: a draft (saved, not signed), or signed by the clinician who performed the
 * visit, with any addenda made since. Who and when come from the EHR writes (the signed-in user of the
 * launch that signed, the server's clock), never from a request body.
 */
export interface NoteSignature {
  /** The signer's name with credentials, as the EHR records them ("Alex Rivera, PT, DPT"). */
  readonly by: string;
  /** The instant of signing (ISO), shown in the clinic's time zone. */
  readonly at: string;
}

export interface NoteAddendum extends NoteSignature {
  /** Why the signed note was changed, in the clinician's words. */
  readonly reason: string;
}

export interface NoteStatus {
  /** Absent while the note is a draft. */
  readonly signed?: NoteSignature;
  /** Oldest first. */
  readonly addenda: readonly NoteAddendum[];
}

export const DRAFT: NoteStatus = { addenda: [] };

/** The attestation a clinician agrees to when signing: shown in the sign dialog and printed on the signed note. */
export const ATTESTATION = 'I performed this service and attest that this note is accurate and complete.';
