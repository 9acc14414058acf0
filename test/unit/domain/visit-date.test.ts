import { describe, expect, it } from 'vitest';
import { CLOCK_SKEW_MS, visitDateIssue } from '../../../src/domain/visit-date.js';

const NOW = new Date('2026-12-03T15:00:00Z');

describe('a visit date against its encounter', () => {
  it.each([
    ['a time within a closed period', '2026-11-20T09:00:00-05:00', { start: '2026-11-20T08:00:00-05:00', end: '2026-11-20T10:00:00-05:00' }],
    ['the same instant written in another offset', '2026-11-20T14:30:00Z', { start: '2026-11-20T08:00:00-05:00', end: '2026-11-20T10:00:00-05:00' }],
    ['a time a few minutes before the period (clock skew)', '2026-11-20T07:57:00-05:00', { start: '2026-11-20T08:00:00-05:00', end: '2026-11-20T10:00:00-05:00' }],
    ['a day within a period given as dates', '2026-11-20T09:00:00-05:00', { start: '2026-11-20', end: '2026-11-21' }],
    ['the day an open encounter started, in the offset it started in', '2026-11-20T23:30:00-07:00', { start: '2026-11-20T09:30:00-07:00' }],
    ['an encounter with no period', '2026-11-20T09:00:00-05:00', undefined],
    ['now, by a clock a little ahead of the server', new Date(NOW.getTime() + CLOCK_SKEW_MS - 1000).toISOString(), { start: '2026-12-03T08:00:00-07:00' }],
  ])('when the visit is at %s, then it fits', (_label, date, period) => {
    expect(visitDateIssue(date, period, NOW)).toBeUndefined();
  });

  it.each([
    ['in the future', '9999-12-31T10:00:00-05:00', undefined, 'The visit date is in the future. Enter when the needling was done.'],
    ['more than the skew ahead of now', new Date(NOW.getTime() + CLOCK_SKEW_MS + 60_000).toISOString(), { start: '2026-12-03T08:00:00-07:00' }, /future/],
    ['before a closed period', '2026-11-19T09:00:00-05:00', { start: '2026-11-20T08:00:00-05:00', end: '2026-11-20T10:00:00-05:00' }, 'The visit date must lie within this encounter (2026-11-20 08:00 to 2026-11-20 10:00).'],
    ['after a closed period', '2026-11-20T11:30:00-05:00', { start: '2026-11-20T08:00:00-05:00', end: '2026-11-20T10:00:00-05:00' }, /within this encounter/],
    ['after a period given as dates', '2026-11-22T09:00:00-05:00', { start: '2026-11-20', end: '2026-11-21' }, /within this encounter/],
    ['the next day in the offset an open encounter started in', '2026-11-21T07:00:00Z', { start: '2026-11-20T09:30:00-07:00' }, /day of this encounter \(2026-11-20\)/],
  ])('when the visit is %s, then the problem names date in plain words', (_label, date, period, message) => {
    const issue = visitDateIssue(date, period, NOW);
    expect(issue?.path).toBe('date');
    expect(issue?.message).toMatch(message);
  });
});
