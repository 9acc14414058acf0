import type { Bundle, Resource } from '@medplum/fhirtypes';
import { snapshotKey, type SearchSnapshots } from './search-snapshots.js';

/**
 * Plain-JavaScript answers for the searches NeedleChart's chart read, save and export make, so the
 * sandbox stays fast with thousands of visits: Medplum's in-memory repository evaluates FHIRPath on
 * every resource for every search. Anything outside this small set falls back to Medplum.
 */
interface Ref {
  readonly reference?: string;
}
interface Coding {
  readonly system?: string;
  readonly code?: string;
}
/** The fields of the resources these searches read; everything optional. */
interface Res {
  readonly subject?: Ref;
  readonly partOf?: readonly Ref[];
  readonly encounter?: Ref;
  readonly context?: { readonly related?: readonly Ref[]; readonly encounter?: readonly Ref[] };
  readonly target?: readonly Ref[];
  readonly performer?: readonly { readonly actor?: Ref }[];
  readonly beneficiary?: Ref;
  readonly performedDateTime?: string;
  readonly performedPeriod?: { readonly start?: string };
  readonly effectiveDateTime?: string;
  readonly date?: string;
  readonly period?: { readonly start?: string };
  readonly code?: { readonly coding?: readonly Coding[] };
  readonly identifier?: readonly { readonly system?: string; readonly value?: string }[];
  readonly status?: string;
  readonly clinicalStatus?: { readonly coding?: readonly Coding[] };
  readonly type?: { readonly coding?: readonly Coding[] };
  readonly category?: { readonly coding?: readonly Coding[] } | readonly { readonly coding?: readonly Coding[] }[];
}
type Getter = (r: Res) => readonly (string | undefined)[];
const refsOf = (list: readonly Ref[] | undefined): (string | undefined)[] => (list ?? []).map((p) => p.reference);

const subject: Getter = (r) => [r.subject?.reference];
const REFERENCES: Readonly<Record<string, Readonly<Record<string, Getter>>>> = {
  Observation: { patient: subject, subject, 'part-of': (r) => refsOf(r.partOf), encounter: (r) => [r.encounter?.reference] },
  DocumentReference: { patient: subject, subject, related: (r) => refsOf(r.context?.related), encounter: (r) => refsOf(r.context?.encounter) },
  Provenance: { target: (r) => refsOf(r.target), patient: (r) => refsOf(r.target).filter((x) => x?.startsWith('Patient/')) },
  Procedure: { patient: subject, subject, encounter: (r) => [r.encounter?.reference], performer: (r) => (r.performer ?? []).map((p) => p.actor?.reference) },
  Condition: { patient: subject, subject, encounter: (r) => [r.encounter?.reference] },
  Coverage: { patient: (r) => [r.beneficiary?.reference], beneficiary: (r) => [r.beneficiary?.reference] },
  Encounter: { patient: subject, subject },
};
const DATES: Readonly<Record<string, (r: Res) => string | undefined>> = {
  Procedure: (r) => r.performedDateTime ?? r.performedPeriod?.start,
  Observation: (r) => r.effectiveDateTime,
  DocumentReference: (r) => r.date,
  Encounter: (r) => r.period?.start,
};
const TOKENS: Readonly<Record<string, (r: Res) => readonly Coding[]>> = {
  code: (r) => r.code?.coding ?? [],
  identifier: (r) => (r.identifier ?? []).map((i) => ({ system: i.system, code: i.value })),
  status: (r) => [{ code: r.status }],
  'clinical-status': (r) => r.clinicalStatus?.coding ?? [],
  type: (r) => r.type?.coding ?? [],
  category: (r) => {
    const c = r.category;
    if (!c) return [];
    return Array.isArray(c) ? (c as readonly { coding?: readonly Coding[] }[]).flatMap((x) => x.coding ?? []) : ((c as { coding?: readonly Coding[] }).coding ?? []);
  },
};
const CONTROL = new Set(['_count', '_offset', '_sort']);

const values = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function normalizeRef(value: string, param: string): string {
  return param === 'patient' && !value.includes('/') ? `Patient/${value}` : value;
}

function tokenMatches(token: string, codings: readonly Coding[]): boolean {
  return token.split(',').some((alt) => {
    const bar = alt.indexOf('|');
    if (bar < 0) return codings.some((c) => c.code === alt);
    const system = alt.slice(0, bar);
    const code = alt.slice(bar + 1);
    return codings.some((c) => (system === '' ? !c.system : c.system === system) && (code === '' || c.code === code));
  });
}

/** A date search value (`ge2026-01-01`, `le2026-03-31T23:59:59`) as a test on an instant, parsed once per search. */
function dateFilter(filter: string): (instant: number) => boolean {
  const m = /^(eq|ne|gt|lt|ge|le|sa|eb)?(.+)$/.exec(filter);
  const prefix = m?.[1] ?? 'eq';
  const target = m?.[2] ?? '';
  const t = Date.parse(target.length === 10 ? `${target}T00:00:00Z` : target);
  const end = target.length === 10 ? t + 86_400_000 - 1 : t;
  if (Number.isNaN(t)) return () => false;
  switch (prefix) {
    case 'ge': return (v) => v >= t;
    case 'gt': return (v) => v > end;
    case 'le': return (v) => v <= end;
    case 'lt': return (v) => v < t;
    case 'ne': return (v) => v < t || v > end;
    default: return (v) => v >= t && v <= end;
  }
}

