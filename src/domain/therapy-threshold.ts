import { sourcesOf } from './citations.js';
import { warning } from './coding-drafts.js';
import type { CodingWarning, CourseContext } from './coding-types.js';
import { inForceOn } from './in-force.js';
import type { Profiles } from './profiles.js';
import type { PayerPolicy } from './types.generated.js';

const dollars = (amount: number): string => `$${amount.toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: 2 })}`;

/**
 * Medicare's yearly therapy threshold (the payer's `therapyThreshold`, one dated amount per year;
 * Bipartisan Budget Act of 2018 §50202, citation noridian-kx-thresholds): when the chart supplies this
 * year's earlier allowed therapy amounts and they are at or above the amount in force on the date of
 * service, a warning asks for KX on the therapy lines with the medical necessity documented.
 * `payer` is the payer as it stood on `date` (payer-on-date.ts).
 */
export function therapyThresholdWarnings(payer: PayerPolicy, date: string, course: CourseContext, profiles: Profiles, warnings: CodingWarning[]): void {
  const rule = payer.rules.therapyThreshold;
  const spent = course.therapyAmountThisYear;
  if (!rule || spent === undefined) return;
  const year = date.slice(0, 4);
  const amount = inForceOn(rule.amounts, date);
  if (!amount) {
    warnings.push(warning('therapy-threshold-unknown', `NeedleChart has no ${payer.name} therapy threshold for ${year}: compare this year's therapy charges of ${dollars(spent)} with the threshold the payer publishes before deciding on ${rule.modifier}.`, sourcesOf(profiles.cite, rule), undefined));
    return;
  }
  if (spent < amount.amount) return;
  warnings.push(
    warning(
      'therapy-threshold',
      `This patient's physical therapy and speech-language pathology charges allowed so far in ${year} come to ${dollars(spent)}, at or above ${payer.name}'s threshold of ${dollars(amount.amount)} for ${year}: put ${rule.modifier} on each therapy line when the care remains medically necessary and the note shows why.`,
      sourcesOf(profiles.cite, amount),
    ),
  );
}
