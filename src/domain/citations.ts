import { formatPublishedDate } from './human-dates.js';
import type { Citation } from './types.generated.js';

export type { Citation };

/**
 * The public sources behind one rule, resolved once at start-up: what every output carries beside
 * the sentence a person reads (CLI JSON, /api/preview, CDS cards, notes, export PDFs).
 */
export interface Sources {
  /** The citations themselves (publisher, title, identifier, date, URL, verified), from profiles/citations.json. */
  readonly citations: readonly Citation[];
  /** One line a person reads, e.g. "CMS — Medicare Claims Processing Manual, Pub. 100-04, ch. 5, §20.2"; empty when the rule has no outside source. */
  readonly source: string;
  /** True when the rule's own data says verified and at least one of its sources was read; otherwise the rule is advice. */
  readonly verified: boolean;
}

/** Resolves citation ids to Sources; memoised, so each distinct set of ids is resolved once. */
export type Cite = (ids: readonly string[], verified?: boolean) => Sources;

const lines = new WeakMap<Citation, string>();

/** "CMS — Medicare Claims Processing Manual, Pub. 100-04, ch. 5, §20.2 (June 12, 2025)"; built once per citation. */
export function citationLine(citation: Citation): string {
  let line = lines.get(citation);
  if (line === undefined) {
    const identifier = citation.identifier ? `, ${citation.identifier}` : '';
    const date = citation.date ? ` (${formatPublishedDate(citation.date)})` : '';
    line = `${citation.publisher} \u2014 ${citation.title}${identifier}${date}`;
    lines.set(citation, line);
  }
  return line;
}

/**
 * A `Cite` over the registry. A rule with sources is verified only when its data says so and at
 * least one source was read (a rule may also name the unread primary authority beside the source that
 * was read). A rule with no outside source (NeedleChart's own bookkeeping) keeps its data's flag.
 * Unknown ids throw: indexProfiles refuses to start with one, so reaching this is a programming error.
 */
export function createCite(registry: ReadonlyMap<string, Citation>): Cite {
  const memo = new Map<string, Sources>();
  // Rules pass the same id lists (profile data, never changed after start-up) on every call:
  // remember each list's answer by identity too, so a hot call costs a lookup, not a string key.
  const byList = new WeakMap<readonly string[], { verified?: Sources; unverified?: Sources }>();
  return (ids, verified = true) => {
    let answers = byList.get(ids);
    const remembered = verified ? answers?.verified : answers?.unverified;
    if (remembered) return remembered;
    if (!answers) byList.set(ids, (answers = {}));
    const key = `${verified ? 1 : 0}${ids.join(',')}`;
    const known = memo.get(key);
    if (known) {
      if (verified) answers.verified = known;
      else answers.unverified = known;
      return known;
    }
    const citations = ids.map((id) => {
      const citation = registry.get(id);
      if (!citation) throw new Error(`citation '${id}' is not in the citation registry`);
      return citation;
    });
    const sources: Sources = Object.freeze({
      citations: Object.freeze(citations),
      source: citations.map(citationLine).join('; '),
      verified: verified && (citations.length === 0 || citations.some((c) => c.verified)),
    });
    memo.set(key, sources);
    if (verified) answers.verified = sources;
    else answers.unverified = sources;
    return sources;
  };
}

/** A data entry's sources (a payer rule, a code, a note): its citations and its own verified flag. */
export function sourcesOf(cite: Cite, entry: { readonly citations: readonly string[]; readonly verified?: boolean }): Sources {
  return cite(entry.citations, entry.verified ?? true);
}

/** The sources of a statement built on several rules: all their citations; verified only when every rule is. */
export function combineSources(cite: Cite, parts: readonly Sources[]): Sources {
  if (parts.length === 1 && parts[0]) return parts[0];
  const ids = [...new Set(parts.flatMap((p) => p.citations.map((c) => c.id)))];
  return cite(ids, parts.every((p) => p.verified));
}
