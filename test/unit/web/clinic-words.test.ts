import { describe, expect, it } from 'vitest';
import { inClinicWords, pathInWords } from '../../../src/web/clinic-words.js';

describe("validation messages in a therapist's words", () => {
  it("when the form has no muscle, then 'muscles must have at least 1 entry' reads 'Add at least one muscle.'", () => {
    expect(inClinicWords('muscles', 'muscles must have at least 1 entry')).toBe('Add at least one muscle.');
  });

  it('when a field is missing, then the message asks to fill it in by its name on screen', () => {
    expect(inClinicWords('consent.obtained', 'consent.obtained is required', () => 'Informed consent obtained')).toBe('Fill in “Informed consent obtained”.');
  });

  it('when a row field breaks a rule, then the row is named by its number, never by its path', () => {
    const words = inClinicWords('muscles[1].retentionSeconds', 'muscles[1].retentionSeconds must be between 0 and 1800');
    expect(words).toBe('Retention seconds of muscle 2 must be between 0 and 1800.');
    expect(words).not.toMatch(/\[|\]|muscles\./);
  });

  it('when a message is already in words (it does not start with its path), then it is kept as it is', () => {
    expect(inClinicWords('estim.justification', 'Say why the stimulation needed constant one-on-one contact.')).toBe('Say why the stimulation needed constant one-on-one contact.');
  });

  it('when a path has no row, then its last part is said in words', () => {
    expect(pathInWords('outcomes.painPre')).toBe('pain pre');
    expect(pathInWords('outcomes.measures[0].activities')).toBe('activities of questionnaire score 1');
    expect(pathInWords('outcomes.measures[1].answers[4]')).toBe('answer to item 5 of questionnaire score 2');
    expect(pathInWords('outcomes.measures[1].activities[0]')).toBe('activity 1 of questionnaire score 2');
  });
});
