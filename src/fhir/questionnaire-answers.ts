import type { Observation, ObservationComponent } from 'fhir/r4.js';
import type { Instrument } from '../domain/profiles.js';
import type { InstrumentScore } from '../domain/types.generated.js';
import { fhirString } from './extensions.js';
import { questionnaireItemCode, UCUM } from './systems.js';

const DATA_ABSENT_REASON = 'http://terminology.hl7.org/CodeSystem/data-absent-reason';
const ITEM_CODE = /^item-(\d+)$/;

/** What an Observation needs to carry a score's answers: one component per item. */
type Answers = Pick<InstrumentScore, 'answers' | 'activities'>;

/**
 * A questionnaire recorded item by item, as Observation.component: one per item in order, coded with
 * NeedleChart's own outcome-measure code `item-N` (no LOINC item codes are claimed), the item's
 * published short title or, for the PSFS, the patient's activity as its text, the answer as a {score}
 * Quantity, or data-absent-reason `unknown` for an item left unanswered, so the positions read back
 * exactly. Nothing when the score was entered as a total only.
 */
export function answerComponents(measure: Answers, instrument: Instrument | undefined, system: string): ObservationComponent[] {
  const labels = instrument?.scoring?.itemLabels;
  return (measure.answers ?? []).map((answer, i) => {
    const text = measure.activities?.[i] ?? labels?.[i];
    return {
      code: { coding: [{ system, code: questionnaireItemCode(i + 1), display: `Questionnaire item ${i + 1} answer` }], ...(text ? { text: fhirString(text) } : {}) },
      ...(answer === null
        ? { dataAbsentReason: { coding: [{ system: DATA_ABSENT_REASON, code: 'unknown', display: 'Unknown' }], text: 'Left unanswered' } }
        : { valueQuantity: { value: answer, unit: '{score}', system: UCUM, code: '{score}' } }),
    };
  });
}

/**
 * The answers (and, for an instrument without published item titles such as the PSFS, the patient's
 * activities) read back from the item components answerComponents wrote; empty when the score was
 * recorded as a total only.
 */
export function answersFromComponents(observation: Observation, instrument: Instrument | undefined, system: string): Answers {
  const items = (observation.component ?? [])
    .map((c) => ({ c, n: Number(ITEM_CODE.exec(c.code.coding?.find((x) => x.system === system)?.code ?? '')?.[1] ?? NaN) }))
    .filter((x) => Number.isInteger(x.n) && x.n > 0)
    .sort((a, b) => a.n - b.n);
  if (!items.length) return {};
  const answers: (number | null)[] = [];
  for (const { c, n } of items) answers[n - 1] = c.valueQuantity?.value ?? null;
  const filled = Array.from(answers, (a) => a ?? null);
  const ownActivities = !instrument?.scoring?.itemLabels;
  const activities = ownActivities ? items.map(({ c }) => c.code.text) : [];
  return { answers: filled, ...(ownActivities && activities.length && activities.every((a): a is string => !!a) ? { activities } : {}) };
}
