// The public sources behind each code, warning and finding of the live panel: fetched once from
// GET /api/sources (reference data, cacheable), shown on demand under each item as a "Sources"
// disclosure with a link to each source, so a clinician can see what a rule rests on.

import { citationLine, type Citation } from '../domain/citations.js';
import { el } from './dom.js';

let sources: Readonly<Record<string, Citation>> = {};

/** Loads the citations once; without them the panel simply shows no sources. */
export async function loadSources(): Promise<void> {
  try {
    const res = await fetch('/api/sources');
    if (res.ok) sources = ((await res.json()) as { sources: Record<string, Citation> }).sources;
  } catch {
    // The panel works without its sources.
  }
}

/** A "Sources" disclosure for the citation ids given, or nothing when none is known. */
export function sourcesOf(ids: readonly string[] | undefined): HTMLElement[] {
  const known = (ids ?? []).map((id) => sources[id]).filter((c): c is Citation => c !== undefined);
  if (!known.length) return [];
  const items = known.map((c) => el('span', { class: 'nc-source' }, c.url ? el('a', { href: c.url, target: '_blank', rel: 'noopener noreferrer', text: citationLine(c) }) : el('span', { text: citationLine(c) })));
  return [el('details', { class: 'nc-sources' }, el('summary', { text: known.length === 1 ? 'Source' : `Sources (${known.length})` }), ...items)];
}
