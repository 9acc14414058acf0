import { beforeAll, describe, expect, it } from 'vitest';
import type { Instrument, Profiles } from '../../../src/domain/profiles.js';
import { scoreQuestionnaire } from '../../../src/domain/questionnaire-scoring.js';
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

describe('scoring a questionnaire item by item with the shipped rules', () => {
  it('when all 10 NDI items are answered, then the score is their raw total out of 50', () => {
    expect(scoreQuestionnaire(instrument('NDI'), [1, 2, 0, 3, 1, 2, 1, 0, 2, 1])).toEqual({ ok: true, score: 13, answered: 10, items: 10 });
  });

  it('when an NDI item is left unanswered, then there is no score and the problem says every item is needed', () => {
    const result = scoreQuestionnaire(instrument('NDI'), [1, 2, 0, 3, null, 2, 1, 0, 2, 1]);
    expect(result).toEqual({ ok: false, problem: 'Too many items of the Neck Disability Index are unanswered: 9 answered, and a score needs every one of its 10 items.' });
  });

  it('when all 10 ODI sections are answered, then the score is the total over 50 as a percentage', () => {
    expect(scoreQuestionnaire(instrument('ODI'), [2, 2, 1, 2, 1, 2, 2, 1, 2, 1])).toMatchObject({ ok: true, score: 32, answered: 10 });
  });

  it('when one ODI section is unanswered, then the most possible drops by 5 (16 of 45 is 35.6%), instead of counting the section as 0', () => {
    expect(scoreQuestionnaire(instrument('ODI'), [2, 2, 1, 2, 1, 2, 2, 2, 2, null])).toEqual({ ok: true, score: 35.6, answered: 9, items: 10 });
  });

  it('when two ODI sections are unanswered, then it still scores over the 40 possible', () => {
    expect(scoreQuestionnaire(instrument('ODI'), [4, 4, 4, 4, undefined, 4, 4, 4, null, 4])).toMatchObject({ ok: true, score: 80, answered: 8 });
  });

  it('when three ODI sections are unanswered, then there is no score and the problem says how many are needed', () => {
    const result = scoreQuestionnaire(instrument('ODI'), [1, 1, 1, 1, 1, 1, 1, null, null, null]);
    expect(result).toEqual({ ok: false, problem: 'Too many items of the Oswestry Disability Index are unanswered: 7 answered, and a score needs at least 8 of its 10 items.' });
  });

  it('when all 20 LEFS items are answered, then the score is their total out of 80', () => {
    expect(scoreQuestionnaire(instrument('LEFS'), Array.from({ length: 20 }, (_, i) => i % 5))).toMatchObject({ ok: true, score: 40, answered: 20 });
  });

  it('when 3 PSFS activities are rated, then the score is their average to one decimal', () => {
    expect(scoreQuestionnaire(instrument('PSFS'), [3, 4, 4])).toEqual({ ok: true, score: 3.7, answered: 3, items: 5 });
  });

  it('when only 2 PSFS activities are rated, then there is no score', () => {
    expect(scoreQuestionnaire(instrument('PSFS'), [3, 4])).toMatchObject({ ok: false, problem: expect.stringMatching(/at least 3 of its 5 items/) });
  });

  it('when 6 PSFS activities are given, then the problem says the scale has 5', () => {
    expect(scoreQuestionnaire(instrument('PSFS'), [1, 2, 3, 4, 5, 6])).toEqual({ ok: false, problem: 'The Patient-Specific Functional Scale has 5 items, but 6 answers were given.' });
  });

  it.each([
    ['NDI', 6, 4, 'Item 4 of the Neck Disability Index is 6, but each item is scored 0 to 5.'],
    ['LEFS', -1, 1, 'Item 1 of the Lower Extremity Functional Scale is -1, but each item is scored 0 to 4.'],
    ['PSFS', 11, 2, 'Item 2 of the Patient-Specific Functional Scale is 11, but each item is scored 0 to 10.'],
  ])('when a %s item is %s, then the problem names the item and its range', (id, bad, item, problem) => {
    const answers: (number | null)[] = Array.from({ length: instrument(id).scoring?.items ?? 0 }, () => 1);
    answers[item - 1] = bad;
    expect(scoreQuestionnaire(instrument(id), answers)).toEqual({ ok: false, item, problem });
  });

  it('when an item is not a number, then it is refused as out of range', () => {
    expect(scoreQuestionnaire(instrument('PSFS'), [3, Number.NaN, 4])).toMatchObject({ ok: false, item: 2 });
  });

  it('when the instrument has no item-by-item scoring recorded, then the problem says to enter the total', () => {
    expect(scoreQuestionnaire(instrument('QuickDASH'), [1, 2, 3])).toEqual({ ok: false, problem: 'NeedleChart has no item-by-item scoring for the QuickDASH: enter its total score instead.' });
  });

  it('when the instrument is plain data with the mean rule and whole-point rounding, then the average is rounded to whole points', () => {
    const plain = { ...instrument('PSFS'), scoring: { items: 4, itemMin: 0, itemMax: 10, rule: 'mean' as const, minAnswered: 2, citations: ['stratford-1995'], verified: false } };
    expect(scoreQuestionnaire(plain, [5, 6])).toMatchObject({ ok: true, score: 6 });
  });
});

