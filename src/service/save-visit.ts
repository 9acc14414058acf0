import type { Bundle, DocumentReference, Procedure } from 'fhir/r4.js';
import type { Performer } from '../domain/types.generated.js';
import { visitDateIssue } from '../domain/visit-date.js';
import type { FhirGateway } from '../fhir/client.js';
import { countVisitsBefore, loadSaveContext, type SaveContext } from '../fhir/load-save-context.js';
import type { Clinician } from '../fhir/signed-in-user.js';
import { VISIT_ID_SYSTEM } from '../fhir/systems.js';
import type { ExistingVisit } from '../fhir/visit-bundle.js';
import { visitKey, type VisitTarget } from '../fhir/visit-context.js';
import { businessRule, conflict, invalid, OperationOutcomeError, outcome } from '../outcome/operation-outcome-error.js';
import type { Core } from './core.js';
import { courseFromChart, notYet } from './sign-visit.js';
import { openVisit, organizationOf, readVisit, send, sessionOf, stored, type Stored } from './stored-visit.js';
import { signGate } from '../domain/sign-gate.js';
import { isSigned, noteStatusOf } from '../fhir/note-history.js';
import { practitionerReference } from '../fhir/practitioner-reference.js';
import { analyseSession, renderNote, requireSession, visitTransactionFor } from './preview-session.js';

export interface SaveRequest {
  readonly session: unknown;
  /** Patient and encounter of the launch: the only source of either. */
  readonly target: VisitTarget;
  /** The signed-in clinician as the EHR records them: the performer of a new visit, the author of every write. */
  readonly author: Clinician;
  /** Present when amending: the saved Procedure and the version the user started editing from. */
  readonly amend?: { readonly procedureId: string; readonly versionId: string };
  /** Changing a signed note: why, and the warnings acknowledged one by one (as for signing). */
  readonly addendum?: { readonly reason: string; readonly acknowledged: readonly string[] };
}

export interface SaveResult {
  /** `created` (first save), `updated` (amendment) or `unchanged` (nothing new: a retry, or a save with no change). */
  readonly status: 'created' | 'updated' | 'unchanged';
  readonly procedure: { readonly id: string; readonly versionId: string };
  readonly document?: { readonly id: string; readonly versionId: string };
  readonly observations: number;
  readonly provenance?: string;
  /** The visit's number in the course, counted from the earlier visits in the EHR (never from the request). */
  readonly visitNumber: number;
  /** Where the visit's note stands now: a draft until signed; an addendum keeps it signed. */
  readonly note: 'draft' | 'signed';
}

/** Key order and blank strings must not make two equal sessions look different. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined && !(typeof x === 'string' && !x.trim())).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

const SOMEONE_ELSE = 'The performer is the signed-in clinician; a visit cannot be saved for someone else.';
const PERFORMER_KEPT = 'An amendment keeps the clinician who performed the visit; the performer cannot be changed.';
const NOT_THIS_PATIENTS = 'The encounter of this launch does not belong to this patient in the EHR, so the visit cannot be saved in it. Open the patient\'s visit in the EHR and launch NeedleChart from it.';
const CHANGED_ELSEWHERE = 'This note was changed by someone else since you opened it. Nothing was overwritten: your version is kept here; reload the visit to see their changes, then reapply yours.';

/**
 * The session as sent, with the performer replaced by the one the EHR records. A body naming another
 * performer is refused (422 naming `performer.reference`), not silently rewritten: the page believed
 * it was saving for someone else. A body without a performer simply gets it.
 */
function withPerformer(input: unknown, performer: Performer, accepted: readonly string[], refusal: string): unknown {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return input;
  const claimed = (input as { performer?: unknown }).performer;
  const reference = claimed && typeof claimed === 'object' ? (claimed as { reference?: unknown }).reference : undefined;
  if (typeof reference === 'string' && reference.trim() && !accepted.includes(reference.trim())) throw businessRule(refusal, 'performer.reference');
  return { ...input, performer: { ...performer } };
}

/** The encounter is the patient's, and the visit date fits it (not in the future, within its period). */
function checkEncounter(context: SaveContext, date: string, now: Date): void {
  if (!context.encounter) throw conflict(NOT_THIS_PATIENTS);
  const issue = visitDateIssue(date, context.encounter.period, now);
  if (issue) throw invalid([issue]);
}

/** 1 + the patient's visits before this one (not retracted, not this visit itself). */
/**
 * The visit's number in the course: one more than the patient's visits dated before it, not counting
 * this visit itself (an earlier-dated copy of it, when a retry edited its time).
 */
