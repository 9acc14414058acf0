import type { Bundle, Coverage, DocumentReference, FhirResource, Observation, Patient, Procedure, Provenance } from 'fhir/r4.js';
import { collectPages, type FhirGateway } from '../fhir/client.js';
import { DRY_NEEDLING_CODE, PROCEDURE_SYSTEM } from '../fhir/systems.js';
import type { ExportFilters } from './export-filters.js';
import { scoreOf } from '../fhir/session-to-observations.js';
import { chartDocuments, memberIdOf, mrnOf, payerNameOf, type ChartDocument } from './chart-documents.js';

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

/** The Procedure search for the filters' visits: the dry-needling code (and the CPT code asked for), the dates of service, patient and performer. */
export function procedureQuery(filters: ExportFilters): Record<string, string | string[]> {
  return {
    code: filters.code ? [`${PROCEDURE_SYSTEM}|${DRY_NEEDLING_CODE}`, `${CPT}|${filters.code}`] : `${PROCEDURE_SYSTEM}|${DRY_NEEDLING_CODE}`,
    date: [`ge${filters.from}`, `le${filters.to}T23:59:59`],
    ...(filters.patient ? { patient: filters.patient } : {}),
    ...(filters.performer ? { performer: filters.performer } : {}),
  };
}

const searchParams = (filters: ExportFilters, pageSize: number): Record<string, string | string[]> => ({ ...procedureQuery(filters), _sort: 'date', _count: String(pageSize) });

/**
 * The same test as the Procedure search, on a Procedure in hand: a Bulk Data export may ignore the
 * experimental `_typeFilter`, so its output is filtered here. Dates compare as the search's do
 * (from the first instant of `from` to the last second of `to`, in UTC when the value has no offset).
 */
export function procedureMatches(procedure: Procedure, filters: ExportFilters): boolean {
  if (!procedure.id || procedure.status === 'entered-in-error') return false;
  const codings = procedure.code?.coding ?? [];
  if (!codings.some((c) => c.system === PROCEDURE_SYSTEM && c.code === DRY_NEEDLING_CODE)) return false;
  if (filters.code && !codings.some((c) => c.system === CPT && c.code === filters.code)) return false;
  const when = Date.parse(procedure.performedDateTime ?? procedure.performedPeriod?.start ?? '');
  if (Number.isNaN(when) || when < Date.parse(`${filters.from}T00:00:00Z`) || when > Date.parse(`${filters.to}T23:59:59Z`)) return false;
  if (filters.patient && procedure.subject.reference !== filters.patient) return false;
  if (filters.performer && !(procedure.performer ?? []).some((p) => p.actor.reference === filters.performer)) return false;
  return true;
}

const entriesOf = <T>(bundle: Bundle | undefined, type: string): T[] => (bundle?.entry ?? []).map((e) => e.resource).filter((r) => r?.resourceType === type) as T[];

/** `Procedure/<id>` (relative, absolute or versioned) → `<id>`; undefined for anything else. */
export function procedureIdOf(reference: string | undefined): string | undefined {
  const m = /(?:^|\/)Procedure\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(reference ?? '');
  return m?.[1];
}

/** Which visits (Procedure ids) a resource belongs to: a Procedure is one; its Observations, note and Provenance point at it. */
export function visitsOf(resource: FhirResource): (string | undefined)[] {
  switch (resource.resourceType) {
    case 'Procedure':
      return [resource.id];
    case 'Observation':
      return (resource.partOf ?? []).map((r) => procedureIdOf(r.reference));
    case 'DocumentReference':
      return (resource.context?.related ?? []).map((r) => procedureIdOf(r.reference));
    case 'Provenance':
      return resource.target.map((r) => procedureIdOf(r.reference));
    default:
      return [];
  }
}

/** Visits put together from a Procedure and the resources that point at it, arriving in any order (paged searches, Bulk Data buckets). */
export class VisitGathering {
  private readonly visits = new Map<string, { procedure?: Procedure & { id: string }; observations: Observation[]; documents: DocumentReference[]; provenance: Provenance[] }>();

