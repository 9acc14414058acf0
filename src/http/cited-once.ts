import type { Citation } from '../domain/citations.js';

/** An item that carries its sources as data. */
interface Cited {
  readonly citations: readonly Citation[];
}

/** The same item with its sources named by id; the sources themselves sit once in the response's `sources`. */
export type CitedById<T extends Cited> = Omit<T, 'citations'> & { readonly citations: readonly string[] };

/**
 * Sends each cited source once: items keep their one-line `source` and name their citations by id,
 * and `sources` maps each id to the citation (publisher, title, identifier, date, URL). The live
 * panel's preview repeated the same few citations on every code, modifier, warning and finding, half
 * of each response.
 */
export class CitedOnce {
  readonly sources: Record<string, Citation> = {};

  item<T extends Cited>(item: T): CitedById<T> {
    const ids = item.citations.map((c) => {
      this.sources[c.id] ??= c;
      return c.id;
    });
    return { ...item, citations: ids };
  }
}
