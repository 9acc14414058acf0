import type { Resource } from '@medplum/fhirtypes';

/**
 * The matches of recent searches, kept so that paging through a large result (`next` links with
 * `_offset`) reads the kept list instead of running the query again for every page — as HAPI FHIR
 * keeps a search's results behind its paging links. The index a search ran against bumps its
 * generation on every write, which drops every kept result: a page never shows a stale match.
 */
export class SearchSnapshots {
  private generation = -1;
  private readonly results = new Map<string, readonly Resource[]>();

  constructor(private readonly limit = 32) {}

  /** The kept matches of `key` at `generation`, or those `search` finds (then kept, the oldest dropped past the limit). */
  matches(key: string, generation: number, search: () => readonly Resource[]): readonly Resource[] {
    if (generation !== this.generation) {
      this.results.clear();
      this.generation = generation;
    }
    const kept = this.results.get(key);
    if (kept) {
      // Most recently used last, so the oldest is the first key.
      this.results.delete(key);
      this.results.set(key, kept);
      return kept;
    }
    const found = search();
    this.results.set(key, found);
    if (this.results.size > this.limit) this.results.delete(this.results.keys().next().value ?? '');
    return found;
  }
}

/** Parameters that shape a page, not which resources match or their order. */
const PAGE_ONLY = new Set(['_offset', '_count', '_summary', '_elements', '_total', '_format']);

/** The key a search is kept under: its type and every parameter except those of the page (`_offset`, `_count`, `_summary`, …). */
export function snapshotKey(type: string, query: Record<string, string | string[] | undefined>): string {
  const params = Object.entries(query)
    .filter(([k, v]) => !PAGE_ONLY.has(k) && v !== undefined)
    .map(([k, v]) => [k, Array.isArray(v) ? [...v].sort() : [v]] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([type, params]);
}
