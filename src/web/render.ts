// Drawing the whole form from the visit, and what follows any change: the draft kept, the form
// redrawn when its structure changed, the live panel refreshed.

import { markBodyMaps } from './body-map.js';
import { markCopied } from './copy-marks.js';
import { saveDraft } from './drafts.js';
import { $ } from './dom.js';
import { writeInput, type Control } from './form-fields.js';
import { preview } from './live-panel.js';
import { renderEstimMuscles, renderMuscles } from './muscle-table.js';
import { getPath } from './paths.js';
import { renderConditional, renderDiagnoses, renderOutcomeRows, renderRecordRows, renderVisitCounters } from './rows.js';
import { session, state } from './state.js';

/** The fixed controls (those written in the page) show the visit's values. */
function renderStatic(): void {
  for (const input of document.querySelectorAll<Control>('#visit-form input[data-path], #visit-form select[data-path], #visit-form textarea[data-path]')) {
    if (input.closest('[data-dynamic]') === null) writeInput(input, getPath(session(), input.dataset.path ?? ''));
  }
  const adverse = session().adverseEvents;
  $<HTMLInputElement>('no-adverse-events').checked = Array.isArray(adverse) && adverse.length === 0;
  renderPerformer();
}

/** The performer in words: the signed-in clinician's name and credentials, not editable. */
function renderPerformer(): void {
  const p = session().performer;
  const facts = [p.state ? `licensed in ${p.state}` : '', p.dryNeedlingCertified ? 'certified in dry needling' : 'dry-needling certification not on record'].filter(Boolean);
  $('performer-name').textContent = p.display || 'The clinician signed in to the EHR';
  $('performer-facts').textContent = facts.join(' · ');
}

/** Draws every part of the form from the visit. */
export function renderAll(): void {
  renderStatic();
  renderDiagnoses();
  renderMuscles();
  renderEstimMuscles();
  renderOutcomeRows();
  renderRecordRows();
  renderConditional();
  markBodyMaps();
  markCopied();
}

/**
 * How long the live panel waits after a change before asking the server: short enough that the
 * panel answers within 150 ms of the last keystroke (issue 16, item 7, measured by bench/ui.bench.ts),
 * long enough that a burst of keys sends one request rather than one per key. A request still waiting
 * when a newer one starts is cancelled (live-panel.ts).
 */
export const PREVIEW_DEBOUNCE_MS = 60;

/** Something changed: keep the draft, re-render what depends on structure, refresh the live panel. */
export function changed(structural: boolean): void {
  state.dirty = true;
  if (structural) renderAll();
  else markBodyMaps();
  renderVisitCounters();
  saveDraft();
  clearTimeout(state.previewTimer);
  state.previewTimer = window.setTimeout(() => void preview(), PREVIEW_DEBOUNCE_MS);
}
