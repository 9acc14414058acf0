// Finding a patient or a performer on the compliance page the way staff know them (name, date of
// birth, MRN; name) and picking one from a labelled radio list: the pick is an opaque value the server
// sealed, sent back as the export's filter. No FHIR id is shown or held by the page.

import type { Outcome } from './api-types.js';
import { $, api, el } from './dom.js';

/** One row of a search answer: the words shown, and the opaque pick. */
export interface Match {
  readonly choice: string;
  readonly text: string;
}

export interface PickOptions {
  /** The ids' prefix on the page: `patient` or `performer`. */
  readonly prefix: 'patient' | 'performer';
  /** The query string of the search, or undefined with nothing to search by (said in `empty`). */
  readonly query: () => URLSearchParams;
  readonly path: string;
  /** The answer's rows in words. */
  readonly rows: (answer: unknown) => Match[];
  /** Said when the search found no one, and when there were more than the list holds. */
  readonly none: string;
  readonly more: string;
  /** Called whenever the pick changes (the count before the export no longer holds). */
  readonly changed: () => void;
}

/** Wires one search-and-pick block of the page (compliance.html #<prefix>-pick). */
export function wirePick(options: PickOptions): { clear: () => void } {
  const { prefix } = options;
  const note = $(`${prefix}-note`);
  const results = $(`${prefix}-results`);
  const list = $(`${prefix}-list`);
  const chosen = $(`${prefix}-chosen`);
  const filter = $<HTMLInputElement>(prefix);

  const clear = (): void => {
    filter.value = '';
    chosen.hidden = true;
    for (const radio of list.querySelectorAll<HTMLInputElement>('input[type="radio"]')) radio.checked = false;
    options.changed();
  };

  const choose = (match: Match): void => {
    filter.value = match.choice;
    $(`${prefix}-chosen-text`).textContent = match.text;
    chosen.hidden = false;
    options.changed();
  };

  const search = async (): Promise<void> => {
    note.textContent = 'Searching…';
    results.hidden = true;
    list.replaceChildren();
    const res = await api(`${options.path}?${options.query().toString()}`);
    const answer = (await res.json()) as unknown;
    if (!res.ok) {
      note.textContent = ((answer as Outcome).issue ?? []).map((i) => i.diagnostics).join(' ') || 'The search did not work: try again.';
      return;
    }
    const rows = options.rows(answer);
    const more = (answer as { more?: boolean }).more === true;
    note.textContent = rows.length === 0 ? options.none : `${rows.length === 1 ? '1 match' : `${rows.length} matches`}: pick one below.${more ? ` ${options.more}` : ''}`;
    rows.forEach((match, i) => {
      const radio = el('input', { type: 'radio', name: `${prefix}-match`, id: `${prefix}-match-${i}`, value: String(i), onchange: () => choose(match) });
      list.append(el('div', { class: 'nc-match' }, radio, el('label', { for: `${prefix}-match-${i}`, text: match.text })));
    });
    results.hidden = rows.length === 0;
  };

  const run = (): void => {
    search().catch(() => (note.textContent = 'The search did not work: try again.'));
  };
  $(`${prefix}-find`).addEventListener('click', run);
  // Enter in a search field searches (it would otherwise start the export).
  for (const input of $(`${prefix}-pick`).querySelectorAll<HTMLInputElement>('.nc-grid input')) {
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        run();
      }
    });
  }
  $(`${prefix}-clear`).addEventListener('click', () => {
    clear();
    $(`${prefix}-find`).focus();
  });
  return { clear };
}
