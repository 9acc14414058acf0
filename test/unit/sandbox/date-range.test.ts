import { describe, expect, it } from 'vitest';
import { parseDateRange, rangeMatches, rangeOf, type DatePrefix } from '../../../src/sandbox/date-range.js';

const at = (iso: string): number => Date.parse(iso);

describe('FHIR dates as ranges (R4 search, date)', () => {
  it.each([
    ['a year', '2026', '2026-01-01T00:00:00.000Z', '2026-12-31T23:59:59.999Z'],
    ['a 28-day month', '2026-02', '2026-02-01T00:00:00.000Z', '2026-02-28T23:59:59.999Z'],
    ['a 30-day month', '2026-04', '2026-04-01T00:00:00.000Z', '2026-04-30T23:59:59.999Z'],
    ['a day (UTC, the sandbox time zone)', '2026-03-02', '2026-03-02T00:00:00.000Z', '2026-03-02T23:59:59.999Z'],
    ['a minute', '2026-03-02T10:15', '2026-03-02T10:15:00.000Z', '2026-03-02T10:15:59.999Z'],
    ['a second with an offset', '2026-03-02T10:15:30-05:00', '2026-03-02T15:15:30.000Z', '2026-03-02T15:15:30.999Z'],
    ['a tenth of a second', '2026-03-02T10:15:30.1Z', '2026-03-02T10:15:30.100Z', '2026-03-02T10:15:30.199Z'],
    ['a millisecond', '2026-03-02T10:15:30.123+14:00', '2026-03-01T20:15:30.123Z', '2026-03-01T20:15:30.123Z'],
  ])('when the value is %s (%s), then it covers the span its precision covers', (_label, text, start, end) => {
    expect(parseDateRange(text)).toEqual({ start: at(start), end: at(end) });
  });

  it.each(['2026-02-30', '2026-13', '2026-03-02T24:00:00Z', '2026-03-02T10:15:30+15:00', '26-03-02', 'tomorrow', '2026-03-02T10'])('when the value is %s, then it is not a date', (text) => {
    expect(parseDateRange(text)).toBeUndefined();
  });

  it('when a Period has no end, then it is open towards the future; with no start, towards the past', () => {
    expect(rangeOf({ start: '2026-03-02' })).toEqual({ start: at('2026-03-02T00:00:00Z'), end: Infinity });
    expect(rangeOf({ end: '2026-03-02' })).toEqual({ start: -Infinity, end: at('2026-03-02T23:59:59.999Z') });
  });

  // Search value: all of 2026-03-02. Stored ranges, each against every prefix, from R4's prefix table
  // (http://hl7.org/fhir/R4/search.html#prefix).
  const day = parseDateRange('2026-03-02') ?? { start: 0, end: 0 };
  const cases: [string, string | { start?: string; end?: string }, Record<Exclude<DatePrefix, 'ne'>, boolean>][] = [
    ['inside the day', '2026-03-02T10:00:00Z', { eq: true, gt: false, lt: false, ge: true, le: true, sa: false, eb: false }],
    ['the day before', '2026-03-01T10:00:00Z', { eq: false, gt: false, lt: true, ge: false, le: true, sa: false, eb: true }],
    ['the day after', '2026-03-03T10:00:00Z', { eq: false, gt: true, lt: false, ge: true, le: false, sa: true, eb: false }],
    ['the last second of the day', '2026-03-02T23:59:59Z', { eq: true, gt: false, lt: false, ge: true, le: true, sa: false, eb: false }],
    ['a period across the start of the day', { start: '2026-03-01T20:00:00Z', end: '2026-03-02T08:00:00Z' }, { eq: false, gt: false, lt: true, ge: false, le: true, sa: false, eb: false }],
    ['a period across the end of the day', { start: '2026-03-02T20:00:00Z', end: '2026-03-03T08:00:00Z' }, { eq: false, gt: true, lt: false, ge: true, le: false, sa: false, eb: false }],
    ['a period around the day', { start: '2026-03-01', end: '2026-03-03' }, { eq: false, gt: true, lt: true, ge: true, le: true, sa: false, eb: false }],
    ['an ongoing period that started before', { start: '2026-02-20' }, { eq: false, gt: true, lt: true, ge: true, le: true, sa: false, eb: false }],
  ];
  it.each(cases)('when the stored value is %s, then each prefix answers as R4 defines it', (_label, stored, expected) => {
    const range = rangeOf(stored);
    expect(range).toBeDefined();
    const answers = Object.fromEntries((Object.keys(expected) as (keyof typeof expected)[]).map((p) => [p, range ? rangeMatches(p, range, day) : undefined]));
    expect(answers).toEqual(expected);
  });
});
