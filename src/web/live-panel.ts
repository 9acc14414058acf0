// The live panel: billing codes with their reasons, payer readiness and the note as it will read,
// refreshed from /api/preview as the therapist charts. A finding is a link to its field; each item
// shows its public sources on demand.

import { narrativeOf } from '../domain/previous-narrative.js';
import type { Finding, Outcome, PreviewAnswer } from './api-types.js';
import { inClinicWords } from './clinic-words.js';
import { $, api, el } from './dom.js';
import { fieldLabel } from './field-label.js';
import { cleanSession } from './session.js';
import { sourcesOf } from './sources.js';
import { context, state } from './state.js';

/** Finding severities in the words the notes use. */
const SEVERITY_WORDS: Readonly<Record<Finding['severity'], string>> = { error: 'Needs fixing', warning: 'Worth checking', info: 'For information' };

/** Moves to the field a finding is about (or the nearest part of the form holding it). */
export function focusPath(path: string): void {
  const exact = document.querySelector<HTMLElement>(`[data-path="${CSS.escape(path)}"]`);
  const target = exact ?? [...document.querySelectorAll<HTMLElement>('[data-path]')].filter((n) => path.startsWith(n.dataset.path ?? '\0')).sort((a, b) => (b.dataset.path ?? '').length - (a.dataset.path ?? '').length)[0];
  if (!target) return;
  target.scrollIntoView({ block: 'center' });
  (target.matches('input, select, textarea, button') ? target : target.querySelector<HTMLElement>('input, select, textarea, button') ?? target).focus();
}

function renderFindings(findings: readonly Finding[]): void {
  const list = $('findings');
  list.replaceChildren();
  for (const f of findings) {
    const button = el('button', { type: 'button', class: 'nc-link', text: f.message, onclick: () => focusPath(f.path) });
    list.append(el('li', { class: `nc-${f.severity}` }, el('strong', { text: `${SEVERITY_WORDS[f.severity]}: ` }), button, ...sourcesOf(f.citations)));
  }
  if (!findings.length) list.append(el('li', { class: 'nc-ok', text: 'Nothing a payer reviewer would flag.' }));
}

/** The refusal's issues in a therapist's words. */
export function outcomeInWords(body: Outcome | null | undefined): string[] {
  return (body?.issue ?? []).map((i) => inClinicWords(i.expression?.[0] ?? '', i.diagnostics ?? '', fieldLabel));
}

/** What the live panel needs from the chart: the visit's number, the previous visit's own words (for the cloned-text check) and this year's allowed therapy amount (for the KX threshold). */
function courseForPreview(): Record<string, unknown> {
  const ctx = context();
  const last = ctx.lastSession;
  return {
    visitNumber: ctx.course.visitNumber,
    ...(ctx.therapyAmountThisYear !== undefined ? { therapyAmountThisYear: ctx.therapyAmountThisYear } : {}),
    ...(last ? { previous: narrativeOf(last) } : {}),
  };
}

/** The request of the newest refresh still waiting for its answer: a newer refresh cancels it. */
let inFlight: AbortController | null = null;
/** What the panel shows now, so an answer that changes nothing redraws nothing. */
const shown = { codes: '', warnings: '', findings: '', noteHtml: '' };

/** Stops any refresh waiting for its answer (a newer one supersedes it, or the clinician signed out). */
export function cancelPreview(): void {
  state.previewSeq += 1;
  inFlight?.abort();
  inFlight = null;
}

/** `draw()` only when `key` differs from what the part shows now: an unchanged note is not re-parsed and re-laid out. */
function redraw(part: keyof typeof shown, key: string, draw: () => void): void {
  if (shown[part] === key) return;
  shown[part] = key;
  draw();
}

/**
 * Refreshes the panel. A newer refresh cancels the request of an older one still waiting, and an
 * older answer arriving after a newer one is dropped; parts whose answer did not change are not redrawn.
 */
export async function preview(): Promise<void> {
  cancelPreview();
  const seq = state.previewSeq;
  const controller = new AbortController();
  inFlight = controller;
  let res: Response;
  let answer: unknown;
  try {
    res = await api('/api/preview', { method: 'POST', body: JSON.stringify({ session: cleanSession(), course: courseForPreview() }), signal: controller.signal });
    answer = res.status === 422 || res.ok ? await res.json() : undefined;
  } catch {
    // A cancelled request is superseded, not offline.
    if (seq === state.previewSeq) $('score').textContent = '(offline: the draft is kept)';
    return;
  } finally {
    if (inFlight === controller) inFlight = null;
  }
  if (seq !== state.previewSeq) return;
  if (res.status === 422) {
    const body = answer as Outcome;
    $('score').textContent = 'not yet complete';
    const findings: Finding[] = (body.issue ?? []).map((i) => ({ severity: 'error', message: inClinicWords(i.expression?.[0] ?? '', i.diagnostics ?? '', fieldLabel), path: i.expression?.[0] ?? '' }));
    redraw('findings', JSON.stringify(findings), () => renderFindings(findings));
    return;
  }
  if (!res.ok) return;
  const body = answer as PreviewAnswer;
  redraw('codes', JSON.stringify(body.codes), () => $('codes').replaceChildren(...body.codes.map((c) => el('li', {}, el('strong', { text: `${[c.code, ...c.modifiers].join('-')} × ${c.units}${c.billable ? '' : ' (not billed)'}` }), el('span', { text: ` ${c.rationale}` }), ...sourcesOf(c.citations)))));
  redraw('warnings', JSON.stringify(body.warnings), () => $('warnings').replaceChildren(...body.warnings.map((w) => el('li', { text: w.message }, ...sourcesOf(w.citations)))));
  $('score').textContent = `${body.score}/100`;
  state.findings = body.findings;
  redraw('findings', JSON.stringify(body.findings), () => renderFindings(body.findings));
  redraw('noteHtml', body.noteHtml, () => {
    $('note-preview').innerHTML = body.noteHtml;
  });
}
