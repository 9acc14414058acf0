import type { Bundle, DocumentReference, Observation, Procedure } from 'fhir/r4.js';
import type { CourseContext } from '../domain/coding-types.js';
import type { Session } from '../domain/types.generated.js';
import type { FhirGateway } from '../fhir/client.js';
import { sharedR4Validator, validateBundleResources } from '../fhir/r4-schema-validator.js';
import { VISIT_ID_SYSTEM } from '../fhir/systems.js';
import type { ExistingVisit } from '../fhir/visit-bundle.js';
import { visitKey, type VisitTarget } from '../fhir/visit-context.js';
import { NotANeedleChartVisit, toSession } from '../fhir/visit-to-session.js';
import { conflict, invalid, OperationOutcomeError, outcome } from '../outcome/operation-outcome-error.js';
import type { Core } from './core.js';
import { analyseSession, renderNote, visitTransactionFor } from './preview-session.js';

export interface SaveRequest {
  readonly session: unknown;
  readonly target: VisitTarget;
  /** Present when amending: the saved Procedure and the version the user started editing from. */
  readonly amend?: { readonly procedureId: string; readonly versionId: string };
  readonly course?: CourseContext;
}

export interface SaveResult {
  /** `created` (first save), `updated` (amendment) or `unchanged` (a retry of a save that already landed). */
  readonly status: 'created' | 'updated' | 'unchanged';
  readonly procedure: { readonly id: string; readonly versionId: string };
  readonly document?: { readonly id: string; readonly versionId: string };
  readonly observations: number;
  readonly provenance?: string;
}

type Stored<T> = T & { id: string; meta: { versionId: string } };

function stored<T extends { id?: string; meta?: { versionId?: string } }>(resource: T | undefined): resource is Stored<T> {
  return !!resource?.id && !!resource.meta?.versionId;
}

/** Key order and blank strings must not make two equal sessions look different. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined && !(typeof x === 'string' && !x.trim())).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

async function readVisit(gateway: FhirGateway, procedure: Stored<Procedure>, patient: string): Promise<{ observations: Stored<Observation>[]; document?: Stored<DocumentReference> }> {
  const ref = `Procedure/${procedure.id}`;
  const result = await gateway.readBatch({
    resourceType: 'Bundle',
    type: 'batch',
    entry: [
      { request: { method: 'GET', url: `Observation?${new URLSearchParams({ patient, 'part-of': ref, _count: '200' })}` } },
      { request: { method: 'GET', url: `DocumentReference?${new URLSearchParams({ patient, related: ref, status: 'current', _count: '20' })}` } },
    ],
  });
  const [obs, docs] = (result.entry ?? []).map((e) => (e.resource as Bundle | undefined)?.entry?.map((x) => x.resource) ?? []);
  const document = (docs ?? []).filter((d): d is Stored<DocumentReference> => d?.resourceType === 'DocumentReference' && stored(d)).sort((a, b) => (b.date ?? '').localeCompare(a.date ?? ''))[0];
  return { observations: (obs ?? []).filter((o): o is Stored<Observation> => o?.resourceType === 'Observation' && stored(o)), ...(document ? { document } : {}) };
}

function summarise(status: SaveResult['status'], response: Bundle | undefined, fallback?: Stored<Procedure>): SaveResult {
  const located = (type: string) =>
    (response?.entry ?? [])
      .map((e) => /^(\w+)\/([^/]+)\/_history\/([^/]+)$/.exec(e.response?.location ?? '') ?? /^(\w+)\/([^/]+)$/.exec(e.response?.location ?? ''))
      .filter((m): m is RegExpExecArray => !!m && m[1] === type)
      .map((m) => ({ id: m[2] ?? '', versionId: m[3] ?? '' }));
  const procedure = located('Procedure')[0] ?? (fallback ? { id: fallback.id, versionId: fallback.meta.versionId } : undefined);
  if (!procedure) throw new OperationOutcomeError(502, outcome([{ severity: 'error', code: 'exception', diagnostics: 'The FHIR server accepted the save but did not say where the visit is' }]));
  const documents = located('DocumentReference');
  return {
    status,
    procedure,
    ...(documents[0] ? { document: documents[0] } : {}),
    observations: located('Observation').length,
    ...(located('Provenance')[0] ? { provenance: located('Provenance')[0]?.id } : {}),
  };
}

/** Checks what we are about to write against the R4 schema (STYLE.md convention 5) and sends it. */
async function send(gateway: FhirGateway, bundle: Bundle): Promise<Bundle> {
  const issues = validateBundleResources(sharedR4Validator(), bundle);
  if (issues.length) throw invalid(issues);
  return gateway.transaction(bundle);
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

/**
 * Saves one visit to the EHR as one transaction that lands whole or not at all.
 * A first save looks the visit up by its idempotency key first: if a previous attempt already landed
 * (its response was lost), an identical session answers `unchanged` and writes nothing; a different
 * one is refused (amend it instead). An amendment names the Procedure and the version the user
 * edited; if anyone changed it since, the answer is 409 and nothing is overwritten.
 */
export async function saveVisit(gateway: FhirGateway, core: Core, request: SaveRequest, now = new Date()): Promise<SaveResult> {
  const analysis = analyseSession(request.session, core, request.course ?? {});
  const session: Session = analysis.session;
  const note = renderNote(core, analysis);
  const at = now.toISOString();
  const key = request.amend ? `amend:${request.amend.procedureId}` : visitKey(session, request.target);

  return oneAtATime(key, async () => {
    if (request.amend) {
      const current = await gateway.read<Procedure>('Procedure', request.amend.procedureId);
      if (!stored(current)) throw conflict('The saved visit has no version on the server, so it cannot be amended safely');
      if (current.subject.reference !== request.target.patient) throw conflict('That visit belongs to another patient');
      if (current.meta.versionId !== request.amend.versionId) {
        throw conflict('This note was changed by someone else since you opened it. Nothing was overwritten: your version is kept here; reload the visit to see their changes, then reapply yours.');
      }
      const { observations, document } = await readVisit(gateway, current, request.target.patient);
      const existing: ExistingVisit = { procedure: current, baseVersion: request.amend.versionId, observations, ...(document ? { document } : {}) };
      try {
        return summarise('updated', await send(gateway, visitTransactionFor(core, analysis, request.target, at, existing, note)));
      } catch (error) {
        if (error instanceof OperationOutcomeError && error.status === 409) {
          throw conflict('This note was changed by someone else while you were saving. Nothing was overwritten: your version is kept here; reload the visit, then reapply your changes.');
        }
        throw error;
      }
    }

    const found = await gateway.search('Procedure', { patient: request.target.patient, identifier: `${VISIT_ID_SYSTEM}|${key}`, _count: '2' });
    const prior = found.entry?.map((e) => e.resource).find((r): r is Stored<Procedure> => r?.resourceType === 'Procedure' && stored(r));
    if (prior) {
      const { observations, document } = await readVisit(gateway, prior, request.target.patient);
      let same = false;
      try {
        same = canonical(toSession(prior, observations, core.profiles)) === canonical(session);
      } catch (error) {
        if (!(error instanceof NotANeedleChartVisit)) throw error;
      }
      if (!same) throw conflict(`This visit was already saved (Procedure/${prior.id}). Open it and amend it instead of saving it again.`);
      return { status: 'unchanged', procedure: { id: prior.id, versionId: prior.meta.versionId }, ...(document ? { document: { id: document.id, versionId: document.meta.versionId } } : {}), observations: observations.length };
    }
    return summarise('created', await send(gateway, visitTransactionFor(core, analysis, request.target, at, undefined, note)));
  });
}