  add(visitId: string, resource: FhirResource): void {
    let visit = this.visits.get(visitId);
    if (!visit) this.visits.set(visitId, (visit = { observations: [], documents: [], provenance: [] }));
    if (resource.resourceType === 'Procedure') visit.procedure = resource as Procedure & { id: string };
    else if (resource.resourceType === 'Observation') visit.observations.push(resource);
    else if (resource.resourceType === 'DocumentReference') visit.documents.push(resource);
    else if (resource.resourceType === 'Provenance') visit.provenance.push(resource);
  }

  /** The visits whose Procedure was added, in the order each visit was first seen. */
  records(): VisitRecord[] {
    const records: VisitRecord[] = [];
    for (const { procedure, observations, documents, provenance } of this.visits.values()) if (procedure) records.push({ procedure, observations, documents, provenance });
    return records;
  }
}

/**
 * Streams the matching visits page by page (paged searches, `next` links followed): one page of
 * Procedures, then one batch for their Observations, notes and Provenance. Never holds more than one
 * page in memory. Where the EHR offers FHIR Bulk Data `$export`, bulk-visit-source.ts yields the same pages.
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
      const gathering = new VisitGathering();
      for (const procedure of procedures) gathering.add(procedure.id, procedure);
      for (const resource of [...observations, ...documents, ...provenance]) for (const id of new Set(visitsOf(resource))) if (id) gathering.add(id, resource);
      yield { ...(total !== undefined ? { total } : {}), visits: gathering.records() };
    }
    page = await gateway.nextPage(page);
  }
}

/** What the packet repeats on every visit of a patient: the Patient, the pain scores across the course, the identifiers a payer matches and the chart's documents. */
export interface PatientFactsOf {
  readonly patient: Patient;
  readonly pain: { date: string; pre?: number; post?: number }[];
  readonly mrn?: string;
  /** The member id on the patient's Coverage. */
  readonly memberId?: string;
  /** The payer's name on the patient's Coverage. */
  readonly payerName?: string;
  /** Plan of care, consent, ABN or waiver documents of the chart (chart-documents.ts). */
  readonly documents: readonly ChartDocument[];
}

/** The facts of one patient from what was read: Coverage and DocumentReferences may be missing (the EHR refused the search), which leaves them out. */
function factsOf(patient: Patient, pain: readonly Observation[], coverages: readonly Coverage[], documents: readonly DocumentReference[]): PatientFactsOf {
  const mrn = mrnOf(patient);
  const memberId = memberIdOf(coverages);
  const payerName = payerNameOf(coverages);
  return { patient, pain: painCourse(pain), ...(mrn ? { mrn } : {}), ...(memberId ? { memberId } : {}), ...(payerName ? { payerName } : {}), documents: chartDocuments(documents) };
}

/** Groups resources by the patient they are about (`subject`, `beneficiary` or `patient`). */
function byPatient<T extends { subject?: { reference?: string }; beneficiary?: { reference?: string } }>(resources: readonly T[]): Map<string, T[]> {
  const grouped = new Map<string, T[]>();
  for (const r of resources) {
    const key = r.subject?.reference ?? r.beneficiary?.reference ?? '';
    let list = grouped.get(key);
    if (!list) grouped.set(key, (list = []));
    list.push(r);
  }
  return grouped;
}

const PAIN = 'http://loinc.org|72514-3';

/**
 * Per-patient facts, read once per patient and kept in a small cache. `prefetch` loads a page's
 * patients in one batch (their Patient reads and one pain search for all of them) instead of two
 * requests per patient; `get` loads one patient on its own when it was not prefetched.
 */
export class PatientFacts {
  private readonly cache = new Map<string, Promise<PatientFactsOf>>();

  constructor(private readonly gateway: FhirGateway, private readonly limit = 256) {}

  get(patient: string): Promise<PatientFactsOf> {
    let hit = this.cache.get(patient);
    if (!hit) {
      hit = this.load(patient);
      this.remember(patient, hit);
    }
    return hit;
  }

  /** Loads, in one batch, the facts of the patients among `references` not already cached. */
  async prefetch(references: readonly string[]): Promise<void> {
    const wanted = [...new Set(references)].filter((r) => r.startsWith('Patient/') && !this.cache.has(r)).slice(0, this.limit / 2);
    if (!wanted.length) return;
    const loaded = this.loadMany(wanted);
    for (const reference of wanted) {
      const one = loaded.then((all) => all.get(reference) ?? this.load(reference));
      one.catch(() => undefined);
      this.remember(reference, one);
    }
    await loaded.catch(() => undefined);
  }

