import { beforeAll, describe, expect, it } from 'vitest';
import type { Instrument, Profiles } from '../../../src/domain/profiles.js';
import { answersInWords, changeSinceInWords } from '../../../src/domain/questionnaire-words.js';
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

describe('questionnaire answers and change in words', () => {
  it('when an NDI was answered item by item, then the answers read by the sections’ titles, an unanswered one as not answered', () => {
    expect(answersInWords({ answers: [2, 1, null] }, instrument('NDI'))).toBe('Pain intensity: 2; Personal care: 1; Lifting: not answered');
  });

  it('when a PSFS was answered, then the answers read by the patient’s own activities', () => {
    expect(answersInWords({ answers: [3, 6], activities: ['Gardening', 'Driving to work'] }, instrument('PSFS'))).toBe('Gardening: 3; Driving to work: 6');
  });

  it('when only the total was recorded, then there are no answers to show', () => {
    expect(answersInWords({}, instrument('NDI'))).toBeUndefined();
    expect(answersInWords({ answers: [] }, instrument('NDI'))).toBeUndefined();
  });

  it('when the NDI went down 12 points since the last visit, then the sentence gives the change, the date and the published MCID, and says it is at least that', () => {
    expect(changeSinceInWords(instrument('NDI'), 30, 18, 'Mar 4')).toBe('Down 12 points since Mar 4; the published minimal clinically important difference is 9.5 points: this is an improvement at least that large.');
  });

  it('when the LEFS went up by less than its MCID, then the sentence says the improvement is smaller', () => {
    expect(changeSinceInWords(instrument('LEFS'), 40, 44, 'Mar 4')).toBe('Up 4 points since Mar 4; the published minimal clinically important difference is 9 points: this is an improvement smaller than that.');
  });

  it('when the ODI went up (worse), then the sentence calls it a worsening', () => {
    expect(changeSinceInWords(instrument('ODI'), 30, 36, 'Mar 4')).toMatch(/^Up 6 points since Mar 4; .* 10 points: this is a worsening\.$/);
  });

  it('when the JFLS changed, then the sentence says no MCID is published instead of inventing one', () => {
    expect(changeSinceInWords(instrument('JFLS'), 4.2, 3.1, 'Mar 4')).toBe('Down 1.1 points since Mar 4; no minimal clinically important difference is published for the Jaw Functional Limitation Scale, 8-item in the sources NeedleChart read.');
  });
});
