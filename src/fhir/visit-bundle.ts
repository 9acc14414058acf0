import type { Bundle, BundleEntry, DocumentReference, Observation, Procedure, Reference, Resource } from 'fhir/r4.js';
import type { CodeSuggestion } from '../domain/coding-types.js';
import type { Profiles } from '../domain/profiles.js';
import type { Performer, Session } from '../domain/types.generated.js';
import { toNoteDocument, type NoteSigning, type RenderedNote } from './note-document.js';
import { practitionerReference } from './practitioner-reference.js';
import { provenanceTag, toProvenance } from './provenance.js';
import { toObservations } from './session-to-observations.js';
import { toProcedure } from './session-to-procedure.js';
import { VISIT_ID_SYSTEM } from './systems.js';
import { placeholder, visitKey, type VisitTarget } from './visit-context.js';

/** The resources of a visit already on the server, with their versions: what an amendment updates. */
export interface ExistingVisit {
  readonly procedure: Procedure & { id: string; meta: { versionId: string } };
  /** The version the user started editing from; a newer one on the server means someone else changed it. */
  readonly baseVersion: string;
  readonly observations: readonly (Observation & { id: string; meta: { versionId: string } })[];
  readonly document?: DocumentReference & { id: string; meta: { versionId: string } };
}

export interface VisitWrite {
  readonly session: Session;
  readonly target: VisitTarget;
  readonly coding: CodeSuggestion;
  readonly note: RenderedNote;
  /** NeedleChart's version, recorded in the Provenance. */
  readonly version: string;
  /** The time of the write (an instant), passed in so mapping stays pure and testable. */
  readonly now: string;
  readonly existing?: ExistingVisit;
  /** Who writes it (note author, Provenance author): the signed-in clinician; the performer when not given (CLI, preview, seed). */
  readonly author?: Pick<Performer, 'reference' | 'display' | 'npi'>;
  /** `Organization/<id>` the clinic: Provenance `onBehalfOf`. */
  readonly organization?: string;
  /** Where the written note stands: a draft unless said (an addendum to a signed note names its authenticator and reason). */
  readonly signing?: NoteSigning;
}

const ifMatch = (versionId: string): string => `W/"${versionId}"`;

function identifierQuery(resource: Resource & { identifier?: { system?: string; value?: string }[] }): string {
  const id = resource.identifier?.find((i) => i.system === VISIT_ID_SYSTEM);
  return `identifier=${encodeURIComponent(`${VISIT_ID_SYSTEM}|${id?.value ?? ''}`)}`;
}

function create(fullUrl: string, resource: Resource & { identifier?: { system?: string; value?: string }[] }): BundleEntry {
  return { fullUrl, resource, request: { method: 'POST', url: resource.resourceType, ifNoneExist: identifierQuery(resource) } };
}

function update(resource: Resource & { id: string }, versionId: string): BundleEntry {
  return { fullUrl: `${resource.resourceType}/${resource.id}`, resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}`, ifMatch: ifMatch(versionId) } };
}

function roleOf(observation: Observation, key: string): string | undefined {
  const value = observation.identifier?.find((i) => i.system === VISIT_ID_SYSTEM)?.value;
  return value?.startsWith(`${key}/`) ? value.slice(key.length + 1) : undefined;
}

/**
 * One FHIR transaction for one visit: the Procedure, its outcome Observations, the note as a
 * DocumentReference and a Provenance. Everything new is a conditional create keyed on the visit
 * (the Provenance by a tag naming the write: the visit's creation, or the version an amendment
 * amends), so a resent or retried write writes nothing twice while each amendment adds its own. An
 * amendment updates what exists with If-Match (a stale version fails the whole transaction with
 * 412), marks dropped Observations entered-in-error, supersedes the old note and adds a new one that
 * replaces it.
 */
export function toVisitTransaction(write: VisitWrite, profiles: Profiles): Bundle {
  const { session, target, existing } = write;
  const key = existing ? (existing.procedure.identifier?.find((i) => i.system === VISIT_ID_SYSTEM)?.value ?? visitKey(session, target)) : visitKey(session, target);
  const needlingCode = write.coding.codes.find((c) => ['20560', '20561', '20999'].includes(c.code));
  const procedureRef: Reference = { reference: existing ? `Procedure/${existing.procedure.id}` : placeholder(key, 'procedure') };
  const entries: BundleEntry[] = [];

  const procedure = toProcedure(session, target, key, needlingCode, profiles);
  if (existing) entries.push(update({ ...procedure, id: existing.procedure.id }, existing.baseVersion));
  else entries.push(create(procedureRef.reference ?? '', procedure));

  const observations = toObservations(session, target, key, procedureRef, profiles);
  const byRole = new Map((existing?.observations ?? []).map((o) => [roleOf(o, key), o] as const));
  const observationRefs: Reference[] = [];
  for (const { role, resource } of observations) {
    const prior = byRole.get(role);
    if (prior) {
      entries.push(update({ ...resource, id: prior.id }, prior.meta.versionId));
      observationRefs.push({ reference: `Observation/${prior.id}` });
      byRole.delete(role);
    } else {
      const fullUrl = placeholder(key, `observation-${role}`);
      entries.push(create(fullUrl, resource));
      observationRefs.push({ reference: fullUrl });
    }
  }
  for (const dropped of byRole.values()) {
    if (dropped.status === 'entered-in-error') continue;
    const retracted: Observation & { id: string } = { ...dropped, status: 'entered-in-error' };
    entries.push(update(retracted, dropped.meta.versionId));
    observationRefs.push({ reference: `Observation/${dropped.id}` });
  }

  const prior = existing?.document;
  const author = write.author ?? session.performer;
  const amendment = existing ? { amends: existing.baseVersion, ...(prior ? { replaces: { reference: `DocumentReference/${prior.id}` } } : {}) } : undefined;
  const document = toNoteDocument(session, target, key, write.note, procedureRef, write.now, practitionerReference(author), amendment, write.signing);
  const documentUrl = placeholder(key, `document-${document.identifier?.[0]?.value ?? ''}`);
  entries.push(create(documentUrl, document));
  const documentRefs: Reference[] = [{ reference: documentUrl }];
  if (prior && prior.status !== 'superseded') {
    const superseded: DocumentReference & { id: string } = { ...prior, status: 'superseded' };
    entries.push(update(superseded, prior.meta.versionId));
    documentRefs.push({ reference: `DocumentReference/${prior.id}` });
  }

  const tag = `${key}/provenance-${existing ? `amends-${existing.baseVersion}` : 'create'}`;
  const provenance = toProvenance({ targets: [procedureRef, ...observationRefs, ...documentRefs], now: write.now, version: write.version, activity: existing ? 'UPDATE' : 'CREATE', author, ...(write.organization ? { organization: write.organization } : {}), tag });
  const { system, code } = provenanceTag(tag);
  entries.push({ fullUrl: placeholder(key, `provenance-${tag}`), resource: provenance, request: { method: 'POST', url: 'Provenance', ifNoneExist: `_tag=${encodeURIComponent(`${system}|${code}`)}` } });

  return { resourceType: 'Bundle', type: 'transaction', entry: entries };
}
