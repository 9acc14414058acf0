import type { Resource } from '@medplum/fhirtypes';
import { rangeMatches, rangeOf, type DateRange } from './date-range.js';
import { SEARCH_PARAMETERS, searchParameter, type SearchParam, type Token } from './search-parameters.js';
import type { SandboxSearch, SearchFilter, SortRule, TokenValue } from './search-request.js';
import { normalizeText } from './search-values.js';

/**
 * The sandbox's search evaluation in plain JavaScript: which current resources match a parsed
 * search, and in which order. Medplum's in-memory repository evaluates FHIRPath on every resource
 * for every search, far too slow for an export paging through thousands of visits; here searches
 * that name a reference or an identifier start from the repository's indexes, dates are parsed once
 * per stored resource, and results come in the order Medplum's engine lists them (storage order)
 * unless `_sort` says otherwise. test/unit/fuzz/sandbox-search.property.test.ts checks it
 * against Medplum's own evaluation.
 */

/** The repository's indexes (JournaledRepository implements them). */
export interface ReferenceIndex {
  /** Current resources by `Type|param|reference` key (see referenceKeys). */
  byReference(key: string): Iterable<Resource>;
  /** Bumped by every write, so kept search results of an earlier generation are known stale. */
  readonly generation: number;
  /** Current resources of `type` carrying identifier `system|value`. */
  byIdentifier?(type: string, system: string, value: string): Iterable<Resource>;
  /** Position of a current resource in its type's storage order, to put index hits back in that order. */
  orderOf?(resource: Resource): number;
}

const TYPED_REFERENCE = /^([A-Z][A-Za-z]+)\/([^/]+)$/;

/** `Type|param|reference` keys of a resource, for the repository's reference index. */
export function referenceKeys(resource: Resource | undefined): string[] {
  if (!resource) return [];
  const keys: string[] = [];
  for (const [name, param] of Object.entries(SEARCH_PARAMETERS[resource.resourceType] ?? {})) {
    if (param.type !== 'reference') continue;
    for (const ref of new Set(param.values(resource))) keys.push(`${resource.resourceType}|${name}|${ref}`);
  }
  return keys;
}

/** Each stored resource's date ranges per parameter, parsed once: the repository replaces a resource's object on every write. */
const parsedDates = new WeakMap<Resource, Map<string, readonly DateRange[]>>();
function rangesOf(resource: Resource, name: string, param: SearchParam): readonly DateRange[] {
  let byParam = parsedDates.get(resource);
  if (!byParam) parsedDates.set(resource, (byParam = new Map()));
  let ranges = byParam.get(name);
  if (!ranges) {
    ranges = param.type === 'date' ? param.values(resource).map(rangeOf).filter((r): r is DateRange => r !== undefined) : [];
    byParam.set(name, ranges);
  }
  return ranges;
}

const tokenMatches = (want: TokenValue, have: Token): boolean =>
  (want.system === undefined || (want.system === '' ? have.system === undefined : have.system === want.system)) && (want.code === undefined || have.code === want.code);

/** The test one filter puts to a resource. */
function predicate(type: string, filter: SearchFilter): (resource: Resource) => boolean {
  const param = searchParameter(type, filter.param);
  if (!param) return () => false;
  switch (filter.kind) {
    case 'missing':
      return (r) => (param.values(r).length === 0) === filter.missing;
    case 'reference': {
      const exact = new Set<string>();
      const anyType: { id: string; types: readonly string[] | '*' }[] = [];
      for (const ref of filter.refs) {
        if ('reference' in ref) exact.add(ref.reference);
        else anyType.push(ref);
      }
      return (r) =>
        (param.values(r) as readonly string[]).some((stored) => {
          if (exact.has(stored)) return true;
          const m = anyType.length ? TYPED_REFERENCE.exec(stored) : null;
          return !!m && anyType.some((a) => a.id === m[2] && (a.types === '*' || a.types.includes(m[1] ?? '')));
        });
    }
    case 'token':
      return (r) => {
        const found = (param.values(r) as readonly Token[]).some((have) => filter.tokens.some((want) => tokenMatches(want, have)));
        return filter.not ? !found : found;
      };
    case 'date': {
      // A list of `ne` values excludes every one of them (as `:not` does for tokens); other prefixes OR.
      const allNe = filter.dates.every((d) => d.prefix === 'ne');
      return (r) => {
        const ranges = rangesOf(r, filter.param, param);
        if (allNe) return !filter.dates.some((d) => ranges.some((range) => rangeMatches('eq', range, d.range)));
        return filter.dates.some((d) => ranges.some((range) => (d.prefix === 'ne' ? !rangeMatches('eq', range, d.range) : rangeMatches(d.prefix, range, d.range))));
      };
    }
    case 'string':
      return (r) =>
        (param.values(r) as readonly string[]).some((stored) => {
          if (filter.mode === 'exact') return filter.texts.includes(stored);
          const value = normalizeText(stored);
          return filter.texts.some((t) => (filter.mode === 'contains' ? value.includes(t) : value.startsWith(t)));
        });
  }
}

