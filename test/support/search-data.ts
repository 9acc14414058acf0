/**
 * Random small data sets for the sandbox search property (search-properties.ts): every id of every
 * searched type, with most fields optional, values from small pools so that searches meet them.
 * Within what Medplum evaluates as R4 does (medplum-search.ts, MEDPLUM_DEVIATIONS): lowercase ids,
 * codes distinct without case, no display or text, dates at whole seconds.
 */
import fc from 'fast-check';
import type { Resource } from '@medplum/fhirtypes';
import { JournaledRepository } from '../../src/sandbox/journaled-repository.js';
import { SEARCH_PARAMETERS } from '../../src/sandbox/search-parameters.js';

export const JSON_LIKE = { noNullPrototype: true } as const;
export const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined, freq: 3 });
/** Drops undefined fields, so a resource looks as JSON would carry it. */
const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

export const IDS = {
  Patient: ['p1', 'p2', 'p3', 'p4'],
  Group: ['p1', 'g1'],
  Practitioner: ['dr1', 'dr2', 'dr3'],
  Organization: ['org1', 'org2', 'org3'],
  Encounter: ['e1', 'e2', 'e3', 'e4', 'e5', 'e6'],
  Procedure: ['x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7', 'x8'],
  Observation: ['o1', 'o2', 'o3', 'o4', 'o5', 'o6'],
  DocumentReference: ['d1', 'd2', 'd3', 'd4'],
  Condition: ['k1', 'k2', 'k3'],
  Coverage: ['c1', 'c2', 'c3'],
  Provenance: ['v1', 'v2', 'v3'],
  PractitionerRole: ['pr1', 'pr2', 'pr3'],
  AuditEvent: ['a1', 'a2', 'a3'],
} as const;
export const CODINGS = [
  { system: 'http://snomed.info/sct', code: '1254816002' },
  { system: 'http://www.ama-assn.org/go/cpt', code: '20560' },
  { system: 'http://www.ama-assn.org/go/cpt', code: '20561' },
  { code: '20560' },
  { system: 'http://loinc.org', code: '72514-3' },
];
export const IDENTIFIERS = [{ system: 'urn:sys:a', value: 'v1' }, { system: 'urn:sys:b', value: 'v1' }, { system: 'urn:sys:a', value: 'v2' }, { value: 'v3' }];
export const STATUSES = ['in-progress', 'finished', 'completed', 'final', 'current', 'active'];
export const FAMILIES = ['Lopez', 'Li', 'Nakamura', 'Okafor', 'Lindqvist'];
export const GIVENS = ['Maria', 'Wei', 'Ana', 'Sam'];
const OFFSETS = ['Z', '-05:00', '+05:30', '+14:00', '-12:00'];
const pad = (n: number): string => String(n).padStart(2, '0');

/** A dateTime at whole-second precision in 2026-03-01..04, with a real-world UTC offset; few distinct times, so values meet search bounds. */
export const dateTime = fc
  .record({ day: fc.integer({ min: 1, max: 3 }), time: fc.constantFrom('00:00:00', '09:30:00', '23:59:59'), offset: fc.oneof({ weight: 3, arbitrary: fc.constant('Z') }, { weight: 2, arbitrary: fc.constantFrom(...OFFSETS) }) }, JSON_LIKE)
  .map(({ day, time, offset }) => `2026-03-${pad(day)}T${time}${offset}`);
const instant = dateTime;
const period = fc.record({ start: maybe(dateTime), end: maybe(dateTime) }, JSON_LIKE).map(defined).filter((p) => p.start !== undefined || p.end !== undefined);
const coding = fc.constantFrom(...CODINGS);
const concept = fc.array(coding, { minLength: 1, maxLength: 2 }).map((coding) => ({ coding }));
const identifier = fc.array(fc.constantFrom(...IDENTIFIERS), { minLength: 1, maxLength: 2 });
const ref = (types: readonly (keyof typeof IDS)[]) => fc.constantFrom(...types.flatMap((t) => IDS[t].map((id) => `${t}/${id}`))).map((reference) => ({ reference }));
const refs = (types: readonly (keyof typeof IDS)[]) => fc.array(ref(types), { minLength: 1, maxLength: 2 });
const status = fc.constantFrom(...STATUSES);
const name = fc.record({ family: maybe(fc.constantFrom(...FAMILIES)), given: maybe(fc.array(fc.constantFrom(...GIVENS), { minLength: 1, maxLength: 2 })) }, JSON_LIKE).map(defined);

