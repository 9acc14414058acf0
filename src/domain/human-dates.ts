/**
 * Dates and times as a clinician or a payer reviewer reads them ("Friday, November 20, 2026, 2:30 PM"),
 * never ISO timestamps. Pure: Intl.DateTimeFormat only, formatters built once per zone.
 */

/** Where a time is shown: a clinic's IANA time zone, or a fixed UTC offset (the visit's own). */
export type DisplayZone = { readonly timeZone: string } | { readonly offsetMinutes: number };

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/i;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const formatters = new Map<string, { date: Intl.DateTimeFormat; time: Intl.DateTimeFormat }>();
function formattersFor(timeZone: string): { date: Intl.DateTimeFormat; time: Intl.DateTimeFormat } {
  let found = formatters.get(timeZone);
  if (!found) {
    found = {
      date: new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' }),
      time: new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', minute: '2-digit' }),
    };
    formatters.set(timeZone, found);
  }
  return found;
}

/** True when `name` is an IANA time zone this runtime knows (e.g. America/New_York). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function offsetMinutes(offset: string | undefined): number {
  if (!offset || offset.toUpperCase() === 'Z') return 0;
  const sign = offset.startsWith('-') ? -1 : 1;
  return sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
}

/** The zone a visit's times are shown in: the clinic's when configured, else the offset the visit's own date carries. */
export function displayZone(timeZone: string | undefined, visitDate: string): DisplayZone {
  if (timeZone) return { timeZone };
  return { offsetMinutes: offsetMinutes(ISO.exec(visitDate)?.[7]) };
}

/** The instant, and the zone to show it in (its own offset unless one is given). */
function resolve(iso: string, zone: DisplayZone | undefined): { when: Date; timeZone: string } | undefined {
  const m = ISO.exec(iso);
  if (!m?.[4]) return undefined;
  const instant = Date.parse(m[7] ? iso : `${iso}Z`);
  if (Number.isNaN(instant)) return undefined;
  const shown = zone ?? { offsetMinutes: offsetMinutes(m[7]) };
  if ('timeZone' in shown) return { when: new Date(instant), timeZone: shown.timeZone };
  // A fixed offset: shift the instant and read it as UTC, which gives that offset's wall clock.
  return { when: new Date(instant + shown.offsetMinutes * 60_000), timeZone: 'UTC' };
}

/** "Friday, November 20, 2026, 2:30 PM". An input that is not an ISO date-time comes back as a day or unchanged. */
export function formatDateTime(iso: string, zone?: DisplayZone): string {
  const r = resolve(iso, zone);
  if (!r) return formatDay(iso);
  const f = formattersFor(r.timeZone);
  return `${f.date.format(r.when)}, ${f.time.format(r.when).replace(/\s/g, ' ')}`;
}

/** "November 20, 2026": the calendar day of a date or date-time (in `zone` for a date-time). */
export function formatDay(iso: string, zone?: DisplayZone): string {
  const r = resolve(iso, zone);
  if (r) {
    const parts = formattersFor(r.timeZone).date.formatToParts(r.when);
    const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
    return `${part('month')} ${part('day')}, ${part('year')}`;
  }
  const m = ISO.exec(iso);
  if (!m) return iso;
  return `${MONTHS[Number(m[2]) - 1] ?? m[2]} ${Number(m[3])}, ${m[1]}`;
}

/** A date as a publisher printed it: "June 12, 2025", "December 2022" or "2025". */
export function formatPublishedDate(date: string): string {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(date);
  if (!m) return date;
  if (m[3]) return formatDay(date);
  if (m[2]) return `${MONTHS[Number(m[2]) - 1] ?? m[2]} ${m[1]}`;
  return m[1] ?? date;
}