/** Each resource's date as an instant, parsed once: the repository replaces a resource's object on every write. */
const instants = new WeakMap<Resource, number>();
function instantOf(resource: Resource, dateOf: (r: Res) => string | undefined): number {
  let instant = instants.get(resource);
  if (instant === undefined) {
    const value = dateOf(resource as unknown as Res);
    instant = value ? Date.parse(value) : Number.NaN;
    instants.set(resource, instant);
  }
  return instant;
}

/** `Type|param|reference` keys of a resource, for the repository's reference index. */
export function referenceKeys(resource: Resource | undefined): string[] {
  if (!resource) return [];
  const refs = REFERENCES[resource.resourceType];
  if (!refs) return [];
  const keys: string[] = [];
  for (const [param, get] of Object.entries(refs)) {
    for (const ref of get(resource as unknown as Res)) if (ref) keys.push(`${resource.resourceType}|${param}|${ref}`);
  }
  return keys;
}

/** Finds current resources by `Type|param|reference` key. */
export interface ReferenceIndex {
  byReference(key: string): Iterable<Resource>;
  /** Bumped by every write, so kept search results of an earlier generation are known stale. */
  readonly generation: number;
}

/** A searchset for `GET /Type?…`, or undefined when the query needs Medplum's general engine. */
export function fastSearch(type: string, query: Record<string, string | string[] | undefined>, all: () => Iterable<Resource>, index?: ReferenceIndex, snapshots?: SearchSnapshots): Bundle | undefined {
  if (!servesQuery(type, query)) return undefined;
  const search = (): Resource[] => findMatches(type, query, REFERENCES[type] ?? {}, all, index, values(query._sort)[0]);
  const matches = snapshots && index ? snapshots.matches(snapshotKey(type, query), index.generation, search) : search();
  const offset = Number(values(query._offset)[0] ?? 0) || 0;
  const count = Math.min(Number(values(query._count)[0] ?? 20) || 20, 5000);
  const page = matches.slice(offset, offset + count);
  return { resourceType: 'Bundle', type: 'searchset', total: matches.length, ...(page.length ? { entry: page.map((resource) => ({ resource: structuredClone(resource) })) } : {}) };
}

/** Every match of `GET /Type?…` (no paging), or undefined when the fast path does not serve the query: the Bulk Data export's `_typeFilter`. */
export function matchingResources(type: string, query: Record<string, string | string[] | undefined>, all: () => Iterable<Resource>, index?: ReferenceIndex): Resource[] | undefined {
  return servesQuery(type, query) ? findMatches(type, query, REFERENCES[type] ?? {}, all, index, values(query._sort)[0]) : undefined;
}

function servesQuery(type: string, query: Record<string, string | string[] | undefined>): boolean {
  const refs = REFERENCES[type];
  if (!refs) return false;
  const dateOf = DATES[type];
  for (const key of Object.keys(query)) {
    if (!(key in refs) && !(key in TOKENS) && !(key === 'date' && dateOf) && !CONTROL.has(key)) return false;
  }
  const sort = values(query._sort)[0];
  return !sort || sort === 'date' || sort === '-date';
}

/** Every current resource of `type` matching `query` (all its parameters ANDed, comma-separated values ORed), sorted by date when asked. */
function findMatches(type: string, query: Record<string, string | string[] | undefined>, refs: Readonly<Record<string, Getter>>, all: () => Iterable<Resource>, index: ReferenceIndex | undefined, sort: string | undefined): Resource[] {
  const dateOf = DATES[type];
  // Narrow to the resources that carry one of the searched references, when the query names one.
  const indexed = index ? Object.keys(query).find((k) => refs[k] && values(query[k]).length === 1) : undefined;
  const candidates = (): Iterable<Resource> => {
    if (!index || !indexed) return all();
    const seen = new Map<string, Resource>();
    for (const ref of (values(query[indexed])[0] ?? '').split(',')) {
      for (const r of index.byReference(`${type}|${indexed}|${normalizeRef(ref, indexed)}`)) seen.set(r.id ?? '', r);
    }
    return seen.values();
  };
  const dateTests = dateOf ? values(query.date).map(dateFilter) : [];
  const tests: ((r: Res) => boolean)[] = [];
  for (const [key, raw] of Object.entries(query)) {
    if (CONTROL.has(key) || key === 'date') continue;
    for (const value of values(raw)) {
      const getter = refs[key];
      if (getter) {
        const wanted = new Set(value.split(',').map((v) => normalizeRef(v, key)));
        tests.push((r) => getter(r).some((ref) => ref !== undefined && wanted.has(ref)));
      } else tests.push((r) => tokenMatches(value, TOKENS[key]?.(r) ?? []));
    }
  }
  const matches: Resource[] = [];
  for (const resource of candidates()) {
    if (dateOf && dateTests.length) {
      const instant = instantOf(resource, dateOf);
      if (Number.isNaN(instant) || !dateTests.every((test) => test(instant))) continue;
    }
    const r = resource as unknown as Res;
    if (tests.every((test) => test(r))) matches.push(resource);
  }
  if (sort && dateOf) {
    const dir = sort.startsWith('-') ? -1 : 1;
    const at = (x: Resource): number => instantOf(x, dateOf) || 0;
    matches.sort((a, b) => dir * (at(a) - at(b)));
  }
  return matches;
}
