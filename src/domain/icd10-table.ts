import type { Icd10Entry, Profiles } from './profiles.js';
import type { Icd10TableFile } from './types.generated.js';

export type Icd10Block = Icd10TableFile['blocks'][number];

/** What the table says about a code as entered on a claim line. */
export type Icd10Lookup =
  /** Listed (a 7-character code resolves to its listed 6-character base). */
  | { readonly kind: 'listed'; readonly entry: Icd10Entry; readonly block: Icd10Block | undefined }
  /** A listed base that needs a 7th character, entered without one or with one it does not take. */
  | { readonly kind: 'needs-seventh'; readonly entry: Icd10Entry; readonly block: Icd10Block }
  /** Not listed, inside a block NeedleChart lists in full. */
  | { readonly kind: 'unlisted'; readonly block: Icd10Block }
  /** Outside every block NeedleChart checks. */
  | { readonly kind: 'outside' };

/** The most specific block whose range holds the code (M26.62 → M26.6, M54.50 → M40-M54). */
export function blockOf(code: string, profiles: Profiles): Icd10Block | undefined {
  let best: Icd10Block | undefined;
  for (const block of profiles.files.icd10.blocks) {
    const inside = code.slice(0, block.from.length) >= block.from && code.slice(0, block.to.length) <= block.to;
    if (inside && (!best || block.from.length > best.from.length)) best = block;
  }
  return best;
}

/** The block a listed code belongs to. */
export function blockById(id: string, profiles: Profiles): Icd10Block | undefined {
  return profiles.files.icd10.blocks.find((b) => b.id === id);
}

/**
 * Finds a code in icd10.json. Codes that take a 7th character (S13, S16, S23, S33, S39 injuries, M48.4
 * and M48.5 fractures) are listed at 6 characters with the 7th characters they take, so S39.012A
 * resolves to S39.012 when A is one of them; the billable code is always the full 7-character one.
 */
export function lookUpIcd10(code: string, profiles: Profiles): Icd10Lookup {
  const entry = profiles.icd10.get(code);
  if (entry) {
    const block = blockById(entry.block, profiles);
    return entry.seventhCharacters && block ? { kind: 'needs-seventh', entry, block } : { kind: 'listed', entry, block };
  }
  const base = profiles.icd10.get(code.slice(0, -1));
  if (base?.seventhCharacters) {
    const block = blockById(base.block, profiles);
    if (block) return base.seventhCharacters.includes(code.slice(-1)) ? { kind: 'listed', entry: base, block } : { kind: 'needs-seventh', entry: base, block };
  }
  const block = blockOf(code, profiles);
  return block ? { kind: 'unlisted', block } : { kind: 'outside' };
}

/** The full codes a 6-character base stands for: S39.012 → S39.012A (initial encounter), S39.012D, S39.012S. */
export function withSeventhCharacters(entry: Icd10Entry, block: Icd10Block | undefined): { code: string; meaning: string }[] {
  const meanings = new Map((block?.seventhCharacters ?? []).map((s) => [s.character, s.meaning]));
  return [...(entry.seventhCharacters ?? '')].map((character) => ({ code: `${entry.code}${character}`, meaning: meanings.get(character) ?? `7th character ${character}` }));
}
