// Adding a muscle by name: the type-ahead lists the muscles that match and never picks one silently
// (Enter adds the highlighted one, the only match, or an exact name); the side is Left, Right or Both.

import type { Side } from '../domain/types.generated.js';
import type { CatalogMuscle } from './api-types.js';
import { $, el } from './dom.js';
import { matchMuscles } from './muscle-match.js';
import { addMuscle } from './muscle-table.js';
import { catalog } from './state.js';

const MAX_SHOWN = 8;
let matches: CatalogMuscle[] = [];
let active = -1;

function input(): HTMLInputElement {
  return $<HTMLInputElement>('muscle-search');
}

/** The sides chosen for the next muscle added. */
function chosenSides(): Side[] {
  const value = document.querySelector<HTMLInputElement>('input[name="muscle-side"]:checked')?.value ?? 'left';
  return value === 'both' ? ['left', 'right'] : [value === 'right' ? 'right' : 'left'];
}

function say(text: string): void {
  $('muscle-search-help').textContent = text;
}

function renderList(): void {
  const list = $('muscle-options');
  const shown = matches.slice(0, MAX_SHOWN);
  list.replaceChildren(...shown.map((m, i) => el('li', { id: `muscle-option-${i}`, role: 'option', 'aria-selected': i === active ? 'true' : 'false', class: i === active ? 'nc-active' : undefined, 'data-muscle': m.id, text: m.display, onmousedown: (e) => { e.preventDefault(); pick(m); } })));
  list.hidden = shown.length === 0;
  input().setAttribute('aria-expanded', shown.length ? 'true' : 'false');
  if (active >= 0) input().setAttribute('aria-activedescendant', `muscle-option-${active}`);
  else input().removeAttribute('aria-activedescendant');
  const text = input().value.trim();
  if (!text) say('');
  else if (!matches.length) say('No muscle by that name.');
  else say(matches.length === 1 ? '1 muscle matches: press Enter to add it.' : `${matches.length} muscles match: pick one with the arrow keys or the pointer.`);
}

function pick(muscle: CatalogMuscle): void {
  addMuscle(muscle.id, chosenSides());
  input().value = '';
  matches = [];
  active = -1;
  renderList();
  input().focus();
}

/** Adds what the type-ahead points at, or says why it cannot (several matches, none). */
export function addTypedMuscle(): void {
  const text = input().value.trim().toLowerCase();
  if (active < 0) matches = matchMuscles(catalog().muscles, text);
  const exact = matches.find((m) => m.display.toLowerCase() === text || m.id === text);
  const chosen = matches[active] ?? exact ?? (matches.length === 1 ? matches[0] : undefined);
  if (chosen) return pick(chosen);
  say(!text ? 'Type a muscle’s name first.' : matches.length ? 'Several muscles match: pick one from the list.' : 'No muscle by that name.');
  input().focus();
}

/** Wires the type-ahead. */
export function wireMusclePicker(): void {
  const box = input();
  box.addEventListener('input', () => {
    matches = matchMuscles(catalog().muscles, box.value);
    active = -1;
    renderList();
  });
  box.addEventListener('keydown', (e) => {
    const shown = Math.min(matches.length, MAX_SHOWN);
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (!shown) return;
      e.preventDefault();
      active = e.key === 'ArrowDown' ? (active + 1) % shown : (active - 1 + shown) % shown;
      renderList();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      addTypedMuscle();
    } else if (e.key === 'Escape') {
      matches = [];
      active = -1;
      renderList();
    }
  });
  box.addEventListener('blur', () => {
    $('muscle-options').hidden = true;
    box.setAttribute('aria-expanded', 'false');
  });
  box.addEventListener('focus', () => renderList());
  $('add-muscle').addEventListener('click', addTypedMuscle);
}