/**
 * Resources that can match, from an index when a filter allows: a reference filter (each value a
 * `Type/id`, or a bare id over a short list of target types), or an identifier `system|value`.
 * Undefined: scan every resource of the type.
 */
function indexed(search: SandboxSearch, index: ReferenceIndex | undefined): Resource[] | undefined {
  if (!index) return undefined;
  const found = new Map<string, Resource>();
  const refFilter = search.filters.find((f) => f.kind === 'reference' && f.refs.every((ref) => 'reference' in ref || ref.types !== '*'));
  if (refFilter?.kind === 'reference') {
    for (const ref of refFilter.refs) {
      const keys = 'reference' in ref ? [ref.reference] : (ref.types as readonly string[]).map((t) => `${t}/${ref.id}`);
      for (const key of keys) for (const r of index.byReference(`${search.type}|${refFilter.param}|${key}`)) found.set(r.id ?? '', r);
    }
  } else {
    const ids = search.filters.find((f) => f.kind === 'token' && f.param === 'identifier' && !f.not && f.tokens.every((t) => t.system && t.code));
    // DocumentReference's identifier parameter also reads masterIdentifier, which the index does not hold.
    if (ids?.kind !== 'token' || !index.byIdentifier || search.type === 'DocumentReference') return undefined;
    for (const t of ids.tokens) for (const r of index.byIdentifier(search.type, t.system ?? '', t.code ?? '')) found.set(r.id ?? '', r);
  }
  const hits = [...found.values()];
  const orderOf = index.orderOf?.bind(index);
  return orderOf ? hits.sort((a, b) => orderOf(a) - orderOf(b)) : hits;
}

/** Every current resource matching `search` (its filters ANDed), in storage order. */
export function findMatches(search: SandboxSearch, all: () => Iterable<Resource>, index?: ReferenceIndex): Resource[] {
  const tests = search.filters.map((f) => predicate(search.type, f));
  const matches: Resource[] = [];
  for (const resource of indexed(search, index) ?? all()) if (tests.every((test) => test(resource))) matches.push(resource);
  return matches;
}

type SortKey = number | string | undefined;

/** One resource's key for a sort rule: with several values, the one that comes first in the asked direction (R4 search, _sort). */
function sortKey(resource: Resource, type: string, rule: SortRule): SortKey {
  const param = searchParameter(type, rule.param);
  if (!param) return undefined;
  let keys: (number | string)[];
  switch (param.type) {
    case 'date':
      // Dates sort by where their range starts (a Period by its start).
      keys = rangesOf(resource, rule.param, param).map((r) => r.start);
      break;
    case 'token':
      keys = param.values(resource).map((t) => t.code).filter((c): c is string => c !== undefined);
      break;
    case 'string':
      keys = param.values(resource).map(normalizeText);
      break;
    case 'reference':
      keys = [...param.values(resource)];
      break;
  }
  if (keys.length === 0) return undefined;
  return keys.reduce((best, k) => ((rule.descending ? k > best : k < best) ? k : best));
}

/**
 * `matches` ordered by `search.sort`: each key in turn, resources without a value last in either
 * direction, ties left in storage order.
 */
export function sortMatches(search: SandboxSearch, matches: readonly Resource[]): Resource[] {
  if (!search.sort.length) return [...matches];
  const keyed = matches.map((resource) => ({ resource, keys: search.sort.map((rule) => sortKey(resource, search.type, rule)) }));
  keyed.sort((a, b) => {
    for (const [i, rule] of search.sort.entries()) {
      const x = a.keys[i];
      const y = b.keys[i];
      if (x === y) continue;
      if (x === undefined) return 1;
      if (y === undefined) return -1;
      return (x < y ? -1 : 1) * (rule.descending ? -1 : 1);
    }
    return 0;
  });
  return keyed.map((k) => k.resource);
}
