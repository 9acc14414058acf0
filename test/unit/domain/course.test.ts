import { describe, expect, it } from 'vitest';
import { RELIEF_DEFINITION, summariseCourse, reliefInWords } from '../../../src/domain/course.js';

describe('relief so far across the course', () => {
  it('when pre-treatment pain went 6 → 3 and the last post-treatment pain was 0, then relief is 50%, not 100%', () => {
    const course = summariseCourse([
      { date: '2026-11-02', pre: 6, post: 2 },
      { date: '2026-11-09', pre: 3, post: 0 },
    ]);
    expect(course.reliefPercent).toBe(50);
    expect(course.painImprovement).toBe(3);
  });

  it('when visits arrive out of order, then relief runs from the earliest to the latest pre-treatment pain and the trend keeps every visit in date order', () => {
    const course = summariseCourse([
      { date: '2026-11-16', pre: 2, post: 1 },
      { date: '2026-11-02', pre: 8, post: 5 },
      { date: '2026-11-09', pre: 6, post: 3 },
    ]);
    expect(course.reliefPercent).toBe(75);
    expect(course.painTrend.map((p) => [p.date, p.pre, p.post])).toEqual([['2026-11-02', 8, 5], ['2026-11-09', 6, 3], ['2026-11-16', 2, 1]]);
    expect(course.visitNumber).toBe(4);
  });

  it('when pain before treatment rose across the course, then relief is negative rather than hidden', () => {
    expect(summariseCourse([{ date: '2026-11-02', pre: 4 }, { date: '2026-11-09', pre: 5 }]).reliefPercent).toBe(-25);
  });

  it.each([
    ['there is only one visit', [{ date: '2026-11-02', pre: 6, post: 0 }]],
    ['the first pain before treatment was 0', [{ date: '2026-11-02', pre: 0 }, { date: '2026-11-09', pre: 2 }]],
    ['only post-treatment pain was recorded', [{ date: '2026-11-02', post: 6 }, { date: '2026-11-09', post: 0 }]],
  ])('when %s, then no relief is given', (_label, points) => {
    const course = summariseCourse(points);
    expect(course.reliefPercent).toBeUndefined();
    expect(course.reliefDefinition).toBeUndefined();
  });

  it('when relief is given, then its one-sentence definition comes with it and names pain before treatment', () => {
    const course = summariseCourse([{ date: '2026-11-02', pre: 6 }, { date: '2026-11-09', pre: 3 }]);
    expect(course.reliefDefinition).toBe(RELIEF_DEFINITION);
    expect(RELIEF_DEFINITION).toMatch(/^Relief so far is .*pain before treatment.*\.$/);
    expect(RELIEF_DEFINITION.split('. ')).toHaveLength(1);
  });
});

describe('relief so far in words', () => {
  it('when pain before treatment fell, did not change, or rose since the first visit, then the words say so without a negative percentage', () => {
    expect(reliefInWords(50)).toBe('50% pain relief so far');
    expect(reliefInWords(0)).toBe('no change in pain so far');
    expect(reliefInWords(-25)).toBe('pain 25% worse than at the first visit');
    const worse = summariseCourse([{ date: '2026-01-05', pre: 4 }, { date: '2026-01-12', pre: 5 }]);
    expect(reliefInWords(worse.reliefPercent!)).toBe('pain 25% worse than at the first visit');
  });
});
