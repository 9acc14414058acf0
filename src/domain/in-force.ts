import type { PayerPolicy } from './types.generated.js';

/** Anything in profiles/ that holds from a date and, perhaps, until a date (codes, modifiers, payer rules, notes, state entries). */
export interface Dated {
  /** First date of service it applies to (YYYY-MM-DD); absent means no start is recorded. */
  readonly effective?: string;
  /** Last date of service it applies to (YYYY-MM-DD); absent while it is in force. */
  readonly expires?: string;
}

/** The date of service of a visit: the calendar day where the visit was charted (its own UTC offset), YYYY-MM-DD. */
export function dateOfService(visitDate: string): string {
  return visitDate.slice(0, 10);
}

/**
 * Whether a dated rule was in force on `date` (YYYY-MM-DD): on or after `effective` and on or before
 * `expires`. The engine applies only what was in force on the date of service (issue 14): a 2019 visit
 * never gets a 2020 code, note or modifier.
 */
export function inForce(rule: Dated, date: string): boolean {
  return (rule.effective === undefined || rule.effective <= date) && (rule.expires === undefined || date <= rule.expires);
}

/**
 * Whether a payer's published policy was in force on `date` by its history (effective, archived,
 * reinstated, revised): the last event on or before the date decides. Without a history, in force.
 */
export function policyInForce(history: PayerPolicy['history'], date: string): boolean {
  if (!history) return true;
  const events = [...history.events].sort((a, b) => a.date.localeCompare(b.date));
  let inForceNow = false;
  for (const e of events) {
    if (e.date > date) break;
    inForceNow = e.event !== 'archived';
  }
  return inForceNow;
}

/** The entry among several dated ones that was in force on `date` (the first, in file order), if any. */
export function inForceOn<T extends Dated>(entries: readonly T[], date: string): T | undefined {
  return entries.find((e) => inForce(e, date));
}
