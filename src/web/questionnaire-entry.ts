// A questionnaire row of the Outcomes section: the instrument and its total, or its answers item by
// item (NDI, ODI, LEFS, PSFS, JFLS-8: every instrument with item scoring) with the score computed as
// the clinician goes and its change since the previous visit read against the published MCID.

import { advise } from '../domain/advice.js';
import type { Instrument } from '../domain/profiles.js';
import { scoreQuestionnaire } from '../domain/questionnaire-scoring.js';
import { changeSinceInWords } from '../domain/questionnaire-words.js';
import type { InstrumentScore } from '../domain/types.generated.js';
import { el } from './dom.js';
import { field, select, writeInput } from './form-fields.js';
import { setPath } from './paths.js';
import { changed } from './render.js';
import { catalog, context, session } from './state.js';

/** The instrument a row names, from the catalog. */
function instrumentOf(id: string | undefined): Instrument | undefined {
  return catalog().instruments.find((i) => i.id === id);
}

/** The latest earlier score of the instrument in the course, with its day in words. */
function previousScore(id: string): { score: number; day: string } | undefined {
  for (const row of [...(context().flowsheet ?? [])].reverse()) {
    const found = row.measures.find((m) => m.instrument === id);
    if (found) return { score: found.score, day: row.day };
  }
  return undefined;
}

/** Score and change in words for the row's live line. */
function scoreWords(m: InstrumentScore, instrument: Instrument): string {
  const scale = `${instrument.min}–${instrument.max}, ${instrument.higherIsWorse ? 'lower' : 'higher'} is better`;
  let text = '';
  if (m.answers) {
    const scored = scoreQuestionnaire(instrument, m.answers);
    text = scored.ok ? `Score from the answers: ${scored.score} (${scale}; ${scored.answered} of ${scored.items} items answered).` : scored.problem;
  }
  const previous = previousScore(instrument.id);
  if (previous && m.score !== undefined && m.score !== null) text += `${text ? ' ' : ''}${changeSinceInWords(instrument, previous.score, m.score, previous.day)}`;
  return text;
}

/** Recomputes the row's score from its answers (undefined while too few are answered) and shows it. */
function rescore(path: string, m: InstrumentScore, instrument: Instrument, scoreInput: HTMLInputElement, status: HTMLElement): void {
  if (m.answers) {
    const scored = scoreQuestionnaire(instrument, Array.from(m.answers, (a) => (typeof a === 'number' ? a : null)));
    setPath(session(), `${path}.score`, scored.ok ? scored.score : undefined);
    writeInput(scoreInput, scored.ok ? scored.score : undefined);
  }
  status.textContent = scoreWords(m, instrument);
}

/** The inputs of one item: its published title (or, for the PSFS, the patient's activity) and its answer. */
function itemInputs(path: string, m: InstrumentScore, instrument: Instrument, index: number): HTMLElement {
  const scoring = instrument.scoring;
  const range = `${scoring?.itemMin ?? 0}–${scoring?.itemMax ?? 10}`;
  const answer = field(`${path}.answers[${index}]`, m.answers?.[index] ?? undefined, {
    type: 'number', 'data-type': 'number', class: 'nc-narrow', min: scoring?.itemMin, max: scoring?.itemMax, step: 1, inputmode: 'numeric',
  });
  const label = scoring?.itemLabels?.[index];
  if (label) return el('label', { class: 'nc-item' }, `${index + 1}. ${label} (${range}) `, answer);
  const activity = field(`${path}.activities[${index}]`, m.activities?.[index], { type: 'text', maxlength: 100, autocomplete: 'off', placeholder: index < 3 ? 'e.g. lifting my child' : 'optional' });
  return el('div', { class: 'nc-item nc-activity' }, el('label', {}, `Activity ${index + 1} `, activity), el('label', {}, `Rating (${range}, 10 as before the problem) `, answer));
}

/**
 * One questionnaire row: the instrument, its score, and a button to enter it item by item. Entering
 * item by item opens the items (answers kept with the score); the total stays editable for
 * instruments without item scoring and for a total from paper.
 */
export function questionnaireRow(path: string, m: InstrumentScore): Node[] {
  const instruments = catalog().instruments.map((i) => [i.id, `${i.display} (${i.min}–${i.max})`] as const);
  const instrument = instrumentOf(m.instrument);
  const byItem = !!(m.answers && instrument?.scoring);
  const choose = select(`${path}.instrument`, m.instrument, [['', '—'], ...instruments], {
    onchange: () => {
      // Answers belong to the instrument they were given for: a new instrument starts its items afresh.
      if (m.answers) m.answers = [];
      delete m.activities;
    },
  });
  const scoreInput = field(`${path}.score`, m.score, { type: 'number', 'data-type': 'number', class: 'nc-narrow', readonly: byItem, 'aria-readonly': byItem ? 'true' : undefined });
  const status = el('p', { class: 'nc-score-line', role: 'status', 'aria-live': 'polite' });
  const nodes: Node[] = [el('label', {}, 'Questionnaire ', choose), el('label', {}, byItem ? 'Score (from the answers) ' : 'Score ', scoreInput)];
  if (instrument?.scoring) {
    nodes.push(
      el('button', {
        type: 'button',
        'aria-expanded': byItem ? 'true' : 'false',
        text: byItem ? 'Enter the total only' : 'Enter item by item',
        onclick: () => {
          if (byItem) {
            delete m.answers;
            delete m.activities;
          } else {
            m.answers = [];
          }
          changed(true);
        },
      }),
    );
  }
  const items: Node[] = [];
  if (instrument?.scoring && byItem) {
    const count = instrument.scoring.items;
    const list = el('div', { class: 'nc-items', role: 'group', 'aria-label': `${instrument.display}, item by item` }, ...Array.from({ length: count }, (_, i) => itemInputs(path, m, instrument, i)));
    list.addEventListener('input', (event) => {
      const input = event.target;
      if (!(input instanceof HTMLInputElement) || !input.dataset.path) return;
      // The page's own input handler stores the value after this one runs: store it first, to score it now.
      setPath(session(), input.dataset.path, input.dataset.type === 'number' ? (input.value === '' ? undefined : Number(input.value)) : input.value);
      rescore(path, m, instrument, scoreInput, status);
    });
    // The scoring rule as NeedleChart holds it, as advice when its source was not read.
    const rule = instrument.scoring.note ?? instrument.scoreNote;
    items.push(list, el('p', { class: 'nc-muted nc-score-rule', text: advise(rule, instrument.scoring.verified, 'clinical-guidance') }));
  }
  if (instrument) {
    status.textContent = scoreWords(m, instrument);
    scoreInput.addEventListener('input', () => {
      setPath(session(), `${path}.score`, scoreInput.value === '' ? undefined : Number(scoreInput.value));
      status.textContent = scoreWords(m, instrument);
    });
  }
  return [...nodes, ...items, status];
}