function visitNumberOf(context: SaveContext, date: string, earlier: number, self: (p: Procedure) => boolean): number {
  const at = Date.parse(date);
  const selfBefore = context.encounterVisits.filter((p) => p.status !== 'entered-in-error' && self(p) && Date.parse(p.performedDateTime ?? p.performedPeriod?.start ?? '') < at).length;
  return 1 + earlier - selfBefore;
}


function summarise(status: SaveResult['status'], response: Bundle | undefined, visitNumber: number, note: SaveResult['note']): SaveResult {
  const located = (type: string) =>
    (response?.entry ?? [])
      .map((e) => /^(\w+)\/([^/]+)\/_history\/([^/]+)$/.exec(e.response?.location ?? '') ?? /^(\w+)\/([^/]+)$/.exec(e.response?.location ?? ''))
      .filter((m): m is RegExpExecArray => !!m && m[1] === type)
      .map((m) => ({ id: m[2] ?? '', versionId: m[3] ?? '' }));
  const procedure = located('Procedure')[0];
  if (!procedure) throw new OperationOutcomeError(502, outcome([{ severity: 'error', code: 'exception', diagnostics: 'The FHIR server accepted the save but did not say where the visit is' }]));
  const documents = located('DocumentReference');
  return {
    status,
    procedure,
    ...(documents[0] ? { document: documents[0] } : {}),
    observations: located('Observation').length,
    ...(located('Provenance')[0] ? { provenance: located('Provenance')[0]?.id } : {}),
    visitNumber,
    note,
  };
}

/** A visit as it already stands: what a save with nothing new answers. */
function asStored(procedure: Stored<Procedure>, visit: { observations: readonly unknown[]; document?: Stored<DocumentReference> }, visitNumber: number): SaveResult {
  const { document } = visit;
  return { status: 'unchanged', procedure: { id: procedure.id, versionId: procedure.meta.versionId }, ...(document ? { document: { id: document.id, versionId: document.meta.versionId } } : {}), observations: visit.observations.length, visitNumber, note: isSigned(document) ? 'signed' : 'draft' };
}

/** Serialises saves of the same visit inside this process, so two clicks cannot race each other. */
const inFlight = new Map<string, Promise<unknown>>();
async function oneAtATime<T>(key: string, work: () => Promise<T>): Promise<T> {
  const prior = inFlight.get(key) ?? Promise.resolve();
  const next = prior.then(work, work);
  inFlight.set(key, next);
  try {
    return await next;
  } finally {
    if (inFlight.get(key) === next) inFlight.delete(key);
  }
}

async function saveNew(gateway: FhirGateway, core: Core, request: SaveRequest, now: Date): Promise<SaveResult> {
  const { author, target } = request;
  const input = withPerformer(request.session, author.performer, [author.performer.reference, author.fhirUser], SOMEONE_ELSE);
  const { session } = requireSession(input, core);
  const key = visitKey(session, target);
  return oneAtATime(key, async () => {
    const [context, earlier] = await Promise.all([loadSaveContext(gateway, target), countVisitsBefore(gateway, target.patient, session.date)]);
    checkEncounter(context, session.date, now);
    // This visit: written under its key, or (written before the key left out the time) NeedleChart's visit in this encounter by this performer.
    const isThis = (p: Procedure) =>
      !!p.identifier?.some((i) => i.system === VISIT_ID_SYSTEM && (i.value === key || (p.encounter?.reference === target.encounter && p.performer?.[0]?.actor.reference === session.performer.reference)));
    const visitNumber = visitNumberOf(context, session.date, earlier, isThis);
    const prior = context.encounterVisits.filter(isThis).find((p): p is Stored<Procedure> => stored(p));
    if (prior) {
      // A visit is keyed by patient, encounter and performer: after a lost response, the same content is a retry; anything else is an amendment.
      const visit = await readVisit(gateway, prior, target.patient);
      if (canonical(sessionOf(prior, visit.observations, core)) === canonical(session)) return asStored(prior, visit, visitNumber);
      throw conflict(`This visit was already saved (Procedure/${prior.id}). Open it and amend it instead of saving it again.`);
    }
    const analysis = analyseSession(input, core, { visitNumber });
    const organization = organizationOf(context, author);
    const bundle = visitTransactionFor(core, analysis, target, now.toISOString(), { note: renderNote(core, analysis), author: author.performer, ...(organization ? { organization } : {}) });
    return summarise('created', await send(gateway, bundle), visitNumber, 'draft');
  });
}

