import { sourcesOf, type Sources } from './citations.js';
import { formatDay } from './human-dates.js';
import { fiscalYearOf, fiscalYearStart } from './icd10-fiscal-year.js';
import { blockById, lookUpIcd10, withSeventhCharacters, type Icd10Block } from './icd10-table.js';
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
  /** Categories, codes inside NeedleChart's blocks that the code files read do not hold, and codes not valid on the date of service. */
  readonly refused: readonly RefusedDiagnosis[];
  /** Codes inside NeedleChart's blocks it cannot judge on the date of service (a year whose code files were not read): linked as entered, for the biller to verify. */
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

/** The last day of a fiscal year: 2021 → September 30, 2021. */
function fiscalYearEnd(fiscalYear: number): string {
  return formatDay(`${String(fiscalYear).padStart(4, '0')}-09-30`);
}

/** Whether a listed code exists on a fiscal year: yes, no, or not known (a year between two code files read). */
function existence(entry: Icd10Entry, fiscalYear: number): 'yes' | 'no' | 'unknown' {
  if (entry.validFrom === undefined || fiscalYear >= entry.validFrom) return 'yes';
  return entry.absentThrough !== undefined && fiscalYear > entry.absentThrough ? 'unknown' : 'no';
}

/** Whether a listed code is billable on a fiscal year (a 7th-character base is, with its 7th character). */
function billability(entry: Icd10Entry, fiscalYear: number): 'billable' | 'category' | 'unknown' {
  if (entry.billable || entry.seventhCharacters) return 'billable';
  if (entry.billableThrough !== undefined && fiscalYear <= entry.billableThrough) return 'billable';
  if (entry.categoryFrom !== undefined && fiscalYear < entry.categoryFrom) return 'unknown';
  return 'category';
}

/** The billable codes under a category on a fiscal year, in table order; a 7th-character base stands for its full codes. */
function billableBelow(entry: Icd10Entry, fiscalYear: number, profiles: Profiles): string[] {
  return (entry.children ?? []).flatMap((code) => {
    const child = profiles.icd10.get(code);
    if (!child || existence(child, fiscalYear) !== 'yes') return [];
    if (child.seventhCharacters) return withSeventhCharacters(child, blockById(child.block, profiles)).map((s) => s.code);
    return billability(child, fiscalYear) === 'category' ? billableBelow(child, fiscalYear, profiles) : [child.code];
  });
}

type Verdict =
  | { readonly kind: 'linked' }
  | { readonly kind: 'refused'; readonly children: readonly string[]; readonly message: string }
  | { readonly kind: 'unknown'; readonly message: string };

/** What the table says about a listed code on a date of service. */
function judge(code: string, entry: Icd10Entry, dateOfService: string, profiles: Profiles): Verdict {
  const fiscalYear = fiscalYearOf(dateOfService);
  const on = formatDay(dateOfService);
  const exists = existence(entry, fiscalYear);
  if (exists === 'unknown') {
    return { kind: 'unknown', message: `${code} was added to ICD-10-CM after ${fiscalYearEnd(entry.absentThrough ?? 0)} and is in the code set in force from ${formatDay(fiscalYearStart(entry.validFrom ?? 0))}; NeedleChart did not read the code sets in between, so it cannot tell whether ${code} was valid on ${on}: it is linked as entered; check that it is billable on that date.` };
  }
  if (exists === 'no') {
    const message = entry.absentThrough !== undefined
      ? `${code} is not in the code set in force until ${fiscalYearEnd(entry.absentThrough)}: pick a code valid on ${on}.`
      : `${code} is not valid before ${formatDay(fiscalYearStart(entry.validFrom ?? 0))}: pick a code valid on ${on}.`;
    return { kind: 'refused', children: [], message };
  }
  const billable = billability(entry, fiscalYear);
  if (billable === 'billable') return { kind: 'linked' };
  if (billable === 'unknown') {
    return { kind: 'unknown', message: `${code} was billable until ${fiscalYearEnd(entry.billableThrough ?? 0)} and is a category from ${formatDay(fiscalYearStart(entry.categoryFrom ?? 0))}; NeedleChart did not read the code sets in between, so it cannot tell whether ${code} was billable on ${on}: it is linked as entered; check it, or choose one of the codes below it.` };
  }
  const children = billableBelow(entry, fiscalYear, profiles);
  const since = entry.billableThrough !== undefined ? ` since ${formatDay(fiscalYearStart(entry.billableThrough + 1))}` : '';
  const choose = children.length ? `choose ${either(children)}` : 'choose a more specific code';
  return { kind: 'refused', children, message: `${code} is a category${since}, not billable on a claim line: ${choose}.` };
}

