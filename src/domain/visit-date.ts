import type { ValidationIssue } from '../outcome/validation-issue.js';

/** The encounter's period as the EHR records it (FHIR dateTime strings: a date, or a date and time with offset). */
export interface EncounterPeriod {
  readonly start?: string;
  readonly end?: string;
}

/** Clocks disagree by a little: a visit up to this far ahead of the server's clock is not "in the future". */
export const CLOCK_SKEW_MS = 5 * 60_000;

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const OFFSET = /(Z|[+-]\d{2}:\d{2})$/;

/** Minutes east of UTC of a FHIR dateTime's offset (0 for Z). */
function offsetMinutes(dateTime: string): number {
  const m = OFFSET.exec(dateTime)?.[1];
  if (!m || m === 'Z') return 0;
  const sign = m.startsWith('-') ? -1 : 1;
  return sign * (Number(m.slice(1, 3)) * 60 + Number(m.slice(4, 6)));
}

/** The calendar day of `instant` where `reference` was written (its offset), or its own day for a date. */
function dayAt(instant: string, reference: string): string {
  if (DATE_ONLY.test(reference)) return instant.slice(0, 10);
  return new Date(Date.parse(instant) + offsetMinutes(reference) * 60_000).toISOString().slice(0, 10);
}

const shown = (dateTime: string): string => (DATE_ONLY.test(dateTime) ? dateTime : dateTime.slice(0, 16).replace('T', ' '));

function before(date: string, start: string): boolean {
  return DATE_ONLY.test(start) ? dayAt(date, date) < start : Date.parse(date) < Date.parse(start) - CLOCK_SKEW_MS;
}

function after(date: string, end: string): boolean {
  return DATE_ONLY.test(end) ? dayAt(date, date) > end : Date.parse(date) > Date.parse(end) + CLOCK_SKEW_MS;
}

/**
 * Whether a visit's date fits its encounter: not in the future (beyond a few minutes of clock
 * skew), within the encounter's period, or on the calendar day the encounter started (in the
 * offset the start was written in) when the period has no end yet. A period with no start cannot be
 * checked against. Returns the problem in plain words, naming `date`, or undefined. Pure.
 */
export function visitDateIssue(date: string, period: EncounterPeriod | undefined, now: Date): ValidationIssue | undefined {
  if (Date.parse(date) > now.getTime() + CLOCK_SKEW_MS) return { path: 'date', message: 'The visit date is in the future. Enter when the needling was done.' };
  const start = period?.start;
  if (!start) return undefined;
  if (period.end) {
    if (before(date, start) || after(date, period.end)) return { path: 'date', message: `The visit date must lie within this encounter (${shown(start)} to ${shown(period.end)}).` };
    return undefined;
  }
  if (dayAt(date, start) !== start.slice(0, 10)) return { path: 'date', message: `The visit date must be on the day of this encounter (${start.slice(0, 10)}).` };
  return undefined;
}