describe('the shipped scoring data', () => {
  it('when read, then NDI, ODI, LEFS and PSFS carry item counts, item ranges and a rule, and no item wording', () => {
    for (const [id, items, min, max, rule] of [['NDI', 10, 0, 5, 'sum'], ['ODI', 10, 0, 5, 'percent-of-answered'], ['LEFS', 20, 0, 4, 'sum'], ['PSFS', 5, 0, 10, 'mean']] as const) {
      expect(instrument(id).scoring, id).toMatchObject({ items, itemMin: min, itemMax: max, rule });
      expect(Object.keys(instrument(id).scoring ?? {}), id).not.toContain('text');
    }
  });

  it('when the scoring range is applied to every item at its maximum, then the score is the instrument\'s own maximum', () => {
    for (const id of ['NDI', 'ODI', 'LEFS', 'PSFS']) {
      const inst = instrument(id);
      const result = scoreQuestionnaire(inst, Array.from({ length: inst.scoring?.items ?? 0 }, () => inst.scoring?.itemMax ?? 0));
      expect(result, id).toMatchObject({ ok: true, score: inst.max });
    }
  });
});

describe('the Jaw Functional Limitation Scale, 8-item', () => {
  it('when all 8 items are answered, then the score is their average, each item 0 to 10', () => {
    expect(scoreQuestionnaire(instrument('JFLS'), [6, 5, 1, 3, 0, 7, 2, 1])).toEqual({ ok: true, score: 3.1, answered: 8, items: 8 });
  });

  it('when an item is left blank, then there is no score: the rule for blank items was not read, so every item is needed', () => {
    expect(scoreQuestionnaire(instrument('JFLS'), [6, 5, 1, 3, null, 7, 2, 1])).toEqual({ ok: false, problem: 'Too many items of the Jaw Functional Limitation Scale, 8-item are unanswered: 7 answered, and a score needs every one of its 8 items.' });
  });

  it('when an item is rated 11, then it is refused naming the item and the 0 to 10 range', () => {
    expect(scoreQuestionnaire(instrument('JFLS'), [6, 11, 1, 3, 0, 7, 2, 1])).toEqual({ ok: false, item: 2, problem: 'Item 2 of the Jaw Functional Limitation Scale, 8-item is 11, but each item is scored 0 to 10.' });
  });

  it('when the instrument is read, then its scoring cites the article and is marked not read, its 8 items have titles, and no MCID is claimed', () => {
    const jfls = instrument('JFLS');
    expect(jfls).toMatchObject({ region: 'jaw', higherIsWorse: true, min: 0, max: 10, scoring: { items: 8, itemMin: 0, itemMax: 10, rule: 'mean', verified: false } });
    expect(jfls.scoring?.itemLabels).toHaveLength(8);
    expect(jfls.scoring?.citations).toContain('ohrbach-2008-jfls');
    expect(jfls.mcid).toBeUndefined();
    expect(profiles.cite(jfls.scoring?.citations ?? [], jfls.scoring?.verified ?? false).verified).toBe(false);
  });

  it('when the item-scored instruments are read, then NDI, ODI, LEFS and JFLS name every item, and the PSFS names none (its items are the patient’s own)', () => {
    for (const id of ['NDI', 'ODI', 'LEFS', 'JFLS']) expect(instrument(id).scoring?.itemLabels?.length, id).toBe(instrument(id).scoring?.items);
    expect(instrument('PSFS').scoring?.itemLabels).toBeUndefined();
  });
});
