import type { Bundle, DocumentReference, Observation, Patient, Procedure, Provenance } from 'fhir/r4.js';
import { collectPages, type FhirGateway } from '../fhir/client.js';
import { DRY_NEEDLING_CODE, PROCEDURE_SYSTEM } from '../fhir/systems.js';
import type { ExportFilters } from './export-filters.js';

const CPT = 'http://www.ama-assn.org/go/cpt';

/** One visit as the EHR holds it: everything the packet shows about it. */
export interface VisitRecord {
  readonly procedure: Procedure & { id: string };
  readonly observations: readonly Observation[];
  readonly documents: readonly DocumentReference[];
  readonly provenance: readonly Provenance[];
}

export interface VisitPage {
  readonly visits: readonly VisitRecord[];
  /** Matches in the whole search, when the server says (for progress). */
  readonly total?: number;
}

function searchParams(filters: ExportFilters, pageSize: number): Record<string, string | string[]> {
  return {
    code: filters.code ? [`${PROCEDURE_SYSTEM}|${DRY_NEEDLING_CODE}`, `${CPT}|${filters.code}`] : `${PROCEDURE_SYSTEM}|${DRY_NEEDLING_CODE}`,
    date: [`ge${filters.from}`, `le${filters.to}T23:59:59`],
    _sort: 'date',
    _count: String(pageSize),
    ...(filters.patient ? { patient: filters.patient } : {}),
    ...(filters.performer ? { performer: filters.performer } : {}),
  };
}

const entriesOf = <T>(bundle: Bundle | undefined, type: string): T[] => (bundle?.entry ?? []).map((e) => e.resource).filter((r) => r?.resourceType === type) as T[];

/**
 * Streams the matching visits page by page (paged searches, `next` links followed): one page of
 * Procedures, then one batch for their Observations, notes and Provenance. Never holds more than one
 * page in memory. A seam for FHIR Bulk Data `$export` would replace this generator where offered.
 */
export async function* visitPages(gateway: FhirGateway, filters: ExportFilters, pageSize = 50): AsyncGenerator<VisitPage> {
  let page: Bundle | undefined = await gateway.search('Procedure', searchParams(filters, pageSize));
  const total = page.total;
  while (page) {
    const procedures = entriesOf<Procedure & { id: string }>(page, 'Procedure').filter((p) => p.id && p.status !== 'entered-in-error');
    if (procedures.length) {
      const refs = procedures.map((p) => `Procedure/${p.id}`).join(',');
      const related = await gateway.readBatch({
        resourceType: 'Bundle',
        type: 'batch',
        entry: [
          { request: { method: 'GET', url: `Observation?${new URLSearchParams({ 'part-of': refs, _count: '2000' })}` } },
          { request: { method: 'GET', url: `DocumentReference?${new URLSearchParams({ related: refs, _count: '500' })}` } },
          { request: { method: 'GET', url: `Provenance?${new URLSearchParams({ target: refs, _count: '500' })}` } },
        ],
      });
      const [obs, docs, prov] = (related.entry ?? []).map((e) => e.resource as Bundle | undefined);
      const observations = await collectPages<Observation>(gateway, obs, 'Observation');
      const documents = await collectPages<DocumentReference>(gateway, docs, 'DocumentReference');
      const provenance = await collectPages<Provenance>(gateway, prov, 'Provenance');
      yield {
        ...(total !== undefined ? { total } : {}),
        visits: procedures.map((procedure) => {
          const ref = `Procedure/${procedure.id}`;
          return {
            procedure,
            observations: observations.filter((o) => o.partOf?.some((p) => p.reference === ref)),
            documents: documents.filter((d) => d.context?.related?.some((r) => r.reference === ref)),
            provenance: provenance.filter((p) => p.target.some((t) => t.reference === ref || t.reference?.startsWith(`${ref}/_history/`))),
          };
        }),
      };
    }
    page = await gateway.nextPage(page);
  }
}

/** Per-patient facts the packet repeats on every visit (name, pain course), read once per patient and kept in a small cache. */
export class PatientFacts {
  private readonly cache = new Map<string, Promise<{ patient: Patient; pain: { date: string; pre?: number; post?: number }[] }>>();

  constructor(private readonly gateway: FhirGateway, private readonly limit = 256) {}

  get(patient: string): Promise<{ patient: Patient; pain: { date: string; pre?: number; post?: number }[] }> {
    let hit = this.cache.get(patient);
    if (!hit) {
      hit = this.load(patient);
      this.cache.set(patient, hit);
      if (this.cache.size > this.limit) this.cache.delete(this.cache.keys().next().value ?? '');
    }
    return hit;
  }

  private async load(reference: string): Promise<{ patient: Patient; pain: { date: string; pre?: number; post?: number }[] }> {
    const id = reference.split('/')[1] ?? '';
    const [patient, observations] = await Promise.all([
      this.gateway.read<Patient>('Patient', id),
      this.gateway.searchAll<Observation>('Observation', { patient: reference, code: 'http://loinc.org|72514-3', _count: '1000' }),
    ]);
    const byDate = new Map<string, { date: string; pre?: number; post?: number }>();
    for (const o of observations) {
      if (o.status === 'entered-in-error' || o.valueInteger === undefined || !o.effectiveDateTime) continue;
      const point = byDate.get(o.effectiveDateTime) ?? { date: o.effectiveDateTime };
      const timing = o.extension?.find((e) => e.url.endsWith('/outcome-timing'))?.valueCode;
      if (timing === 'pre') point.pre = o.valueInteger;
      if (timing === 'post') point.post = o.valueInteger;
      byDate.set(o.effectiveDateTime, point);
    }
    return { patient, pain: [...byDate.values()].sort((a, b) => a.date.localeCompare(b.date)) };
  }
}
