import type { Instrument } from './profiles.js';

/**
 * One questionnaire's answers, item by item: index 0 is item 1. `null` (or a missing entry) is an
 * item the patient left unanswered. For the PSFS, one entry per activity the patient rated.
 */
export type QuestionnaireAnswers = readonly (number | null | undefined)[];

/** A score, or the reason there is none, in words a clinician reads. */
export type QuestionnaireScore =
  | { readonly ok: true; readonly score: number; readonly answered: number; readonly items: number }
  | { readonly ok: false; readonly problem: string; readonly item?: number };

/** The score after it is computed: rounded to the instrument's published precision (whole points by default). */
function rounded(value: number, places: number | undefined): number {
  const factor = 10 ** (places ?? 0);
  return Math.round(value * factor) / factor;
}

function range(min: number, max: number): string {
  return `${min} to ${max}`;
}

/**
 * Scores a questionnaire item by item with the instrument's published rule (profiles/outcome-measures.json
 * `scoring`): NDI and LEFS sum their items; the ODI divides the total by 5 × the sections answered and
 * multiplies by 100, so an unanswered section lowers the most possible score instead of counting as 0;
 * the PSFS averages the 3–5 activities rated. Pure.
 *
 * Refuses, in plain words, an item outside its range, more items than the instrument has, or fewer
 * answered items than the instrument needs for a score.
 */
export function scoreQuestionnaire(instrument: Instrument, answers: QuestionnaireAnswers): QuestionnaireScore {
  const scoring = instrument.scoring;
  if (!scoring) return { ok: false, problem: `NeedleChart has no item-by-item scoring for the ${instrument.display}: enter its total score instead.` };
  if (answers.length > scoring.items) {
    return { ok: false, problem: `The ${instrument.display} has ${scoring.items} items, but ${answers.length} answers were given.` };
  }
  const given: number[] = [];
  for (const [index, answer] of answers.entries()) {
    if (answer === null || answer === undefined) continue;
    if (!Number.isFinite(answer) || answer < scoring.itemMin || answer > scoring.itemMax) {
      return { ok: false, item: index + 1, problem: `Item ${index + 1} of the ${instrument.display} is ${answer}, but each item is scored ${range(scoring.itemMin, scoring.itemMax)}.` };
    }
    given.push(answer);
  }
  if (given.length < scoring.minAnswered) {
    const needed = scoring.minAnswered === scoring.items ? `every one of its ${scoring.items} items` : `at least ${scoring.minAnswered} of its ${scoring.items} items`;
    return { ok: false, problem: `Too many items of the ${instrument.display} are unanswered: ${given.length} answered, and a score needs ${needed}.` };
  }
  const total = given.reduce((sum, value) => sum + value, 0);
  const raw =
    scoring.rule === 'sum' ? total
    : scoring.rule === 'mean' ? total / given.length
    : (total / (scoring.itemMax * given.length)) * 100;
  return { ok: true, score: rounded(raw, scoring.rounding), answered: given.length, items: scoring.items };
}
