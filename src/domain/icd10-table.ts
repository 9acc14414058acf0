import type { Icd10Entry, Profiles } from './profiles.js';
import type { Icd10TableFile } from './types.generated.js';

export type Icd10Block = Icd10TableFile['blocks'][number];

/** What the table says about a code as entered on a claim line. */
export type Icd10Lookup =
  /** Listed (a 7-character injury code resolves to its listed 6-character base). */
  | { readonly kind: 'listed'; readonly entry: Icd10Entry; readonly block: Icd10Block | undefined }
  /** A listed base that needs a 7th character, entered without one or with one its block does not take. */
  | { readonly kind: 'needs-seventh'; readonly entry: Icd10Entry; readonly block: Icd10Block }
  /** Not listed, inside a block: refused when the block is complete, linked for checking when it is partial. */
  | { readonly kind: 'unlisted'; readonly block: Icd10Block }
  /** Outside every block NeedleChart checks. */
  | { readonly kind: 'outside' };

/** The most specific block whose range holds the code (M79.10 → M79.1 rather than M60-M79). */
export function blockOf(code: string, profiles: Profiles): Icd10Block | undefined {
  let best: Icd10Block | undefined;
  for (const block of profiles.files.icd10.blocks) {
    const inside = code.slice(0, block.from.length) >= block.from && code.slice(0, block.to.length) <= block.to;
    if (inside && (!best || block.from.length > best.from.length)) best = block;
  }
  return best;
}

function blockById(id: string, profiles: Profiles): Icd10Block | undefined {
  return profiles.files.icd10.blocks.find((b) => b.id === id);
}

/**
 * Finds a code in icd10.json. Injury codes (S13, S16, S23, S33, S39) are listed at 6 characters with
 * their block's 7th-character rule, so S39.012A resolves to S39.012 when A is one of the block's 7th
 * characters; the billable code is always the full 7-character one.
 */
export function lookUpIcd10(code: string, profiles: Profiles): Icd10Lookup {
  const entry = profiles.icd10.get(code);
  if (entry) {
    const block = blockById(entry.block, profiles);
    return entry.seventhCharacter && block ? { kind: 'needs-seventh', entry, block } : { kind: 'listed', entry, block };
  }
  const base = profiles.icd10.get(code.slice(0, -1));
  if (base?.seventhCharacter) {
    const block = blockById(base.block, profiles);
    if (block) {
      const allowed = (block.seventhCharacters ?? []).some((s) => s.character === code.slice(-1));
      return allowed ? { kind: 'listed', entry: base, block } : { kind: 'needs-seventh', entry: base, block };
    }
  }
  const block = blockOf(code, profiles);
  return block ? { kind: 'unlisted', block } : { kind: 'outside' };
}

/** The full codes a 6-character injury base stands for: S39.012 → S39.012A, S39.012D, S39.012S. */
export function withSeventhCharacters(entry: Icd10Entry, block: Icd10Block | undefined): { code: string; meaning: string }[] {
  return (block?.seventhCharacters ?? []).map((s) => ({ code: `${entry.code}${s.character}`, meaning: s.meaning }));
}