async function saveAmendment(gateway: FhirGateway, core: Core, request: SaveRequest & { amend: NonNullable<SaveRequest['amend']> }, now: Date): Promise<SaveResult> {
  const { author, target, amend } = request;
  return oneAtATime(`amend:${amend.procedureId}`, async () => {
    const { current, context, visit, session: before } = await openVisit(gateway, core, target, amend.procedureId, 'amend');
    // The visit keeps the clinician who performed it; whoever amends it is the author of the amendment.
    const own = before.performer.reference === author.performer.reference;
    const performer = own ? author.performer : before.performer;
    const input = withPerformer(request.session, performer, own ? [performer.reference, author.fhirUser] : [performer.reference], PERFORMER_KEPT);
    const { session } = requireSession(input, core);
    checkEncounter(context, session.date, now);
    const visitNumber = visitNumberOf(context, session.date, await countVisitsBefore(gateway, target.patient, session.date), (p) => p.id === current.id);
    // Nothing new (a save with no change, or a retry of an amendment that landed): write nothing.
    if (canonical(before) === canonical(session) && visit.document) return asStored(current, visit, visitNumber);
    if (current.meta.versionId !== amend.versionId) throw conflict(CHANGED_ELSEWHERE);
    const signed = isSigned(visit.document);
    const reason = request.addendum?.reason.trim() ?? '';
    if (signed && !reason) throw businessRule('This note is signed: a change to it is an addendum. Give the reason for the change.', 'addendum.reason');
    const course = signed ? await courseFromChart(gateway, core, target.patient, session.date) : { visitNumber };
    const at = now.toISOString();
    const standing = signed ? noteStatusOf(visit.notes) : undefined;
    const status = standing ? { ...standing, addenda: [...standing.addenda, { by: author.performer.display, at, reason }] } : undefined;
    const analysis = analyseSession(input, core, course, status);
    if (signed) {
      // An addendum is signed by whoever makes it: the same gate as signing.
      const gate = signGate(analysis.readiness.findings, request.addendum?.acknowledged ?? []);
      if (gate.errors.length || gate.unacknowledged.length) throw notYet(gate.errors, gate.unacknowledged);
    }
    const existing: ExistingVisit = { procedure: current, baseVersion: amend.versionId, observations: visit.observations, ...(visit.document ? { document: visit.document } : {}) };
    const organization = organizationOf(context, author);
    const signing = signed ? { state: 'addendum' as const, authenticator: practitionerReference(author.performer), reason } : undefined;
    const bundle = visitTransactionFor(core, analysis, target, at, { existing, note: renderNote(core, analysis), author: author.performer, ...(organization ? { organization } : {}), ...(signing ? { signing } : {}) });
    try {
      return summarise('updated', await send(gateway, bundle), visitNumber, signed ? 'signed' : 'draft');
    } catch (error) {
      if (!(error instanceof OperationOutcomeError) || error.status !== 409) throw error;
      // A transaction resent after a lost response meets its own If-Match: if the visit now holds exactly this amendment, it landed.
      const after = await gateway.read<Procedure>('Procedure', amend.procedureId);
      if (stored(after) && after.meta.versionId !== amend.versionId) {
        const landed = await readVisit(gateway, after, target.patient);
        if (landed.document && canonical(sessionOf(after, landed.observations, core)) === canonical(session)) return { ...asStored(after, landed, visitNumber), status: 'updated' };
      }
      throw conflict('This note was changed by someone else while you were saving. Nothing was overwritten: your version is kept here; reload the visit, then reapply your changes.');
    }
  });
}

/**
 * Saves one visit to the EHR as one transaction that lands whole or not at all, written by the
 * signed-in clinician. The visit must fit the launch's encounter (the patient's, dated within it,
 * not in the future); its number in the course is counted from the EHR. A first save looks the
 * visit up by its key (patient, encounter, performer) first: if a previous attempt already landed, an
 * identical session answers `unchanged` and writes nothing; a different one is refused (amend it
 * instead). An amendment stays on its encounter and performer, names the version the user edited
 * (if anyone changed it since, 409 and nothing is overwritten), and writes nothing when nothing changed.
 */
export async function saveVisit(gateway: FhirGateway, core: Core, request: SaveRequest, now = new Date()): Promise<SaveResult> {
  return request.amend ? saveAmendment(gateway, core, { ...request, amend: request.amend }, now) : saveNew(gateway, core, request, now);
}
