import { sourcesOf, type Sources } from './citations.js';
import { formatDay } from './human-dates.js';
import { fiscalYearOf, fiscalYearStart } from './icd10-fiscal-year.js';
import { lookUpIcd10, withSeventhCharacters, type Icd10Block } from './icd10-table.js';
import type { Icd10Entry, Profiles } from './profiles.js';
import type { Diagnosis } from './types.generated.js';

export interface RefusedDiagnosis {
  readonly index: number;
  readonly code: string;
  /** Codes to pick instead (the billable codes below it on the date of service), in table order. */
  readonly children: readonly string[];
  /** Plain words, without the advice prefix (the finding or warning adds it when `sources` is unverified). */
  readonly message: string;
  /** The code's (or its block's) sources in icd10.json; unverified when they were not read in a source. */
  readonly sources: Sources;
}

/** A code linked as entered because NeedleChart's table cannot judge it: the biller checks it. */
export interface UncheckedDiagnosis {
  readonly index: number;
  readonly code: string;
  /** Plain words, without the advice prefix. */
  readonly message: string;
}

export interface DiagnosisLinkage {
  /** Diagnoses a claim line may point to. */
  readonly linked: readonly Diagnosis[];
  /** Categories, unknown codes in a block listed in full, and codes not valid on the date of service. */
  readonly refused: readonly RefusedDiagnosis[];
  /** Codes in a block NeedleChart lists only in part: linked as entered, for the biller to verify. */
  readonly unknown: readonly UncheckedDiagnosis[];
  /** Codes outside every block NeedleChart checks: linked as entered, not checked by NeedleChart. */
  readonly unchecked: readonly UncheckedDiagnosis[];
}

/** "A", "A or B", "A, B or C". */
function either(words: readonly string[]): string {
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

function blockName(block: Icd10Block): string {
  return `${block.title} (${block.from === block.to ? block.from : `${block.from} to ${block.to}`})`;
}

function existsIn(entry: Icd10Entry, fiscalYear: number): boolean {
  return (entry.validFrom === undefined || fiscalYear >= entry.validFrom) && (entry.validThrough === undefined || fiscalYear <= entry.validThrough);
}

/** The billable codes under a category on a fiscal year, in table order; a 7th-character base stands for its full codes. */
function billableBelow(entry: Icd10Entry, fiscalYear: number, profiles: Profiles): string[] {
  return (entry.children ?? []).flatMap((code) => {
    const child = profiles.icd10.get(code);
    if (!child || !existsIn(child, fiscalYear)) return [];
    if (child.seventhCharacter) return withSeventhCharacters(child, profiles.files.icd10.blocks.find((b) => b.id === child.block)).map((s) => s.code);
    const billable = child.billable || (child.billableThrough !== undefined && fiscalYear <= child.billableThrough);
    return billable ? [child.code] : billableBelow(child, fiscalYear, profiles);
  });
}

/** Why a listed code cannot go on the claim line on this date, or undefined when it can. */
function refusalOf(code: string, entry: Icd10Entry, dateOfService: string, profiles: Profiles): Omit<RefusedDiagnosis, 'index' | 'sources'> | undefined {
  const fiscalYear = fiscalYearOf(dateOfService);
  if (entry.validFrom !== undefined && fiscalYear < entry.validFrom) {
    return { code, children: [], message: `${code} is not valid before ${formatDay(fiscalYearStart(entry.validFrom))}: pick a code valid on ${formatDay(dateOfService)}.` };
  }
  if (entry.validThrough !== undefined && fiscalYear > entry.validThrough) {
    return { code, children: [], message: `${code} was deleted from ICD-10-CM on ${formatDay(fiscalYearStart(entry.validThrough + 1))}: pick a code valid on ${formatDay(dateOfService)}.` };
  }
  if (entry.billable || (entry.billableThrough !== undefined && fiscalYear <= entry.billableThrough)) return undefined;
  const children = billableBelow(entry, fiscalYear, profiles);
  const since = entry.billableThrough !== undefined ? ` since ${formatDay(fiscalYearStart(entry.billableThrough + 1))}` : '';
  const choose = children.length ? `choose ${either(children)}` : 'choose a more specific code';
  return { code, children, message: `${code} is a category${since}, not billable on a claim line: ${choose}.` };
}

/**
 * Links the session's diagnoses to the claim lines (icd10.json; ICD-10-CM guidelines I.B.2), judged
 * on the date of service and its fiscal year (October 1): a category is refused with its billable
 * codes listed (M26.60 → M26.601, M26.602, M26.603 or M26.609), an injury code needs its 7th
 * character, a code the table lists in full but does not know is refused as unknown, a code valid in
 * the table but not on that date is refused for that date (M54.5 is billable on 2021-09-30, not on
 * 2021-10-01), and a code outside the blocks NeedleChart checks is linked with a note that it was not
 * checked.
 */
export function linkDiagnoses(diagnoses: readonly Diagnosis[], dateOfService: string, profiles: Profiles): DiagnosisLinkage {
  const linked: Diagnosis[] = [];
  const refused: RefusedDiagnosis[] = [];
  const unknown: UncheckedDiagnosis[] = [];
  const unchecked: UncheckedDiagnosis[] = [];
  const on = formatDay(dateOfService);
  diagnoses.forEach((diagnosis, index) => {
    const code = diagnosis.code;
    const found = lookUpIcd10(code, profiles);
    if (found.kind === 'outside') {
      unchecked.push({ index, code, message: `${code} is not checked by NeedleChart (its table covers the diagnoses dry-needling visits are usually linked to): it is linked as entered; check that it is billable on ${on}.` });
      linked.push(diagnosis);
      return;
    }
    if (found.kind === 'unlisted') {
      if (found.block.complete) {
        const sources = sourcesOf(profiles.cite, { citations: found.block.citations, verified: found.block.confirmed });
        refused.push({ index, code, children: [], sources, message: `${code} is not an ICD-10-CM code: NeedleChart lists every code of ${blockName(found.block)} and this is not one of them; check the code.` });
        return;
      }
      unknown.push({ index, code, message: `${code} is in ${blockName(found.block)}, which NeedleChart lists only in part: it is linked as entered; check that it is billable on ${on}.` });
      linked.push(diagnosis);
      return;
    }
    const sources = sourcesOf(profiles.cite, found.entry);
    if (found.kind === 'needs-seventh') {
      const full = withSeventhCharacters(found.entry, found.block);
      const message = `${code} needs a 7th character: choose ${either(full.map((s) => `${s.code} (${s.meaning})`))}.`;
      refused.push({ index, code, children: full.map((s) => s.code), message, sources });
      return;
    }
    const refusal = refusalOf(code, found.entry, dateOfService, profiles);
    if (refusal) {
      refused.push({ index, ...refusal, sources });
      return;
    }
    linked.push(diagnosis);
  });
  return { linked, refused, unknown, unchecked };
}
