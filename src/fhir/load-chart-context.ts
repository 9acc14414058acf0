import type { Bundle, BundleEntry, Condition, Coverage, DocumentReference, Encounter, Observation, Patient, Procedure, Resource } from 'fhir/r4.js';
import type { Profiles } from '../domain/profiles.js';
import { notFound, upstream } from '../outcome/operation-outcome-error.js';
import { toChartContext, type ChartContext, type ChartResources } from './chart-context.js';
import { collectPages, type FhirGateway } from './client.js';
import { DRY_NEEDLING_CODE, PROCEDURE_SYSTEM } from './systems.js';

/** How many earlier dry-needling visits a chart open reads (a course is 2–6; this leaves room for long ones). */
const MAX_VISITS = '100';

const get = (url: string): BundleEntry => ({ request: { method: 'GET', url } });

function entryResource<T extends Resource>(entry: BundleEntry | undefined, type: T['resourceType'], what: string): T {
  const status = entry?.response?.status ?? '';
  if (!status.startsWith('2') || entry?.resource?.resourceType !== type) {
    if (status.startsWith('404')) throw notFound(`${what} was not found on the FHIR server`);
    throw upstream(`The FHIR server could not return ${what} (${status || 'no response'})`);
  }
  return entry.resource as T;
}

function searchBundle(entry: BundleEntry | undefined, what: string): Bundle {
  return entryResource<Bundle>(entry, 'Bundle', what);
}

/**
 * Reads what a chart open needs: Patient, Encounter, active Conditions, Coverage and earlier
 * dry-needling Procedures in one batch; their Observations and notes in a second. Two round trips
 * when the server supports batch (per its CapabilityStatement, fetched once per gateway), parallel
 * searches otherwise; paging followed either way. References always as `Patient/<id>`.
 */
export async function loadChartContext(gateway: FhirGateway, patient: string, encounter: string, profiles: Profiles): Promise<ChartContext> {
  const [patientType, patientId] = patient.split('/');
  const [encounterType, encounterId] = encounter.split('/');
  if (patientType !== 'Patient' || !patientId || encounterType !== 'Encounter' || !encounterId) throw notFound('Patient and encounter must be references like Patient/<id> and Encounter/<id>');
  const q = (params: Record<string, string>) => new URLSearchParams(params).toString();
  const firstReads = [
    `Patient/${patientId}`,
    `Encounter/${encounterId}`,
    `Condition?${q({ patient, 'clinical-status': 'active', _count: '100' })}`,
    `Coverage?${q({ patient, status: 'active' })}`,
    `Procedure?${q({ patient, code: `${PROCEDURE_SYSTEM}|${DRY_NEEDLING_CODE}`, _sort: 'date', _count: MAX_VISITS })}`,
  ];
  const batch = await gateway.supports('batch');
  const run = async (urls: string[]): Promise<BundleEntry[]> => {
    if (batch) return (await gateway.readBatch({ resourceType: 'Bundle', type: 'batch', entry: urls.map(get) })).entry ?? [];
    return Promise.all(
      urls.map(async (url) => {
        const [path = '', search] = url.split('?');
        const [type = '', id] = path.split('/');
        const resource = id ? await gateway.read(type as Patient['resourceType'], id) : await gateway.search(type, Object.fromEntries(new URLSearchParams(search)));
        return { resource, response: { status: '200' } };
      }),
    );
  };

  const [p, e, c, cov, proc] = await run(firstReads);
  const procedures = await collectPages<Procedure>(gateway, searchBundle(proc, 'the earlier visits'), 'Procedure');
  const refs = procedures.filter((x) => x.id).map((x) => `Procedure/${x.id}`).join(',');
  const [obs, docs] = refs
    ? await run([`Observation?${q({ patient, 'part-of': refs, _count: '1000' })}`, `DocumentReference?${q({ patient, related: refs, _count: '500' })}`])
    : [undefined, undefined];
  const chart: ChartResources = {
    patient: entryResource<Patient>(p, 'Patient', patient),
    encounter: entryResource<Encounter>(e, 'Encounter', encounter),
    conditions: await collectPages<Condition>(gateway, searchBundle(c, 'the conditions'), 'Condition'),
    coverages: await collectPages<Coverage>(gateway, searchBundle(cov, 'the coverage'), 'Coverage'),
    procedures,
    observations: obs ? await collectPages<Observation>(gateway, searchBundle(obs, 'the outcome observations'), 'Observation') : [],
    documents: docs ? await collectPages<DocumentReference>(gateway, searchBundle(docs, 'the notes'), 'DocumentReference') : [],
  };
  if (chart.encounter.subject?.reference && chart.encounter.subject.reference !== patient) throw notFound(`${encounter} does not belong to ${patient}`);
  return toChartContext(chart, profiles);
}