/**
 * Links the session's diagnoses to the claim lines (icd10.json, read from the CMS / CDC code files of
 * the fiscal years it names; ICD-10-CM guidelines I.B.2), judged on the date of service and its fiscal
 * year (October 1): a category is refused with its billable codes listed (M26.60 → M26.601, M26.602,
 * M26.603 or M26.609), a code that takes a 7th character needs it, a code inside NeedleChart's blocks
 * that the code files do not hold is refused as unknown, a code not yet valid on that date is refused
 * (M54.5 is billable on 2021-09-30 and a category on 2021-10-01), and a code outside the blocks is
 * linked with a note that it was not checked. What the files read cannot settle (a date before the
 * first fiscal year read for the block, a change between two years read) is linked as entered with a
 * note, never refused. After the last fiscal year read, the latest year read stands: a code added since
 * is refused as unknown until the table is regenerated from newer files.
 */
export function linkDiagnoses(diagnoses: readonly Diagnosis[], dateOfService: string, profiles: Profiles): DiagnosisLinkage {
  const linked: Diagnosis[] = [];
  const refused: RefusedDiagnosis[] = [];
  const unknown: UncheckedDiagnosis[] = [];
  const unchecked: UncheckedDiagnosis[] = [];
  const on = formatDay(dateOfService);
  const fiscalYear = fiscalYearOf(dateOfService);
  const lastRead = Math.max(...profiles.files.icd10.fiscalYearsRead);
  diagnoses.forEach((diagnosis, index) => {
    const code = diagnosis.code;
    const found = lookUpIcd10(code, profiles);
    if (found.kind === 'outside') {
      unchecked.push({ index, code, message: `${code} is not checked by NeedleChart (its table covers the diagnoses dry-needling visits are usually linked to): it is linked as entered; check that it is billable on ${on}.` });
      linked.push(diagnosis);
      return;
    }
    const block = found.kind === 'listed' ? found.block ?? blockById(found.entry.block, profiles) : found.block;
    const firstRead = Math.min(...(block?.fiscalYearsRead ?? profiles.files.icd10.fiscalYearsRead));
    if (fiscalYear < firstRead) {
      unknown.push({ index, code, message: `NeedleChart's table of ${block ? blockName(block) : 'this block'} starts with the code set in force from ${formatDay(fiscalYearStart(firstRead))}, so it cannot judge ${code} on ${on}: it is linked as entered; check that it is billable on that date.` });
      linked.push(diagnosis);
      return;
    }
    if (found.kind === 'unlisted') {
      const sources = sourcesOf(profiles.cite, { citations: found.block.citations, verified: found.block.confirmed });
      refused.push({ index, code, children: [], sources, message: `${code} is not an ICD-10-CM code: NeedleChart lists every code of ${blockName(found.block)}, read from the code sets in force until ${fiscalYearEnd(lastRead)}, and this is not one of them; check the code.` });
      return;
    }
    const sources = sourcesOf(profiles.cite, { citations: found.entry.citations ?? block?.citations ?? profiles.files.icd10.citations, verified: block?.confirmed ?? false });
    if (found.kind === 'needs-seventh') {
      const full = withSeventhCharacters(found.entry, found.block);
      const message = `${code} needs a 7th character: choose ${either(full.map((s) => `${s.code} (${s.meaning})`))}.`;
      refused.push({ index, code, children: full.map((s) => s.code), message, sources });
      return;
    }
    const verdict = judge(code, found.entry, dateOfService, profiles);
    if (verdict.kind === 'refused') {
      refused.push({ index, code, children: verdict.children, message: verdict.message, sources });
      return;
    }
    if (verdict.kind === 'unknown') unknown.push({ index, code, message: verdict.message });
    linked.push(diagnosis);
  });
  return { linked, refused, unknown, unchecked };
}
