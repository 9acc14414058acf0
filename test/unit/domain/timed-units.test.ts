import { describe, expect, it } from 'vitest';
import { assignTimedUnits } from '../../../src/domain/timed-units.js';

const units = (services: { code: string; minutes: number }[]) => Object.fromEntries([...assignTimedUnits(services).byCode].map(([code, s]) => [code, s.units]));

describe('timed units over the whole visit (CMS Pub. 100-04, ch. 5, §20.2)', () => {
  it.each([
    [7, 0], [8, 1], [22, 1], [23, 2], [37, 2], [38, 3], [52, 3], [53, 4],
  ])('when one timed service lasts %s minutes, then it takes %s unit(s)', (minutes, expected) => {
    expect(assignTimedUnits([{ code: '97140', minutes }]).totalUnits).toBe(expected);
    expect(units([{ code: '97140', minutes }])).toEqual({ '97140': expected });
  });

  it.each([
    [4, 3, 0], [4, 4, 1], [11, 11, 1], [11, 12, 2], [18, 19, 2], [19, 19, 3],
  ])('when two timed services last %s and %s minutes, then the visit total gives %s unit(s) in all', (a, b, total) => {
    const result = assignTimedUnits([{ code: '97110', minutes: a }, { code: '97140', minutes: b }]);
    expect(result.totalMinutes).toBe(a + b);
    expect(result.totalUnits).toBe(total);
    expect([...result.byCode.values()].reduce((sum, s) => sum + s.units, 0)).toBe(total);
  });

  it('when 33 minutes of 97110 and 7 of 97140 are given, then 2 units go to 97110 and the third to 97140 (the most minutes left)', () => {
    expect(units([{ code: '97110', minutes: 33 }, { code: '97140', minutes: 7 }])).toEqual({ '97110': 2, '97140': 1 });
  });

  it('when 24 minutes of 97112 and 23 of 97110 make 47 minutes, then 3 units: 2 of 97112 and 1 of 97110', () => {
    expect(units([{ code: '97112', minutes: 24 }, { code: '97110', minutes: 23 }])).toEqual({ '97112': 2, '97110': 1 });
  });

  it('when three services of 5 minutes each make 15 minutes, then one unit goes to the service charted first (equal minutes left)', () => {
    expect(units([{ code: '97032', minutes: 5 }, { code: '97140', minutes: 5 }, { code: '97110', minutes: 5 }])).toEqual({ '97032': 1, '97140': 0, '97110': 0 });
  });

  it('when 20 minutes of 97032, 20 of 97140 and 8 of 97530 make 48 minutes, then 3 units: one each (the 5, 5 and 8 minutes left decide the third)', () => {
    expect(units([{ code: '97032', minutes: 20 }, { code: '97140', minutes: 20 }, { code: '97530', minutes: 8 }])).toEqual({ '97032': 1, '97140': 1, '97530': 1 });
  });

  it('when 20 minutes of 97032, 20 of 97140 and 7 of 97530 make 47 minutes, then 3 units, the third to the 7 minutes of 97530', () => {
    expect(units([{ code: '97032', minutes: 20 }, { code: '97140', minutes: 20 }, { code: '97530', minutes: 7 }])).toEqual({ '97032': 1, '97140': 1, '97530': 1 });
  });

  it('when the same code is charted twice, then its minutes are added as one service', () => {
    const result = assignTimedUnits([{ code: '97140', minutes: 10 }, { code: '97140', minutes: 13 }]);
    expect([...result.byCode]).toEqual([['97140', { minutes: 23, units: 2 }]]);
  });

  it('when a service lasts 15 minutes or more, then it keeps at least one unit whatever the others took', () => {
    expect(units([{ code: '97110', minutes: 15 }, { code: '97140', minutes: 14 }])).toEqual({ '97110': 1, '97140': 1 });
  });
});
