// The body map: front and back figures from the server (escaped SVG), each muscle a toggle. The whole
// map is one tab stop (a roving tabindex): the arrow keys move between muscles, Enter or Space toggles,
// and the muscle under the pointer or the focus is named in words beside the map.

import type { Side } from '../domain/types.generated.js';
import { $ } from './dom.js';
import { toggleMuscle } from './muscle-table.js';
import { session } from './state.js';

function spots(): SVGElement[] {
  return [...document.querySelectorAll<SVGElement>('.nc-body-maps .nc-hotspot')];
}

function sideOf(spot: SVGElement): Side {
  return spot.dataset.side === 'right' ? 'right' : 'left';
}

/** Names the muscle under the pointer or focus in the caption beside the map. */
function name(spot: SVGElement | null): void {
  $('body-map-label').textContent = spot ? spot.getAttribute('aria-label') ?? '' : 'Point at or move to a muscle to see its name.';
}

/** Makes `spot` the map's single tab stop. */
export function setTabStop(spot: SVGElement): void {
  for (const s of spots()) s.setAttribute('tabindex', s === spot ? '0' : '-1');
}

/** Moves the single tab stop to `next` and focuses it. */
function moveTo(next: SVGElement | undefined): void {
  if (!next) return;
  setTabStop(next);
  next.focus();
}

function onKey(event: KeyboardEvent): void {
  const spot = event.target instanceof SVGElement && event.target.classList.contains('nc-hotspot') ? event.target : null;
  if (!spot) return;
  const all = spots();
  const i = all.indexOf(spot);
  const step: Record<string, number | undefined> = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
  if (event.key === 'Enter' || event.key === ' ') {
    event.preventDefault();
    toggleMuscle(spot.dataset.muscle ?? '', sideOf(spot));
  } else if (step[event.key] !== undefined) {
    event.preventDefault();
    moveTo(all[(i + (step[event.key] ?? 0) + all.length) % all.length]);
  } else if (event.key === 'Home' || event.key === 'End') {
    event.preventDefault();
    moveTo(event.key === 'Home' ? all[0] : all[all.length - 1]);
  }
}

/** Fetches both figures and wires them: clicks, keys, names. */
export async function loadBodyMaps(): Promise<void> {
  for (const view of ['front', 'back']) {
    const res = await fetch(`/api/body-map?view=${view}`);
    if (res.ok) $(`body-map-${view}`).innerHTML = await res.text();
  }
  const all = spots();
  all.forEach((spot, i) => {
    spot.setAttribute('tabindex', i === 0 ? '0' : '-1');
    spot.addEventListener('click', () => {
      moveTo(spot);
      toggleMuscle(spot.dataset.muscle ?? '', sideOf(spot));
    });
    spot.addEventListener('mouseenter', () => name(spot));
    spot.addEventListener('focus', () => name(spot));
  });
  const maps = $('body-maps');
  maps.addEventListener('keydown', onKey);
  maps.addEventListener('mouseleave', () => name(document.activeElement instanceof SVGElement && maps.contains(document.activeElement) ? document.activeElement : null));
  name(null);
}

/** Shows which muscles are needled (pressed) on the map. */
export function markBodyMaps(): void {
  const muscles = session().muscles;
  for (const spot of spots()) {
    const on = muscles.some((m) => m.muscle === spot.dataset.muscle && m.side === spot.dataset.side);
    spot.classList.toggle('nc-needled', on);
    spot.setAttribute('aria-pressed', on ? 'true' : 'false');
  }
}
