// Favourite muscle sets on the charting page (issue 16, item 3): the clinic's sets and the clinician's
// own, each added to today's visit with one click (its rows marked to check, like copied values), and
// the muscles in the table saved, renamed or deleted as the clinician's own sets (/api/favourites).

import { favouriteMusclesOf, needledFromFavourite, type FavouriteLists, type StoredFavouriteSet } from '../domain/favourite-sets.js';
import type { Outcome } from './api-types.js';
import { $, api, el } from './dom.js';
import { changed } from './render.js';
import { session, state } from './state.js';

let lists: FavouriteLists = { clinic: [], mine: [] };
/** The set being renamed, or null when the form saves a new set. */
let renaming: StoredFavouriteSet | null = null;

function say(text: string): void {
  $('favourites-status').textContent = text;
}

/** "3 muscles" / "1 muscle". */
const count = (n: number): string => `${n} muscle${n === 1 ? '' : 's'}`;

/** A refusal in the clinician's words: the server's own sentence for a rule, a plain one for a malformed name or set. */
function refusal(body: Outcome | null): string {
  const issue = body?.issue?.[0];
  if (issue?.diagnostics && issue.code !== 'invalid' && issue.code !== 'structure') return issue.diagnostics;
  const field = issue?.expression?.[0] ?? '';
  if (field === 'name') return 'Give the set a name of one line, at most 60 characters.';
  if (field.startsWith('muscles')) return 'A set holds 1 to 30 muscles, each side once.';
  return 'NeedleChart could not keep the set. Try again.';
}

/** Adds the set's muscles that today's table does not have yet, each row marked as copied until checked. */
function addSet(set: StoredFavouriteSet): void {
  const muscles = session().muscles;
  const before = muscles.length;
  for (const m of set.muscles) if (!muscles.some((x) => x.muscle === m.muscle && x.side === m.side)) muscles.push(needledFromFavourite(m));
  const added = muscles.length - before;
  if (!added) {
    say(`Every muscle of “${set.name}” is already in the table.`);
    return;
  }
  const from = `the favourite set “${set.name}”`;
  state.copiedFrom = state.copied.length && state.copiedFrom ? `${state.copiedFrom} and ${from}` : from;
  for (let i = before; i < muscles.length; i++) state.copied.push(`muscles[${i}]`);
  changed(true);
  say(`Added ${count(added)} from “${set.name}”: check each row.`);
}

function setButton(set: StoredFavouriteSet, clinic: boolean): HTMLLIElement {
  const words = `${set.name}${clinic ? ' (clinic)' : ''}`;
  return el('li', {}, el('button', { type: 'button', 'data-favourite': set.id, 'data-favourite-name': set.name, 'aria-label': `Add ${words}: ${count(set.muscles.length)}`, title: `Add ${count(set.muscles.length)}`, text: words, onclick: () => addSet(set) }));
}

function manageRow(set: StoredFavouriteSet): HTMLLIElement {
  return el(
    'li',
    {},
    el('span', { text: `${set.name} (${count(set.muscles.length)})` }),
    el('button', { type: 'button', 'aria-label': `Rename ${set.name}`, text: 'Rename', onclick: () => openForm(set) }),
    el('button', { type: 'button', 'aria-label': `Delete ${set.name}`, text: 'Delete', onclick: () => void deleteSet(set) }),
  );
}

function render(): void {
  const all = [...lists.clinic.map((s) => setButton(s, true)), ...lists.mine.map((s) => setButton(s, false))];
  $('favourite-sets').replaceChildren(...all);
  $('favourites-empty').hidden = all.length > 0;
  $('favourites-manage').hidden = lists.mine.length === 0;
  $('favourite-manage-list').replaceChildren(...lists.mine.map(manageRow));
}

/** Shows the name form: empty to save the table's muscles as a new set, or with a set's name to rename it. */
function openForm(set: StoredFavouriteSet | null): void {
  renaming = set;
  $('favourite-form').hidden = false;
  $('favourite-form-title').textContent = set ? `New name for “${set.name}”` : 'Name of the new set';
  $('favourite-submit').textContent = set ? 'Rename' : 'Save set';
  const name = $<HTMLInputElement>('favourite-name');
  name.value = set?.name ?? '';
  name.focus();
}

function closeForm(): void {
  renaming = null;
  $('favourite-form').hidden = true;
  $('save-favourite').focus();
}

async function reload(): Promise<void> {
  const res = await api('/api/favourites').catch(() => null);
  if (!res?.ok) {
    // A launch without a clinician (or NeedleChart unreachable): no sets to offer.
    $('favourites').hidden = true;
    return;
  }
  lists = (await res.json()) as FavouriteLists;
  $('favourites').hidden = false;
  render();
}

async function submit(): Promise<void> {
  const name = $<HTMLInputElement>('favourite-name').value.trim();
  if (!name) return say('Give the set a name first.');
  const target = renaming;
  const muscles = favouriteMusclesOf(session().muscles);
  if (!target && !muscles.length) return say('Add muscles to the table first: a set is made from the muscles in it.');
  const res = await api(target ? `/api/favourites/${encodeURIComponent(target.id)}` : '/api/favourites', { method: target ? 'PATCH' : 'POST', body: JSON.stringify(target ? { name } : { name, muscles }) }).catch(() => null);
  if (!res?.ok) {
    const body = res ? ((await res.json().catch(() => null)) as Outcome | null) : null;
    return say(res ? `Not saved: ${refusal(body)}` : 'Not saved: NeedleChart could not be reached.');
  }
  await reload();
  closeForm();
  say(target ? `Renamed to “${name}”.` : `Saved “${name}” (${count(muscles.length)}): one click adds it to a visit.`);
}

async function deleteSet(set: StoredFavouriteSet): Promise<void> {
  const res = await api(`/api/favourites/${encodeURIComponent(set.id)}`, { method: 'DELETE' }).catch(() => null);
  if (!res?.ok && res?.status !== 404) return say(`Not deleted: ${res ? refusal((await res.json().catch(() => null)) as Outcome | null) : 'NeedleChart could not be reached.'}`);
  await reload();
  say(`Deleted “${set.name}”.`);
}

/** Wires the Favourites controls and lists the sets (the chart opens without waiting for them). */
export function wireFavourites(): void {
  $('save-favourite').addEventListener('click', () => openForm(null));
  $('favourite-cancel').addEventListener('click', closeForm);
  $('favourite-submit').addEventListener('click', () => void submit());
  $('favourite-name').addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      void submit();
    } else if (e.key === 'Escape') closeForm();
  });
  void reload();
}
