import { advise } from './advice.js';
import type { Sources } from './citations.js';
import type { CodingWarning, Reasoned } from './coding-types.js';
import type { CodeEntry, Profiles } from './profiles.js';

/** One claim line before modifiers and diagnoses are added (suggest-codes.ts turns it into a SuggestedCode). */
export interface LineDraft {
  entry: CodeEntry;
  units: number;
  billable: boolean;
  /** Plain words, already advice when `sources` is unverified. */
  rationale: string;
  sources: Sources;
  /** Needling lines take the payer's non-covered modifiers (GX); other lines do not. */
  needling: boolean;
}

/** The code table's entry for a code the rules name; indexProfiles guarantees it exists. */
export function codeEntry(profiles: Profiles, code: string): CodeEntry {
  const entry = profiles.codes.get(code);
  // indexProfiles guarantees the codes the rules name exist; reaching this is a broken profile set.
  if (!entry) throw new Error(`codes.json lacks ${code}`);
  return entry;
}

/** A coding warning in plain words, advice when its sources are not verified. */
export function warning(rule: string, message: string, sources: Sources, path?: string, checkWith: Parameters<typeof advise>[2] = 'payer'): CodingWarning {
  // Built field by field, `path` last and only when given: object spread is slow in V8 and this runs per warning.
  const built: { -readonly [K in keyof CodingWarning]: CodingWarning[K] } = { rule, message: advise(message, sources.verified, checkWith), source: sources.source, citations: sources.citations, verified: sources.verified };
  if (path) built.path = path;
  return built;
}

/** A modifier with its reason: `{modifier, rationale, source, citations, verified}`, in that order (the JSON a biller's tools read). */
export function modifierReason(modifier: string, rationale: string, sources: Sources): Reasoned & { readonly modifier: string } {
  return { modifier, rationale: advise(rationale, sources.verified), source: sources.source, citations: sources.citations, verified: sources.verified };
}

/** A reason with its sources beside it, advice when they are not verified. */
export function reasoned(rationale: string, sources: Sources): Reasoned {
  return { rationale: advise(rationale, sources.verified), source: sources.source, citations: sources.citations, verified: sources.verified };
}

/** "1 and 3", "a, b and c": a list as a person reads it. */
export function listed(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
