import { unitsByEightMinuteRule } from './estim-units.js';

/** One timed service of a visit: its code and the minutes spent on it. */
export interface TimedMinutes {
  readonly code: string;
  readonly minutes: number;
}

/** The visit's timed units: its total, and each code's share in the order the codes were first charted. */
export interface TimedUnits {
  /** All timed minutes of the visit. */
  readonly totalMinutes: number;
  /** Units the total gives by the 8-minute rule. */
  readonly totalUnits: number;
  /** Minutes and units per code (the same code charted twice is one service). */
  readonly byCode: ReadonlyMap<string, { readonly minutes: number; readonly units: number }>;
}

/**
 * Units of a visit's timed 15-minute codes as CMS describes them (Pub. 100-04, ch. 5, §20.2,
 * citation cms-100-04-5; chirosecure-8-minute-2014): the total timed minutes of all timed services
 * give the number of units by the 8-minute rule; each code first takes a unit for every full 15
 * minutes of its own; the units left over go, one each, to the services with the most minutes left
 * (33 minutes of 97110 and 7 of 97140 make 40 minutes, 3 units: two of 97110 and one of 97140).
 * On equal minutes left, the service charted first takes the unit. Pure.
 */
export function assignTimedUnits(services: readonly TimedMinutes[]): TimedUnits {
  const minutesByCode = new Map<string, number>();
  for (const s of services) {
    const minutes = Number.isFinite(s.minutes) && s.minutes > 0 ? s.minutes : 0;
    minutesByCode.set(s.code, (minutesByCode.get(s.code) ?? 0) + minutes);
  }
  const totalMinutes = [...minutesByCode.values()].reduce((a, b) => a + b, 0);
  const totalUnits = unitsByEightMinuteRule(totalMinutes);
  const units = new Map<string, number>();
  for (const [code, minutes] of minutesByCode) units.set(code, Math.floor(minutes / 15));
  let left = totalUnits - [...units.values()].reduce((a, b) => a + b, 0);
  // Stable sort: on equal minutes left, the code charted first comes first.
  const byRemainder = [...minutesByCode.entries()].map(([code, minutes], order) => ({ code, rest: minutes % 15, order })).sort((a, b) => b.rest - a.rest || a.order - b.order);
  for (const { code, rest } of byRemainder) {
    if (left <= 0 || rest === 0) break;
    units.set(code, (units.get(code) ?? 0) + 1);
    left -= 1;
  }
  const byCode = new Map([...minutesByCode].map(([code, minutes]) => [code, { minutes, units: units.get(code) ?? 0 }] as const));
  return { totalMinutes, totalUnits, byCode };
}
