// Signing and addenda on the charting page: the dialog that lists what blocks a signature (errors to
// fix, warnings to acknowledge one by one) with the attestation, and the note's history. Pure DOM
// helpers: the caller passes the findings and decides what to send. Text only, never markup.

import type { Finding, HistoryEntry, Outcome } from './api-types.js';
import { acknowledgementKey, parseAcknowledgementKey } from '../domain/sign-gate.js';
import { ATTESTATION } from '../notes/note-status.js';
import { $, el } from './dom.js';

/** How a warning is named when acknowledged: the key the server checks. */
export const keyOf = (finding: Finding): string => acknowledgementKey({ rule: finding.rule ?? '', path: finding.path });

/** Findings from a 422 the server sent back when signing: errors and warnings with their keys. */
export function findingsFromOutcome(outcome: Outcome | null | undefined): Finding[] {
  return (outcome?.issue ?? []).map((i) => {
    const { rule, path } = parseAcknowledgementKey(i.details?.coding?.[0]?.code ?? '');
    return { severity: i.severity === 'warning' ? 'warning' : 'error', message: i.details?.text ?? i.diagnostics ?? '', rule, path: path || (i.expression?.[0] ?? '') };
  });
}

/**
 * Fills the sign dialog: errors listed (signing stays disabled while any stands), each warning with its
 * own checkbox, the reason box for an addendum; `onReady(ready)` is called whenever the choices change.
 */
export function renderSignDialog({ findings, addendum, onReady }: { findings: readonly Finding[]; addendum: boolean; onReady: (ready: boolean) => void }): void {
  const errors = findings.filter((f) => f.severity === 'error');
  const warnings = findings.filter((f) => f.severity === 'warning');
  $('sign-title').textContent = addendum ? 'Save an addendum to the signed note' : 'Sign the note';
  $('sign-reason-wrap').hidden = !addendum;
  $('sign-errors').replaceChildren(...(errors.length ? [el('p', { text: 'Fix these first:' }), el('ul', {}, ...errors.map((f) => el('li', { class: 'nc-error', text: f.message })))] : []));
  const box = $('sign-warnings');
  box.hidden = warnings.length === 0;
  box.replaceChildren(
    el('legend', { text: 'Acknowledge each item' }),
    ...warnings.map((f, i) => el('label', { class: 'nc-check' }, el('input', { type: 'checkbox', id: `ack-${i}`, value: keyOf(f) }), el('span', { text: ` ${f.message}` }))),
  );
  $('sign-attestation').textContent = `By signing you attest: ${ATTESTATION}`;
  const reason = $<HTMLTextAreaElement>('sign-reason');
  const check = (): void => {
    const all = [...box.querySelectorAll<HTMLInputElement>('input[type=checkbox]')].every((c) => c.checked);
    onReady(errors.length === 0 && all && (!addendum || reason.value.trim().length > 0));
  };
  box.onchange = check;
  reason.oninput = check;
  check();
}

/** The keys of the warnings ticked in the dialog. */
export function acknowledgedIn(): string[] {
  return [...$('sign-warnings').querySelectorAll<HTMLInputElement>('input[type=checkbox]:checked')].map((c) => c.value);
}

/** The note's versions, oldest first: "Signed · Friday, November 20, 2026, 3:10 PM · Alex Rivera, PT, DPT". */
export function renderHistory(history: readonly HistoryEntry[]): void {
  $('history-section').hidden = !history.length;
  $('history').replaceChildren(
    ...history.map((h) => el('li', {}, el('strong', { text: h.kind }), el('span', { text: ` · ${h.when} · ${h.by}${h.reason ? ` · Reason: ${h.reason}` : ''}${h.current ? ' (current)' : ' (kept in the chart, replaced)'}` }))),
  );
}
