import type { Procedure } from 'fhir/r4.js';
import type { CourseContext, PreviousNarrative } from '../domain/coding-types.js';
import type { Finding } from '../domain/readiness-types.js';
import { acknowledgementKey, signGate } from '../domain/sign-gate.js';
import { narrativeOf } from '../domain/previous-narrative.js';
import type { FhirGateway } from '../fhir/client.js';
import { countVisitsBefore, loadPreviousVisit } from '../fhir/load-save-context.js';
import { loadTherapyAmountThisYear } from '../fhir/therapy-claims.js';
import { isSigned, noteHistory, type NoteVersion } from '../fhir/note-history.js';
import { toSignTransaction } from '../fhir/note-bundle.js';
import type { Clinician } from '../fhir/signed-in-user.js';
import { VISIT_ID_SYSTEM } from '../fhir/systems.js';
import type { VisitTarget } from '../fhir/visit-context.js';
import { conflict, forbidden, OperationOutcomeError, outcome } from '../outcome/operation-outcome-error.js';
import type { Core } from './core.js';
import { analyseSession, renderNote } from './preview-session.js';
import { openVisit, organizationOf, readVisit, send, sessionOf } from './stored-visit.js';

export interface SignRequest {
  readonly target: VisitTarget;
  /** The signed-in clinician: only the clinician who performed the visit signs its note. */
  readonly author: Clinician;
  readonly procedureId: string;
  /** The Procedure version the clinician reviewed. */
  readonly versionId: string;
  /** Keys of the warnings the clinician acknowledged one by one (`rule@path`, see acknowledgementKey). */
  readonly acknowledged: readonly string[];
}

export interface SignResult {
  /** `signed`, or `unchanged` when the note was already signed (a resent request). */
  readonly status: 'signed' | 'unchanged';
  readonly procedure: { readonly id: string; readonly versionId: string };
  readonly document?: { readonly id: string; readonly versionId: string };
  /** Every version of the visit's note, oldest first. */
  readonly history: readonly NoteVersion[];
}

/** The system of the finding keys a refusal to sign names (issue.details), so the app can ask for each acknowledgement. */
export const FINDING_SYSTEM = 'https://needlechart.dev/fhir/CodeSystem/readiness-finding';

/** 422 naming each finding that stands in the way: errors to fix, warnings to acknowledge. */
export function notYet(errors: readonly Finding[], unacknowledged: readonly Finding[]): OperationOutcomeError {
  const issue = (f: Finding, severity: 'error' | 'warning', prefix: string) => ({
    severity,
    code: 'business-rule' as const,
    details: { coding: [{ system: FINDING_SYSTEM, code: acknowledgementKey(f) }], text: f.message },
    diagnostics: `${prefix}${f.message}`,
    expression: [f.path],
  });
  return new OperationOutcomeError(422, outcome([...errors.map((f) => issue(f, 'error', 'Fix before signing: ')), ...unacknowledged.map((f) => issue(f, 'warning', 'Acknowledge before signing: '))]));
}

/** What the previous visit's note said in the clinician's words, when NeedleChart wrote it. */
function previousNarrative(procedure: Procedure | undefined, core: Core): PreviousNarrative | undefined {
  const session = procedure ? sessionOf(procedure, [], core) : undefined;
  return session ? narrativeOf(session) : undefined;
}

/** The visit's place in the course, the previous visit's narrative and this year's allowed therapy amount: what readiness and coding need from the chart. */
export async function courseFromChart(gateway: FhirGateway, core: Core, patient: string, date: string): Promise<CourseContext> {
  const [earlier, previous, therapyAmountThisYear] = await Promise.all([countVisitsBefore(gateway, patient, date), loadPreviousVisit(gateway, patient, date), loadTherapyAmountThisYear(gateway, patient, date)]);
  const narrative = previousNarrative(previous, core);
  return { visitNumber: earlier + 1, ...(narrative ? { previousNarrative: narrative } : {}), ...(therapyAmountThisYear !== undefined ? { therapyAmountThisYear } : {}) };
}

/**
 * Signs a visit's draft note as the signed-in clinician who performed it: refused (422, each finding
 * named) while any error finding stands or any warning is not acknowledged; otherwise the note is
 * rendered with the attestation (name, credentials, the time of signing in the clinic's time zone)
 * and written as the final note that replaces the draft, with its Provenance. A note already signed
 * answers `unchanged`; a visit changed since the clinician reviewed it answers 409.
 */
export async function signVisit(gateway: FhirGateway, core: Core, request: SignRequest, now = new Date()): Promise<SignResult> {
  const { target, author } = request;
  const { current, context, visit, session } = await openVisit(gateway, core, target, request.procedureId, 'sign');
  const history = () => noteHistory(visit.notes, session.date, core.timeZone);
  const answer = (status: SignResult['status']): SignResult => ({ status, procedure: { id: current.id, versionId: current.meta.versionId }, ...(visit.document ? { document: { id: visit.document.id, versionId: visit.document.meta.versionId } } : {}), history: history() });
  if (![author.performer.reference, author.fhirUser].includes(session.performer.reference)) throw forbidden(`Only the clinician who performed this visit (${session.performer.display}) can sign its note.`);
  if (isSigned(visit.document)) return answer('unchanged');
  if (!visit.document) throw conflict('This visit has no note to sign: save it first.');
  if (current.meta.versionId !== request.versionId) throw conflict('This visit was changed since you reviewed it. Nothing was signed: reload the visit, check it, then sign.');

  const course = await courseFromChart(gateway, core, target.patient, session.date);
  const at = now.toISOString();
  const analysis = analyseSession(session, core, course, { signed: { by: author.performer.display, at }, addenda: [] });
  const gate = signGate(analysis.readiness.findings, request.acknowledged);
  if (gate.errors.length || gate.unacknowledged.length) throw notYet(gate.errors, gate.unacknowledged);

  const key = current.identifier?.find((i) => i.system === VISIT_ID_SYSTEM)?.value ?? '';
  const organization = organizationOf(context, author);
  const bundle = toSignTransaction({ session, target, key, procedure: { reference: `Procedure/${current.id}` }, draft: visit.document, note: renderNote(core, analysis), now: at, signer: author.performer, version: core.version, ...(organization ? { organization } : {}) });
  try {
    await send(gateway, bundle);
  } catch (error) {
    if (error instanceof OperationOutcomeError && (error.status === 409 || error.status === 412)) throw conflict('This note was changed by someone else while you were signing. Nothing was signed: reload the visit, check it, then sign.');
    throw error;
  }
  const after = await readVisit(gateway, current, target.patient);
  return { status: 'signed', procedure: { id: current.id, versionId: current.meta.versionId }, ...(after.document ? { document: { id: after.document.id, versionId: after.document.meta.versionId } } : {}), history: noteHistory(after.notes, session.date, core.timeZone) };
}
