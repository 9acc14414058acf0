import { changeAgainstMcid } from './mcid-change.js';
import type { Instrument } from './profiles.js';
import type { InstrumentScore } from './types.generated.js';

function points(value: number): string {
  return `${value} ${value === 1 ? 'point' : 'points'}`;
}

/**
 * A questionnaire's answers in words for the note, item by item: "Pain intensity: 2; Reading: 1;
 * Driving: not answered" (the PSFS by the patient's own activities). Undefined when only the total was recorded,
 * so the note shows answers only when they were given. Pure.
 */
export function answersInWords(measure: Pick<InstrumentScore, 'answers' | 'activities'>, instrument: Instrument | undefined): string | undefined {
  const answers = measure.answers;
  if (!answers?.length) return undefined;
  const labels = instrument?.scoring?.itemLabels;
  return answers
    .map((answer, i) => `${measure.activities?.[i] ?? labels?.[i] ?? `Item ${i + 1}`}: ${answer === null ? 'not answered' : answer}`)
    .join('; ');
}

/**
 * The change since the previous score of the same instrument, with its published minimal clinically
 * important difference in words, for the clinician entering today's score: "Down 12 points since
 * Mar 4; the published minimal clinically important difference is 9.5 points (better by at least
 * that)." When no MCID is recorded for the instrument, says so instead of inventing one. Pure.
 */
export function changeSinceInWords(instrument: Instrument, before: number, after: number, since: string): string {
  const delta = Math.round((after - before) * 100) / 100;
  const moved = delta === 0 ? `No change since ${since}` : `${delta > 0 ? 'Up' : 'Down'} ${points(Math.abs(delta))} since ${since}`;
  const change = changeAgainstMcid(instrument, before, after);
  if (!change) return `${moved}; no minimal clinically important difference is published for the ${instrument.display} in the sources NeedleChart read.`;
  const verdict = change.meetsMcid ? 'an improvement at least that large' : change.improvement > 0 ? 'an improvement smaller than that' : change.improvement < 0 ? 'a worsening' : 'no improvement';
  return `${moved}; the published minimal clinically important difference is ${points(change.mcid)}: this is ${verdict}.`;
}
