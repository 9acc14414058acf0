// The live panel: billing codes with their reasons, payer readiness and the note as it will read,
// refreshed from /api/preview as the therapist charts. A finding is a link to its field.

import { narrativeOf } from '../domain/previous-narrative.js';
import type { Finding, Outcome, PreviewAnswer } from './api-types.js';
import { inClinicWords } from './clinic-words.js';
import { $, api, el } from './dom.js';
import { fieldLabel } from './field-label.js';
import { cleanSession } from './session.js';
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
    list.append(el('li', { class: `nc-${f.severity}` }, el('strong', { text: `${SEVERITY_WORDS[f.severity]}: ` }), button));
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

/** Refreshes the panel; an older answer arriving after a newer one is dropped. */
export async function preview(): Promise<void> {
  const seq = ++state.previewSeq;
  let res: Response;
  try {
    res = await api('/api/preview', { method: 'POST', body: JSON.stringify({ session: cleanSession(), course: courseForPreview() }) });
  } catch {
    $('score').textContent = '(offline: the draft is kept)';
    return;
  }
  if (seq !== state.previewSeq) return;
  if (res.status === 422) {
    const body = (await res.json()) as Outcome;
    $('score').textContent = 'not yet complete';
    renderFindings((body.issue ?? []).map((i) => ({ severity: 'error', message: inClinicWords(i.expression?.[0] ?? '', i.diagnostics ?? '', fieldLabel), path: i.expression?.[0] ?? '' })));
    return;
  }
  if (!res.ok) return;
  const body = (await res.json()) as PreviewAnswer;
  $('codes').replaceChildren(...body.codes.map((c) => el('li', {}, el('strong', { text: `${[c.code, ...c.modifiers].join('-')} × ${c.units}${c.billable ? '' : ' (not billed)'}` }), el('span', { text: ` ${c.rationale}` }))));
  $('warnings').replaceChildren(...body.warnings.map((w) => el('li', { text: w.message })));
  $('score').textContent = `${body.score}/100`;
  state.findings = body.findings;
  renderFindings(body.findings);
  $('note-preview').innerHTML = body.noteHtml;
}
