import type { Bundle, BundleEntry, BundleLink, Resource } from '@medplum/fhirtypes';
import { findMatches, sortMatches, type ReferenceIndex } from './fast-search.js';
import { SEARCH_PARAMETERS } from './search-parameters.js';
import { parseSearch, type Handling, type SandboxSearch } from './search-request.js';
import { snapshotKey, type SearchSnapshots } from './search-snapshots.js';
import { subsetOf } from './search-subset.js';

/**
 * `GET [base]/Type?…` on the sandbox: the query read as R4 search (search-request.ts), the matches
 * found and ordered (fast-search.ts), kept for paging (search-snapshots.ts), and the page returned as
 * a searchset Bundle with `total`, self/previous/next links and `_summary`/`_elements` applied.
 */

export interface SearchSource {
  /** The current resources of a type, in storage order. */
  readonly all: (type: string) => Iterable<Resource>;
  readonly index?: ReferenceIndex;
  readonly snapshots?: SearchSnapshots;
}

export interface SearchOptions {
  readonly handling: Handling;
  /** This server's FHIR base URL: absolute references on it read as relative ones, and links are built on it. */
  readonly base?: string;
}

/** Whether the sandbox answers searches of `type` itself (the types its CapabilityStatement lists). */
export function servesSearch(type: string): boolean {
  return Object.hasOwn(SEARCH_PARAMETERS, type);
}

/** Every match of a parsed search, sorted, reusing the matches kept from an earlier page of the same search. */
export function sortedMatches(search: SandboxSearch, source: SearchSource): readonly Resource[] {
  const run = (): Resource[] => sortMatches(search, findMatches(search, () => source.all(search.type), source.index));
  if (!source.snapshots || !source.index) return run();
  return source.snapshots.matches(snapshotKey(search.type, queryOf(search.used)), source.index.generation, run);
}

/** The searchset Bundle for one page of `matches` (all matches of `search`, in order). */
export function searchsetOf(search: SandboxSearch, matches: readonly Resource[], base?: string): Bundle {
  const countOnly = search.summary === 'count';
  const page = countOnly || search.count === 0 ? [] : matches.slice(search.offset, search.offset + search.count);
  const entry: BundleEntry[] = page.map((resource) => ({
    ...(base ? { fullUrl: `${base}/${resource.resourceType}/${resource.id}` } : {}),
    resource: subsetOf(structuredClone(resource), search.summary, search.elements),
    search: { mode: 'match' },
  }));
  if (search.ignored.length) entry.push({ resource: { resourceType: 'OperationOutcome', issue: search.ignored } as Resource, search: { mode: 'outcome' } });
  const total = countOnly || search.total !== 'none' ? { total: matches.length } : {};
  return { resourceType: 'Bundle', type: 'searchset', ...total, ...(base ? { link: linksOf(search, matches.length, base) } : {}), ...(entry.length ? { entry } : {}) };
}

/** Self (the parameters used, R4 search "self link"), and previous/next pages by `_offset`. */
function linksOf(search: SandboxSearch, total: number, base: string): BundleLink[] {
  const url = (offset: number): string => {
    const params = new URLSearchParams(search.used.map(([k, v]): [string, string] => [k, v]));
    params.set('_count', String(search.count));
    if (offset > 0) params.set('_offset', String(offset));
    return `${base}/${search.type}?${params.toString()}`;
  };
  const links: BundleLink[] = [{ relation: 'self', url: url(search.offset) }];
  const paged = search.summary !== 'count' && search.count > 0;
  if (paged && search.offset > 0) links.push({ relation: 'previous', url: url(Math.max(0, search.offset - search.count)) });
  if (paged && search.offset + search.count < total) links.push({ relation: 'next', url: url(search.offset + search.count) });
  return links;
}

/** The used parameters as a query record (repeats as arrays), for the snapshot key; presentation-only ones are dropped there. */
function queryOf(used: SandboxSearch['used']): Record<string, string[]> {
  const query: Record<string, string[]> = {};
  for (const [k, v] of used) (query[k] ??= []).push(v);
  return query;
}

/** Answers `GET [base]/Type?query` for a type the sandbox serves; throws a 400 OperationOutcomeError for a refused query. */
export function searchType(type: string, query: Record<string, string | string[] | undefined>, source: SearchSource, options: SearchOptions): Bundle {
  const search = parseSearch(type, query, options);
  return searchsetOf(search, sortedMatches(search, source), options.base);
}

/**
 * Every match of `GET /Type?query` (no paging), or undefined when the sandbox cannot run the query
 * (a type it does not serve, or a parameter it does not support): the Bulk Data export's `_typeFilter`.
 */
export function matchingResources(type: string, query: Record<string, string | string[] | undefined>, all: () => Iterable<Resource>, index?: ReferenceIndex): Resource[] | undefined {
  if (!servesSearch(type)) return undefined;
  let search: SandboxSearch;
  try {
    search = parseSearch(type, query, { handling: 'strict' });
  } catch {
    return undefined;
  }
  return sortMatches(search, findMatches(search, all, index));
}