  private remember(patient: string, facts: Promise<PatientFactsOf>): void {
    this.cache.set(patient, facts);
    if (this.cache.size > this.limit) this.cache.delete(this.cache.keys().next().value ?? '');
  }

  private async load(reference: string): Promise<PatientFactsOf> {
    const id = reference.split('/')[1] ?? '';
    const [patient, observations, coverages, documents] = await Promise.all([
      this.gateway.read<Patient>('Patient', id),
      this.gateway.searchAll<Observation>('Observation', { patient: reference, code: PAIN, _count: '1000' }),
      this.gateway.searchAll<Coverage>('Coverage', { patient: reference, _count: '100' }).catch(() => [] as Coverage[]),
      this.gateway.searchAll<DocumentReference>('DocumentReference', { patient: reference, _count: '1000' }).catch(() => [] as DocumentReference[]),
    ]);
    return factsOf(patient, observations, coverages, documents);
  }

  /** Patients read in one batch with one pain search (`patient=a,b,c`); a patient whose read failed in the batch is left to `load`, which retries and reports it. */
  private async loadMany(references: readonly string[]): Promise<Map<string, PatientFactsOf>> {
    const response = await this.gateway.readBatch({
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { request: { method: 'GET', url: `Observation?${new URLSearchParams({ patient: references.join(','), code: PAIN, _count: '1000' })}` } },
        { request: { method: 'GET', url: `Coverage?${new URLSearchParams({ patient: references.join(','), _count: '1000' })}` } },
        { request: { method: 'GET', url: `DocumentReference?${new URLSearchParams({ patient: references.join(','), _count: '1000' })}` } },
        ...references.map((r) => ({ request: { method: 'GET' as const, url: r } })),
      ],
    });
    const [painEntry, coverageEntry, documentEntry, ...patientEntries] = response.entry ?? [];
    const bundleOf = (entry: typeof painEntry): Bundle | undefined => (entry?.response?.status?.startsWith('2') && entry.resource?.resourceType === 'Bundle' ? (entry.resource as Bundle) : undefined);
    const painBundle = bundleOf(painEntry);
    if (!painBundle) return new Map();
    const bySubject = byPatient(await collectPages<Observation>(this.gateway, painBundle, 'Observation', 1000));
    const coverageBundle = bundleOf(coverageEntry);
    const byBeneficiary = byPatient(coverageBundle ? await collectPages<Coverage>(this.gateway, coverageBundle, 'Coverage', 1000) : []);
    const documentBundle = bundleOf(documentEntry);
    const documentsOf = byPatient(documentBundle ? await collectPages<DocumentReference>(this.gateway, documentBundle, 'DocumentReference', 1000) : []);
    const facts = new Map<string, PatientFactsOf>();
    references.forEach((reference, i) => {
      const entry = patientEntries[i];
      if (entry?.resource?.resourceType === 'Patient' && entry.response?.status?.startsWith('2')) facts.set(reference, factsOf(entry.resource as Patient, bySubject.get(reference) ?? [], byBeneficiary.get(reference) ?? [], documentsOf.get(reference) ?? []));
    });
    return facts;
  }
}

/** Pre and post pain scores by visit date, oldest first (entered-in-error left out). */
export function painCourse(observations: readonly Observation[]): PatientFactsOf['pain'] {
  const byDate = new Map<string, { date: string; pre?: number; post?: number }>();
  for (const o of observations) {
    const value = scoreOf(o);
    if (o.status === 'entered-in-error' || value === undefined || !o.effectiveDateTime) continue;
    const point = byDate.get(o.effectiveDateTime) ?? { date: o.effectiveDateTime };
    const timing = o.extension?.find((e) => e.url.endsWith('/outcome-timing'))?.valueCode;
    if (timing === 'pre') point.pre = value;
    if (timing === 'post') point.post = value;
    byDate.set(o.effectiveDateTime, point);
  }
  return [...byDate.values()].sort((a, b) => a.date.localeCompare(b.date));
}
