/**
 * Medplum's own search evaluation, for checking the sandbox's fast path against it: a parsed
 * sandbox search turned back into Medplum filters and run by Medplum's in-memory repository
 * (`MemoryRepository.search`, FHIRPath over every resource). The sandbox's own parsing stays in
 * front of both (reference forms resolved, `_sort:desc` read), so what is compared is which
 * resources match and in what storage order; ordering by `_sort` and the page then go through the
 * same code for both.
 *
 * Where Medplum's evaluation is not FHIR R4 search, this module does not paper over it: the
 * generators in search-properties.ts stay out of those cases, and search-deviations.test.ts shows
 * each one (see MEDPLUM_DEVIATIONS).
 */
import { globalSchema, Operator, type Filter, type SortRule } from '@medplum/core';
import type { Resource, ResourceType } from '@medplum/fhirtypes';
import type { JournaledRepository } from '../../src/sandbox/journaled-repository.js';
import type { SandboxSearch, SearchFilter } from '../../src/sandbox/search-request.js';

/** Medplum's search-parameter targets (`*` parameters: every type it knows). */
function targetsOf(type: string, param: string): readonly string[] {
  return globalSchema.types[type]?.searchParams?.[param]?.target ?? [];
}

/** One sandbox filter as the Medplum filter that asks the same. */
export function medplumFilter(type: string, filter: SearchFilter): Filter {
  switch (filter.kind) {
    case 'missing':
      return { code: filter.param, operator: Operator.MISSING, value: String(filter.missing) };
    case 'reference':
      return {
        code: filter.param,
        operator: Operator.EQUALS,
        value: filter.refs.flatMap((ref) => ('reference' in ref ? [ref.reference] : (ref.types === '*' ? targetsOf(type, filter.param) : ref.types).map((t) => `${t}/${ref.id}`))).join(','),
      };
    case 'token':
      return {
        code: filter.param,
        operator: filter.not ? Operator.NOT : Operator.EQUALS,
        value: filter.tokens.map((t) => (t.system === undefined ? (t.code ?? '') : `${t.system}|${t.code ?? ''}`)).join(','),
      };
    case 'date': {
      const prefixes = new Set(filter.dates.map((d) => d.prefix));
      // Medplum reads one prefix for a whole comma-separated list (MEDPLUM_DEVIATIONS).
      if (prefixes.size !== 1) throw new Error(`Medplum cannot run a date list with mixed prefixes: ${[...prefixes].join(', ')}`);
      return { code: filter.param, operator: filter.dates[0]?.prefix as Operator, value: filter.dates.map((d) => d.text).join(',') };
    }
    case 'string':
      // Medplum matches every string search as "contains" (MEDPLUM_DEVIATIONS): only :contains compares.
      if (filter.mode !== 'contains') throw new Error(`Medplum has no ${filter.mode} string search`);
      return { code: filter.param, operator: Operator.CONTAINS, value: filter.texts.join(',') };
  }
}

/** The resources Medplum's engine finds for `search`'s filters, in its order (storage order), as the stored objects. */
export async function medplumMatches(search: SandboxSearch, repo: JournaledRepository): Promise<Resource[]> {
  const bundle = await repo.search({ resourceType: search.type as ResourceType, filters: search.filters.map((f) => medplumFilter(search.type, f)) });
  const stored = new Map([...repo.resourcesOfType(search.type)].map((r) => [r.id, r]));
  return (bundle.entry ?? []).map((e) => stored.get(e.resource?.id) ?? (e.resource as Resource));
}

/** Medplum's own `_sort` evaluation of `search` (its filters, then its sort rules), as ids. */
export async function medplumSortedIds(search: SandboxSearch, repo: JournaledRepository, sortRules: SortRule[]): Promise<string[]> {
  const bundle = await repo.search({ resourceType: search.type as ResourceType, filters: search.filters.map((f) => medplumFilter(search.type, f)), sortRules });
  return (bundle.entry ?? []).map((e) => e.resource?.id ?? '');
}

/**
 * Where Medplum's in-memory search (4.5) departs from FHIR R4 search, found while building the
 * differential test. The sandbox follows R4; the generators avoid these cases, and
 * test/unit/sandbox/search-deviations.test.ts pins each one.
 */
export const MEDPLUM_DEVIATIONS = [
  'reference: a bare id (patient=123) matches nothing; only the exact stored string (Patient/123) matches',
  '_sort:desc / _sort:asc: the modifier is dropped, so the sort is ascending',
  '_sort with several keys: the last key decides (each key re-sorts the whole list)',
  '_sort compares the JSON text of the values, not instants: dates with different UTC offsets, Periods and codes sort by their text',
  'string: every string search (default, :exact) is "contains", ignoring accents only by case; R4 default is "starts with", case- and accent-insensitive',
  'token: codes and ids compare case-insensitively, and a CodeableConcept.text or Coding.display matches as if it were a code',
  'date eq/ne/ge/le: a stored range that overlaps the search range counts as inside it (R4: eq needs the search range to contain it; ge/le need it above/below or contained)',
  'date: a month value (2026-02) ends on day 31, rolling into the next month for shorter months',
  'date: a comma-separated list of dates is refused by its query parser, and its matcher reads one prefix for the whole list',
  'date: minute precision (2026-03-01T10:00) is refused as an invalid date',
  '_summary, _elements and _total are ignored by the in-memory repository, and there is no default page size',
] as const;
