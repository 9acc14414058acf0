import { beforeAll, describe, expect, it } from 'vitest';
import { describeField } from '../../../src/domain/field-labels.js';
import type { Profiles } from '../../../src/domain/profiles.js';
import { loadProfiles } from '../../../src/profiles/load-profiles.js';
import { fullSession } from '../../support/fixtures.js';

let profiles: Profiles;
beforeAll(async () => {
  ({ profiles } = await loadProfiles());
});

describe('the outcome fields in words', () => {
  it.each([
    ['outcomes.measures[0].answers[4]', 'Questionnaire 1: answer to item 5'],
    ['outcomes.measures[2].activities[1]', 'Questionnaire 3: activity 2'],
    ['outcomes.measures[0].score', 'Questionnaire 1: score'],
    ['outcomes.rom[2].unit', 'Range of motion 3: unit'],
    ['outcomes.rom[2].post', 'Range of motion 3: measurement after'],
  ])('when %s is named for people, then it reads “%s”, never a path', (path, words) => {
    expect(describeField(path, fullSession(), profiles)).toBe(words);
  });
});
