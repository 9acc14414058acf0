import type { Bundle, DocumentReference, Observation, Procedure } from 'fhir/r4.js';
import { loadSaveContext, type SaveContext } from '../fhir/load-save-context.js';
import type { VisitTarget } from '../fhir/visit-context.js';
import { sharedR4Validator, validateBundleResources } from '../fhir/r4-schema-validator.js';
import { conflict, invalid } from '../outcome/operation-outcome-error.js';
import type { Clinician } from '../fhir/signed-in-user.js';
import type { Session } from '../domain/types.generated.js';
import type { FhirGateway } from '../fhir/client.js';
import { visitNotes } from '../fhir/note-history.js';
import { NotANeedleChartVisit, toSession } from '../fhir/visit-to-session.js';
import type { Core } from './core.js';

export type Stored<T> = T & { id: string; meta: { versionId: string } };

export function stored<T extends { id?: string; meta?: { versionId?: string } }>(resource: T | undefined): resource is Stored<T> {
  return !!resource?.id && !!resource.meta?.versionId;
}

/** A saved visit's parts: its Observations, its current note and every version of the note (oldest first). */
export interface StoredVisit {
  readonly observations: Stored<Observation>[];
  readonly document?: Stored<DocumentReference>;
  readonly notes: readonly DocumentReference[];
}

/** Checks what we are about to write against the R4 schema (STYLE.md convention 5) and sends it as one transaction. */
export async function send(gateway: FhirGateway, bundle: Bundle): Promise<Bundle> {
  const issues = validateBundleResources(sharedR4Validator(), bundle);
  if (issues.length) throw invalid(issues);
  return gateway.transaction(bundle);
}

/** Reads a saved visit's Observations and notes in one batch. */
export async function readVisit(gateway: FhirGateway, procedure: Stored<Procedure>, patient: string): Promise<StoredVisit> {
  const ref = `Procedure/${procedure.id}`;
  const result = await gateway.readBatch({
    resourceType: 'Bundle',
    type: 'batch',
    entry: [
      { request: { method: 'GET', url: `Observation?${new URLSearchParams({ patient, 'part-of': ref, _count: '200' })}` } },
      { request: { method: 'GET', url: `DocumentReference?${new URLSearchParams({ patient, related: ref, _count: '100' })}` } },
    ],
  });
  const [obs, docs] = (result.entry ?? []).map((e) => (e.resource as Bundle | undefined)?.entry?.map((x) => x.resource) ?? []);
  const notes = visitNotes((docs ?? []).filter((d): d is DocumentReference => d?.resourceType === 'DocumentReference'), ref);
  const document = notes.filter((d): d is Stored<DocumentReference> => d.status === 'current' && stored(d)).sort((a, b) => (b.date ?? '').localeCompare(a.date ?? ''))[0];
  return { observations: (obs ?? []).filter((o): o is Stored<Observation> => o?.resourceType === 'Observation' && stored(o)), ...(document ? { document } : {}), notes };
}

/** The session a stored visit holds, or undefined for a Procedure NeedleChart did not write. */
export function sessionOf(procedure: Procedure, observations: readonly Observation[], core: Core): Session | undefined {
  try {
    return toSession(procedure, observations, core.profiles);
  } catch (error) {
    if (error instanceof NotANeedleChartVisit) return undefined;
    throw error;
  }
}

/** The clinic the write is on behalf of: the encounter's service provider, else the user's (role's, patient's managing) organization. */
export function organizationOf(context: SaveContext, author: Clinician): string | undefined {
  const provider = context.encounter?.serviceProvider?.reference;
  return provider && /^Organization\/[A-Za-z0-9\-.]{1,64}$/.test(provider) ? provider : author.organization;
}

/** A visit of this launch as NeedleChart saved it, read for a change: the Procedure, its parts, its session and the save context. */
export interface OpenedVisit {
  readonly current: Stored<Procedure>;
  readonly context: SaveContext;
  readonly visit: StoredVisit;
  readonly session: Session;
}

/**
 * Reads a saved visit for a change (`amend` or `sign`: the words of the refusals): it must have a
 * version, belong to the launch's patient and encounter, and be a NeedleChart visit; 409 otherwise.
 */
export async function openVisit(gateway: FhirGateway, core: Core, target: VisitTarget, procedureId: string, verb: 'amend' | 'sign'): Promise<OpenedVisit> {
  const [current, context] = await Promise.all([gateway.read<Procedure>('Procedure', procedureId), loadSaveContext(gateway, target)]);
  if (!stored(current)) throw conflict(`The saved visit has no version on the server, so it cannot be ${verb === 'amend' ? 'amended' : 'signed'} safely.`);
  if (current.subject.reference !== target.patient) throw conflict('That visit belongs to another patient.');
  if (current.encounter?.reference !== target.encounter) throw conflict(`That visit was charted in another encounter: open that encounter in the EHR to ${verb} it. Nothing was changed.`);
  const visit = await readVisit(gateway, current, target.patient);
  const session = sessionOf(current, visit.observations, core);
  if (!session) throw conflict(`This visit was not charted with NeedleChart, so it cannot be ${verb === 'amend' ? 'amended' : 'signed'} here.`);
  return { current, context, visit, session };
}
