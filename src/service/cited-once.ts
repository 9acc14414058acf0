import type { Citation } from '../domain/citations.js';

/** An item that carries its sources as data. */
interface Cited {
  readonly citations: readonly Citation[];
  readonly source?: string;
}

/** The same item with its sources named by id (and, when asked, its one-line source). */
export type CitedById<T extends Cited> = Omit<T, 'citations' | 'source'> & { readonly citations: readonly string[]; readonly source?: string };

/**
 * Names each item's sources by citation id. The citations themselves are reference data
 * (GET /api/sources, cacheable), so the live panel's preview — sent on every change in the form —
 * carries ids only: the same few citations repeated on every code, modifier, warning and finding, and
 * a one-line source beside each, were over a third of each answer. An API caller that wants it all in
 * one answer asks `?include=sources`: each item keeps its one-line `source`, and `sources` holds each
 * citation once.
 */
export class CitedOnce {
  readonly sources: Record<string, Citation> = {};

  constructor(private readonly withSources: boolean) {}

  item<T extends Cited>(item: T): CitedById<T> {
    const { citations, source, ...rest } = item;
    const ids = citations.map((c) => {
      if (this.withSources) this.sources[c.id] ??= c;
      return c.id;
    });
    return this.withSources && source !== undefined ? { ...rest, source, citations: ids } : { ...rest, citations: ids };
  }
}
