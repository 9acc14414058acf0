import type { ValidationIssue } from '../outcome/validation-issue.js';
import type { Profiles } from './profiles.js';
import { scoreQuestionnaire } from './questionnaire-scoring.js';
import { romUnitOf, type RomUnit } from './rom-units.js';
import type { Outcomes } from './types.generated.js';

/** The range a measurement may take in each unit: millimetres of jaw movement, degrees of a joint angle. */
export const ROM_RANGE: Readonly<Record<RomUnit, { readonly max: number; readonly words: string }>> = {
  mm: { max: 80, words: '0 to 80 mm' },
  degrees: { max: 360, words: '0 to 360 degrees' },
};

const UNIT_WORDS: Readonly<Record<RomUnit, string>> = { mm: 'millimetres', degrees: 'degrees' };

/**
 * Range of motion: each measurement within the range of its unit (0–80 mm, 0–360°), and in the unit
 * its movement is measured in when the movement is one NeedleChart knows (mouth opening in mm, not
 * degrees). Pure.
 */
function romIssues(outcomes: Outcomes, profiles: Profiles): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const movements = profiles.files.outcomeMeasures.romMovements;
  outcomes.rom?.forEach((r, i) => {
    const expected = romUnitOf(r.movement, movements);
    if (expected && expected !== r.unit) {
      issues.push({ path: `outcomes.rom[${i}].unit`, message: `${r.movement} is measured in ${UNIT_WORDS[expected]}, not ${UNIT_WORDS[r.unit]}.` });
      return;
    }
    const range = ROM_RANGE[r.unit];
    for (const [field, when] of [['pre', 'before'], ['post', 'after']] as const) {
      if (r[field] > range.max) issues.push({ path: `outcomes.rom[${i}].${field}`, message: `The ${r.movement} measurement ${when} treatment is ${r[field]}, but it must be ${range.words}.` });
    }
  });
  return issues;
}

/**
 * Questionnaires recorded item by item: the instrument must have item scoring, the PSFS activities
 * must match the answers one for one, and the score must be the one the instrument's published
 * scoring gives for the answers (scoreQuestionnaire), so a stored score never disagrees with its answers.
 */
function answerIssues(outcomes: Outcomes, profiles: Profiles): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  outcomes.measures?.forEach((m, i) => {
    if (!m.answers) {
      if (m.activities) issues.push({ path: `outcomes.measures[${i}].activities`, message: 'The activities were given without the patient’s ratings of them: enter a rating for each activity.' });
      return;
    }
    const instrument = profiles.instruments.get(m.instrument);
    if (!instrument) return;
    if (m.activities && m.activities.length !== m.answers.length) {
      issues.push({ path: `outcomes.measures[${i}].activities`, message: `The ${instrument.display} has ${m.activities.length} activities but ${m.answers.length} ratings: give one rating for each activity.` });
      return;
    }
    const scored = scoreQuestionnaire(instrument, m.answers);
    if (!scored.ok) {
      issues.push({ path: scored.item ? `outcomes.measures[${i}].answers[${scored.item - 1}]` : `outcomes.measures[${i}].answers`, message: scored.problem });
      return;
    }
    if (scored.score !== m.score) {
      issues.push({ path: `outcomes.measures[${i}].score`, message: `The ${instrument.display} score is ${m.score}, but its answers score ${scored.score} by the instrument’s published scoring: correct the score or the answers.` });
    }
  });
  return issues;
}

/** The outcome rules a schema cannot state: units by movement, ranges by unit, scores against their answers. Pure. */
export function outcomeIssues(outcomes: Outcomes | undefined, profiles: Profiles): ValidationIssue[] {
  return outcomes ? [...romIssues(outcomes, profiles), ...answerIssues(outcomes, profiles)] : [];
}
