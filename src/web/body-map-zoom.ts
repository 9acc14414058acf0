// Zooming the body map to a region (head and neck, shoulder and arm, trunk, hip and leg): each
// figure's viewBox becomes the box around that region's muscles, so small muscles (masseter, lateral
// pterygoid) become targets of at least 24 CSS px. "Whole body" restores the figure's own box.

import { setTabStop } from './body-map.js';
import { $ } from './dom.js';
import { catalog } from './state.js';

/** The part of `svg` holding the muscles of `regions`, padded, or undefined when none is on this view. */
function regionBox(svg: SVGSVGElement, regions: ReadonlySet<string>): string | undefined {
  const inRegion = new Set(catalog().muscles.filter((m) => m.region !== undefined && regions.has(m.region)).map((m) => m.id));
  const boxes = [...svg.querySelectorAll<SVGGraphicsElement>('.nc-hotspot')].filter((s) => inRegion.has(s.dataset.muscle ?? '')).map((s) => s.getBBox());
  if (!boxes.length) return undefined;
  const x = Math.min(...boxes.map((b) => b.x));
  const y = Math.min(...boxes.map((b) => b.y));
  const w = Math.max(...boxes.map((b) => b.x + b.width)) - x;
  const h = Math.max(...boxes.map((b) => b.y + b.height)) - y;
  const pad = Math.max(w, h) * 0.12;
  return [x - pad, y - pad, w + 2 * pad, h + 2 * pad].map((n) => Math.round(n * 10) / 10).join(' ');
}

/** Shows `regions` (space-separated region ids; empty for the whole body) on both figures. */
function zoomTo(regions: string): void {
  const wanted = new Set(regions.split(' ').filter(Boolean));
  for (const svg of document.querySelectorAll<SVGSVGElement>('.nc-body-maps svg')) {
    svg.dataset.viewBox ??= svg.getAttribute('viewBox') ?? '';
    const box = wanted.size ? regionBox(svg, wanted) : undefined;
    svg.setAttribute('viewBox', box ?? svg.dataset.viewBox);
    const figure = svg.closest('figure');
    if (figure) figure.hidden = wanted.size > 0 && box === undefined;
  }
  $('body-maps').classList.toggle('nc-zoomed', wanted.size > 0);
  // The map's one tab stop moves to the first muscle shown, so Tab never lands in a hidden figure.
  const inRegion = new Set(catalog().muscles.filter((m) => m.region !== undefined && wanted.has(m.region)).map((m) => m.id));
  const first = [...document.querySelectorAll<SVGElement>('.nc-body-maps figure:not([hidden]) .nc-hotspot')].find((s) => !wanted.size || inRegion.has(s.dataset.muscle ?? ''));
  if (first) setTabStop(first);
  for (const button of $('body-map-zoom').querySelectorAll<HTMLButtonElement>('button[data-zoom]')) button.setAttribute('aria-pressed', button.dataset.zoom === regions ? 'true' : 'false');
}

/** Wires the zoom buttons (after the figures are loaded). */
export function wireBodyMapZoom(): void {
  for (const button of $('body-map-zoom').querySelectorAll<HTMLButtonElement>('button[data-zoom]')) button.addEventListener('click', () => zoomTo(button.dataset.zoom ?? ''));
}
