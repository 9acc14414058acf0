import type { DateValue } from './search-parameters.js';

/**
 * FHIR dates as the ranges search compares (http://hl7.org/fhir/R4/search.html#date): every date,
 * dateTime or instant stands for the whole span its precision covers (`2026-03` is all of March,
 * `2026-03-02T10:00:00Z` the whole second), and a Period runs from the start of its start to the end
 * of its end, open where either is missing. Bounds are epoch milliseconds, both inclusive. Values
 * without a time zone (dates, and search values written without one) are read as UTC, the sandbox's
 * time zone.
 */
export interface DateRange {
  readonly start: number;
  readonly end: number;
}

const DATE_TIME = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/** The range a date, dateTime or instant string covers, or undefined when it is not one. */
export function parseDateRange(text: string): DateRange | undefined {
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, fraction, zone] = m;
  const year = Number(y);
  const month = mo === undefined ? 0 : Number(mo) - 1;
  const day = d === undefined ? 1 : Number(d);
  if (year < 1 || month > 11 || day < 1 || day > new Date(utc(year, month + 1, 0)).getUTCDate()) return undefined;
  if (h === undefined) {
    const start = utc(year, month, day);
    const next = mo === undefined ? utc(year + 1, 0, 1) : d === undefined ? utc(year, month + 1, 1) : utc(year, month, day + 1);
    return { start, end: next - 1 };
  }
  const hours = Number(h);
  const minutes = Number(mi);
  const seconds = s === undefined ? 0 : Number(s);
  if (hours > 23 || minutes > 59 || seconds > 59) return undefined;
  const ms = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  const span = s === undefined ? 60_000 : fraction === undefined ? 1000 : fraction.length >= 3 ? 1 : 10 ** (3 - fraction.length);
  let offset = 0;
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 14 || om > 59) return undefined;
    offset = sign * (oh * 60 + om) * 60_000;
  }
  const start = utc(year, month, day, hours, minutes, seconds, ms) - offset;
  return { start, end: start + span - 1 };
}

/** Epoch milliseconds of a UTC time; months and days past their end roll over. (Date.UTC would read years 0–99 as 19xx.) */
function utc(year: number, month: number, day: number, hours = 0, minutes = 0, seconds = 0, ms = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, day);
  d.setUTCHours(hours, minutes, seconds, ms);
  return d.getTime();
}

/** The range of a stored value; a Period's missing start or end leaves that side open. Undefined when unreadable. */
export function rangeOf(value: DateValue): DateRange | undefined {
  if (typeof value === 'string') return parseDateRange(value);
  const start = value.start === undefined ? -Infinity : parseDateRange(value.start)?.start;
  const end = value.end === undefined ? Infinity : parseDateRange(value.end)?.end;
  if (start === undefined || end === undefined || (value.start === undefined && value.end === undefined)) return undefined;
  return { start, end };
}

/** Search prefixes the sandbox supports (`ap`, approximately, is refused as not supported). */
export type DatePrefix = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le' | 'sa' | 'eb';

/**
 * Whether a stored range matches a search range under a prefix, as R4 defines each prefix
 * (http://hl7.org/fhir/R4/search.html#prefix): `eq` the search range contains the stored one, `gt`
 * the range above the search value overlaps it, `ge` either of those, `sa` the stored range starts
 * after the search range ends, and their mirror images. `ne` is handled by the caller (not `eq`).
 */
export function rangeMatches(prefix: Exclude<DatePrefix, 'ne'>, target: DateRange, search: DateRange): boolean {
  const contained = search.start <= target.start && target.end <= search.end;
  switch (prefix) {
    case 'eq':
      return contained;
    case 'gt':
      return target.end > search.end;
    case 'lt':
      return target.start < search.start;
    case 'ge':
      return target.end > search.end || contained;
    case 'le':
      return target.start < search.start || contained;
    case 'sa':
      return target.start > search.end;
    case 'eb':
      return target.end < search.start;
  }
}
