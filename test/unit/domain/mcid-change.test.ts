import { beforeAll, describe, expect, it } from 'vitest';
import { changeAgainstMcid } from '../../../src/domain/mcid-change.js';
import type { Instrument, Profiles } from '../../../src/domain/profiles.js';
import { loadProfiles } from '../../../src/profiles/load-profiles.js';

let profiles: Profiles;
beforeAll(async () => {
  ({ profiles } = await loadProfiles());
});

function instrument(id: string): Instrument {
  const found = profiles.instruments.get(id);
  if (!found) throw new Error(`no instrument ${id}`);
  return found;
}

describe('a change against the minimal clinically important difference', () => {
  // Both sides of each threshold, in each instrument's better direction (lower is better for NDI and ODI).
  it.each([
    ['NDI', 20, 10.5, true, 9.5],
    ['NDI', 20, 11, false, 9],
    ['ODI', 40, 30, true, 10],
    ['ODI', 40, 31, false, 9],
    ['LEFS', 30, 39, true, 9],
    ['LEFS', 30, 38, false, 8],
    ['PSFS', 3, 4.3, true, 1.3],
    ['PSFS', 3, 4.2, false, 1.2],
  ])('when %s goes from %s to %s, then meets the MCID is %s (improvement %s)', (id, before, after, meets, improvement) => {
    const result = changeAgainstMcid(instrument(id), before, after);
    expect(result?.meetsMcid).toBe(meets);
    expect(result?.improvement).toBe(improvement);
    expect(result?.citations.length).toBeGreaterThan(0);
    for (const c of result?.citations ?? []) expect(profiles.citations.has(c), c).toBe(true);
  });

  it('when a lower-is-better score rises by more than the MCID, then it is a worsening and never meets it', () => {
    expect(changeAgainstMcid(instrument('ODI'), 20, 40)).toMatchObject({ change: 20, improvement: -20, meetsMcid: false, statement: 'Worse by 20 points.' });
  });

  it('when a higher-is-better score falls, then the change is negative and does not meet the MCID', () => {
    expect(changeAgainstMcid(instrument('LEFS'), 50, 35)).toMatchObject({ change: -15, improvement: -15, meetsMcid: false });
  });

  it('when an NDI improvement meets the MCID, then the sentence says so in points and cites the source by id', () => {
    expect(changeAgainstMcid(instrument('NDI'), 24, 14)).toEqual({
      change: -10,
      improvement: 10,
      mcid: 9.5,
      meetsMcid: true,
      citations: ['cleland-2008-ndi'],
      verified: true,
      statement: 'Better by 10 points, at least the 9.5-point minimal clinically important difference.',
    });
  });

  it('when the scores are equal, then there is no change', () => {
    expect(changeAgainstMcid(instrument('PSFS'), 5, 5)?.statement).toBe('No change, short of the 1.3-point minimal clinically important difference.');
  });

  it('when the instrument has no MCID recorded, then there is no reading', () => {
    expect(changeAgainstMcid(instrument('QuickDASH'), 50, 20)).toBeUndefined();
  });

  it('when the MCID is plain data, then the threshold comes from the data', () => {
    const plain = { ...instrument('LEFS'), mcid: { points: 2, citations: ['binkley-1999'], verified: false, note: 'test value' } };
    expect(changeAgainstMcid(plain, 10, 12)?.meetsMcid).toBe(true);
    expect(changeAgainstMcid(plain, 10, 11)?.meetsMcid).toBe(false);
  });

  it('when the shipped MCIDs are resolved, then each rests on a source that was read', () => {
    for (const id of ['NDI', 'ODI', 'LEFS', 'PSFS']) {
      const mcid = instrument(id).mcid;
      expect(mcid, id).toBeDefined();
      expect(profiles.cite(mcid?.citations ?? [], mcid?.verified).verified, id).toBe(true);
    }
  });
});
