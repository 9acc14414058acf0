// The muscles needled: the table (one row per muscle and side, palpation findings under it), the
// muscles stimulated, and adding a muscle by name.

import type { NeedledMuscle, Side } from '../domain/types.generated.js';
import { removeRow, touchCopied } from './copy-marks.js';
import { $, el } from './dom.js';
import { field, select } from './form-fields.js';
import { changed } from './render.js';
import { catalog, muscleLabel, session } from './state.js';

/** Palpation findings per muscle: the exam field and its label. */
const EXAM_FINDINGS = [['tautBand', 'Taut band'], ['triggerPoint', 'Trigger point'], ['localPain', 'Local pain'], ['referredPain', 'Referred pain']] as const;

const SIDE_WORDS: Readonly<Record<Side, string>> = { left: 'left', right: 'right' };

/** A table cell that, when the table reflows into cards, shows its column's name beside it. */
function cell(label: string, ...children: Node[]): HTMLTableCellElement {
  return el('td', { 'data-label': label }, ...children);
}

/** One row per muscle and side, with its palpation findings on a line under it. */
export function renderMuscles(): void {
  const body = $('muscle-rows');
  body.replaceChildren();
  session().muscles.forEach((m, i) => {
    const p = `muscles[${i}]`;
    const name = `${muscleLabel(m.muscle)} (${SIDE_WORDS[m.side]})`;
    const risk = catalog().muscles.find((c) => c.id === m.muscle)?.risk;
    const remove = el('button', { type: 'button', 'aria-label': `Remove ${name}`, text: 'Remove', onclick: () => { removeRow('muscles', i); changed(true); } });
    // Palpation findings before needling: today's facts, never copied forward.
    const exam = el('div', { class: 'nc-exam', role: 'group', 'aria-label': `Palpation of ${name}` },
      el('span', { class: 'nc-muted', text: 'Palpation found:' }),
      ...EXAM_FINDINGS.map(([key, label]) => el('label', { class: 'nc-check' }, field(`${p}.exam.${key}`, m.exam?.[key], { type: 'checkbox', 'data-type': 'boolean' }), ` ${label}`)));
    body.append(
      el('tr', { 'data-dynamic': '', 'data-copy-key': p, class: risk ? 'nc-risk' : undefined },
        el('th', { scope: 'row', text: `${muscleLabel(m.muscle)}${risk ? ' (lung risk)' : ''}` }),
        cell('Side', select(`${p}.side`, m.side, [['left', 'Left'], ['right', 'Right']], { 'aria-label': `Side of ${name}` })),
        cell('Depth', select(`${p}.depth`, m.depth, [['deep', 'Deep'], ['superficial', 'Superficial']], { 'aria-label': `Depth for ${name}` })),
        cell('Technique', select(`${p}.technique`, m.technique, [['static', 'Static'], ['pistoning', 'Pistoning'], ['rotation', 'Rotation'], ['pistoning-rotation', 'Pistoning + rotation']], { 'aria-label': `Technique for ${name}` })),
        cell('Needles', field(`${p}.needles`, m.needles, { type: 'number', min: 1, max: 50, 'data-type': 'integer', 'aria-label': `Needles in ${name}`, class: 'nc-narrow' })),
        cell('Retention (s)', field(`${p}.retentionSeconds`, m.retentionSeconds, { type: 'number', min: 0, max: 1800, 'data-type': 'integer', 'aria-label': `Retention in seconds, ${name}`, class: 'nc-narrow' })),
        cell('Twitch', field(`${p}.twitch.elicited`, m.twitch.elicited, { type: 'checkbox', 'data-type': 'boolean', 'aria-label': `Local twitch response elicited in ${name}` })),
        cell('Count', field(`${p}.twitch.count`, m.twitch.count, { type: 'number', min: 0, max: 100, 'data-type': 'integer', 'aria-label': `Twitch count, ${name}`, class: 'nc-narrow' })),
        cell('Precaution / notes',
          field(`${p}.precaution`, m.precaution, { type: 'text', placeholder: risk ? 'precaution (required over the lung)' : 'precaution', 'aria-label': `Precaution for ${name}` }),
          field(`${p}.notes`, m.notes, { type: 'text', placeholder: 'notes', 'aria-label': `Notes on ${name}` })),
        el('td', { class: 'nc-remove-cell' }, remove),
      ),
      el('tr', { 'data-dynamic': '', 'data-copy-key': p, class: 'nc-exam-row' }, el('td', { class: 'nc-exam-spacer' }), el('td', { colspan: 9 }, exam)),
    );
  });
  if (!session().muscles.length) body.append(el('tr', {}, el('td', { colspan: 10, class: 'nc-muted', text: 'No muscle yet: add one by name or on the body map.' })));
}

/** Which needled muscles the stimulation went through. */
export function renderEstimMuscles(): void {
  const box = $('estim-muscles');
  box.replaceChildren();
  const s = session();
  if (!s.estim?.applied) return;
  const on = s.estim.muscles ?? [];
  for (const m of s.muscles) {
    const input = el('input', { type: 'checkbox' });
    input.checked = on.some((x) => x.muscle === m.muscle && x.side === m.side);
    input.addEventListener('change', () => {
      const estim = s.estim ?? { applied: true };
      const rest = (estim.muscles ?? []).filter((x) => !(x.muscle === m.muscle && x.side === m.side));
      estim.muscles = input.checked ? [...rest, { muscle: m.muscle, side: m.side }] : rest;
      s.estim = estim;
      touchCopied('estim.muscles');
      changed(false);
    });
    box.append(el('label', { class: 'nc-check' }, input, ` Stimulate ${muscleLabel(m.muscle)} (${SIDE_WORDS[m.side]})`));
  }
}

/** A new row with the usual defaults. */
function newMuscle(muscle: string, side: Side): NeedledMuscle {
  return { muscle, side, depth: 'deep', technique: 'pistoning', needles: 1, retentionSeconds: 60, twitch: { elicited: false } } as NeedledMuscle;
}

/** Adds the muscle on that side, or removes it when it is there already (the body map's click). */
export function toggleMuscle(muscle: string, side: Side): void {
  const muscles = session().muscles;
  const i = muscles.findIndex((m) => m.muscle === muscle && m.side === side);
  if (i >= 0) removeRow('muscles', i);
  else muscles.push(newMuscle(muscle, side));
  changed(true);
}

/** Adds the muscle on each chosen side that does not have it yet (bilateral adds both rows). */
export function addMuscle(muscle: string, sides: readonly Side[]): void {
  const muscles = session().muscles;
  const missing = sides.filter((side) => !muscles.some((m) => m.muscle === muscle && m.side === side));
  if (!missing.length) return;
  for (const side of missing) muscles.push(newMuscle(muscle, side));
  changed(true);
}
