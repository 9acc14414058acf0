import type { Bundle, DocumentReference, Observation, Procedure, Provenance } from 'fhir/r4.js';
import type { Session } from '../../src/domain/types.generated.js';
import type { VisitRecord } from '../../src/export/visit-source.js';
import type { Core } from '../../src/service/core.js';
import { analyseSession, visitTransactionFor } from '../../src/service/preview-session.js';

/**
 * A signed visit as an EHR would return it after NeedleChart wrote it: the resources of the visit's
 * transaction, each given the id its placeholder stands for and every reference rewritten to
 * `Type/id`, as a FHIR server resolves them. For export tests that need a record without a server.
 */
export function signedVisitRecord(core: Core, session: Session, target = { patient: 'Patient/p-1', encounter: 'Encounter/e-1' }): VisitRecord {
  const signedAt = new Date(new Date(session.date).getTime() + 3_600_000).toISOString();
  const analysis = analyseSession(session, core, {}, { signed: { by: session.performer.display, at: signedAt }, addenda: [] });
  const bundle: Bundle = visitTransactionFor(core, analysis, target, signedAt, { signing: { state: 'signed', authenticator: { reference: session.performer.reference, display: session.performer.display } } });
  let text = JSON.stringify(bundle.entry?.map((e) => ({ fullUrl: e.fullUrl ?? '', resource: e.resource })) ?? []);
  const entries = JSON.parse(text) as { fullUrl: string; resource: { resourceType: string } }[];
  entries.forEach((e, i) => (text = text.split(`"${e.fullUrl}"`).join(`"${e.resource.resourceType}/v${i}"`)));
  const resources = (JSON.parse(text) as { resource: { resourceType: string; id?: string; meta?: object } }[]).map((e, i) => ({ ...e.resource, id: `v${i}`, meta: { versionId: '1' } }));
  const of = <T>(type: string): T[] => resources.filter((r) => r.resourceType === type) as T[];
  const [procedure] = of<Procedure & { id: string }>('Procedure');
  if (!procedure) throw new Error('the visit transaction holds no Procedure');
  return { procedure, observations: of<Observation>('Observation'), documents: of<DocumentReference>('DocumentReference'), provenance: of<Provenance>('Provenance') };
}
