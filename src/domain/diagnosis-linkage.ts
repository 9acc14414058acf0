import { sourcesOf, type Sources } from './citations.js';
import { formatDay } from './human-dates.js';
import type { Profiles } from './profiles.js';
import type { Diagnosis } from './types.generated.js';

export interface RefusedDiagnosis {
  readonly index: number;
  readonly code: string;
  /** Codes to pick instead (the billable children), in table order. */
  readonly children: readonly string[];
  /** Plain words, without the advice prefix (the finding or warning adds it when `sources` is unverified). */
  readonly message: string;
  /** The code's sources in icd10.json; unverified when its dates or billability were not read in a source. */
  readonly sources: Sources;
}

export interface DiagnosisLinkage {
  /** Diagnoses a claim line may point to. */
  readonly linked: readonly Diagnosis[];
  /** Non-billable parents and codes not valid on the date of service. */
  readonly refused: readonly RefusedDiagnosis[];
  /** Codes NeedleChart's table does not know: linked as entered, for the biller to verify. */
  readonly unknown: readonly { readonly index: number; readonly code: string }[];
}

/**
 * Links the session's diagnoses to the claim lines, refusing a non-billable parent and saying which
 * child to pick (icd10.json; ICD-10-CM guidelines I.B.2). Validity is judged on the date of service,
 * so M54.5 stays billable on a 2021 visit and M54.50 does not exist before 2021-10-01.
 */
export function linkDiagnoses(diagnoses: readonly Diagnosis[], dateOfService: string, profiles: Profiles): DiagnosisLinkage {
  const linked: Diagnosis[] = [];
  const refused: RefusedDiagnosis[] = [];
  const unknown: { index: number; code: string }[] = [];
  diagnoses.forEach((diagnosis, index) => {
    const entry = profiles.icd10.get(diagnosis.code);
    if (!entry) {
      unknown.push({ index, code: diagnosis.code });
      linked.push(diagnosis);
      return;
    }
    const children = entry.children ?? [];
    const billableOnDate = entry.billable
      ? !entry.billableFrom || dateOfService >= entry.billableFrom
      : !!entry.billableUntil && dateOfService <= entry.billableUntil;
    if (billableOnDate) {
      linked.push(diagnosis);
      return;
    }
    const message = entry.billable
      ? `${entry.code} is not valid before ${formatDay(entry.billableFrom ?? '')}: pick a code valid on ${formatDay(dateOfService)}.`
      : `${entry.code} is not billable: pick ${describeChildren(children, profiles)}.`;
    refused.push({ index, code: entry.code, children, message, sources: sourcesOf(profiles.cite, entry) });
  });
  return { linked, refused, unknown };
}

function describeChildren(children: readonly string[], profiles: Profiles): string {
  const words = children.map((c) => `${c} (${profiles.icd10.get(c)?.display ?? c})`);
  if (words.length <= 1) return words.join('') || 'a more specific code';
  return `one of ${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}