/** One resource of `type` with id `id`; most fields optional, so `:missing` and "no value sorts last" have cases. */
function resourceOf(type: keyof typeof IDS, id: string): fc.Arbitrary<Resource> {
  const fields = ((): Record<string, fc.Arbitrary<unknown>> => {
    switch (type) {
      case 'Patient':
        return { identifier: maybe(identifier), name: maybe(fc.array(name, { minLength: 1, maxLength: 2 })), gender: maybe(fc.constantFrom('female', 'male', 'other')), birthDate: maybe(fc.integer({ min: 1, max: 5 }).map((d) => `1980-01-0${d}`)) };
      case 'Practitioner':
        return { identifier: maybe(identifier), name: maybe(fc.array(name, { minLength: 1, maxLength: 1 })) };
      case 'Organization':
        return { identifier: maybe(identifier), name: maybe(fc.constantFrom('Acme Health', 'Premera', 'Clinic')), alias: maybe(fc.array(fc.constantFrom('Acme', 'North'), { minLength: 1, maxLength: 1 })) };
      case 'Encounter':
        return { status, class: fc.constantFrom(...CODINGS), subject: maybe(ref(['Patient', 'Group'])), period: maybe(period), type: maybe(fc.array(concept, { minLength: 1, maxLength: 1 })), identifier: maybe(identifier) };
      case 'Condition':
        return { subject: ref(['Patient', 'Group']), code: maybe(concept), clinicalStatus: maybe(concept), encounter: maybe(ref(['Encounter'])) };
      case 'Coverage':
        return { status, beneficiary: ref(['Patient']), payor: refs(['Organization', 'Patient']) };
      case 'Procedure':
        return { status, subject: ref(['Patient', 'Group']), code: maybe(concept), performedDateTime: maybe(dateTime), encounter: maybe(ref(['Encounter'])), identifier: maybe(identifier), performer: maybe(refs(['Practitioner', 'Organization']).map((l) => l.map((actor) => ({ actor })))) };
      case 'Observation':
        return { status, code: concept, subject: maybe(ref(['Patient', 'Group'])), effectiveDateTime: maybe(dateTime), partOf: maybe(refs(['Procedure'])), encounter: maybe(ref(['Encounter'])), category: maybe(fc.array(concept, { minLength: 1, maxLength: 2 })), identifier: maybe(identifier) };
      case 'DocumentReference':
        return { status, subject: maybe(ref(['Patient', 'Practitioner'])), type: maybe(concept), date: maybe(instant), identifier: maybe(identifier), masterIdentifier: maybe(fc.constantFrom(...IDENTIFIERS)), context: maybe(fc.record({ encounter: maybe(refs(['Encounter'])), related: maybe(refs(['Procedure', 'Patient'])) }, JSON_LIKE).map(defined)) };
      case 'Provenance':
        return { target: refs(['Procedure', 'Patient', 'Observation']), recorded: instant, agent: fc.constant([{ who: { reference: 'Practitioner/dr1' } }]) };
      case 'PractitionerRole':
        return { identifier: maybe(identifier), active: maybe(fc.boolean()), practitioner: maybe(ref(['Practitioner'])), organization: maybe(ref(['Organization'])), code: maybe(fc.array(concept, { minLength: 1, maxLength: 2 })) };
      case 'AuditEvent':
        return { type: coding, recorded: instant, source: fc.constant({ observer: { reference: 'Organization/org1' } }), agent: fc.array(ref(['Practitioner', 'Patient']).map((who) => ({ who, requestor: true })), { minLength: 1, maxLength: 2 }), entity: maybe(fc.array(ref(['Procedure', 'Patient']).map((what) => ({ what })), { minLength: 1, maxLength: 2 })) };
      default:
        return {};
    }
  })();
  return fc
    .record({ ...fields, lastUpdated: instant, tag: maybe(fc.array(coding, { minLength: 1, maxLength: 2 })) }, JSON_LIKE)
    .map(({ lastUpdated, tag, ...rest }) => ({ resourceType: type, id, meta: { lastUpdated, ...(tag ? { tag } : {}) }, ...defined(rest) }) as unknown as Resource);
}

export const SEARCHED = Object.keys(SEARCH_PARAMETERS) as (keyof typeof IDS)[];

/**
 * A data set: every id of every searched type, written in random order, some written again (an
 * update keeps its place in storage order but moves in the indexes) or deleted afterwards, and one
 * more write to land between two runs of the same search.
 */
export interface DataSet {
  readonly writes: readonly Resource[];
  readonly deletes: readonly Resource[];
  readonly later?: Resource;
}
export const dataSet: fc.Arbitrary<DataSet> = fc
  .tuple(...SEARCHED.map((type) => fc.tuple(...IDS[type].map((id) => resourceOf(type, id)))))
  .chain((byType) => {
    const all = byType.flat();
    return fc.record({
      order: fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }),
      rewrites: fc.shuffledSubarray(all, { maxLength: Math.min(12, all.length) }),
      deletes: fc.subarray(all, { maxLength: Math.min(3, all.length) }),
      later: maybe(fc.constantFrom(...all)),
    }, JSON_LIKE).map(({ order, rewrites, deletes, later }) => ({ writes: [...order, ...rewrites.map((r) => ({ ...r, meta: { ...r.meta } }))], deletes, ...(later ? { later } : {}) }));
  });

/** A repository holding `data` as written: every write in order, then the deletes. */
export async function repositoryOf(data: DataSet): Promise<JournaledRepository> {
  const repo = new JournaledRepository();
  for (const r of data.writes) await repo.createResource(structuredClone(r));
  for (const r of data.deletes) if ([...repo.resourcesOfType(r.resourceType)].some((x) => x.id === r.id)) await repo.deleteResource(r.resourceType, r.id ?? '');
  return repo;
}
