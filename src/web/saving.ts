// Saving the visit to the chart: Save draft, Sign note… and Save addendum… (with the dialog that
// lists what blocks a signature), reading the visit back, and signing out.

import type { ChartContext, Finding, Outcome } from './api-types.js';
import { clearDraft } from './drafts.js';
import { $, api } from './dom.js';
import { outcomeInWords, preview } from './live-panel.js';
import { cleanSession } from './session.js';
import { acknowledgedIn, findingsFromOutcome, renderHistory, renderSignDialog } from './signing.js';
import { context, state } from './state.js';

const SAVED_WORDS: Readonly<Record<string, string>> = { created: 'Saved as a draft in the chart.', updated: 'Draft updated in the chart.', unchanged: 'Already saved: nothing new to save.' };

interface SaveAnswer {
  readonly procedure: { readonly id: string; readonly versionId: string };
  readonly note?: 'draft' | 'signed';
  readonly status?: string;
}

function refusal(body: Outcome, fallback: string): string {
  const words = outcomeInWords(body);
  return words.length ? words.join(' ') : fallback;
}

function setStatus(text: string, kind?: 'saved' | 'error'): void {
  const status = $('save-status');
  status.textContent = text;
  if (kind) status.className = `nc-${kind}`;
}

/** Sends the form as a draft (or, with `addendum`, as an addendum to the signed note). */
async function sendVisit(addendum?: { reason: string; acknowledged: string[] }): Promise<{ ok: true; body: SaveAnswer } | { ok: false; body: Outcome }> {
  const res = await api('/api/sessions', { method: 'POST', body: JSON.stringify({ session: cleanSession(), ...(state.amend ? { amend: state.amend } : {}), ...(addendum ? { addendum } : {}) }) });
  const body = (await res.json()) as SaveAnswer & Outcome;
  if (!res.ok) return { ok: false, body };
  state.amend = { procedureId: body.procedure.id, versionId: body.procedure.versionId };
  state.note = body.note ?? 'draft';
  state.dirty = false;
  clearDraft();
  $('draft-status').textContent = '';
  setStatus(addendum ? 'Addendum saved and signed.' : (SAVED_WORDS[body.status ?? ''] ?? 'Saved to the chart.'), 'saved');
  return { ok: true, body };
}

/** The form's submit: a draft, or for a signed note the addendum dialog. */
export async function save(event: Event): Promise<void> {
  event.preventDefault();
  const launch = context().launch;
  if (!launch.canSave) {
    setStatus(launch.cannotSave ?? 'This launch cannot save to the chart: ask your EHR administrator to allow NeedleChart to write visits.');
    return;
  }
  // A signed note changes only by an addendum: its reason and acknowledgements come from the dialog.
  if (state.note === 'signed') return openSignDialog('addendum');
  setStatus('Saving…');
  const button = $<HTMLButtonElement>('save');
  button.disabled = true;
  try {
    const result = await sendVisit();
    if (!result.ok) setStatus(`Not saved: ${refusal(result.body, 'the chart refused it.')} Your draft is kept.`, 'error');
    else await refreshVisit();
  } catch (error) {
    console.error('save failed', error);
    setStatus('Not saved: the connection was lost. Your draft is kept on this device; save again when you are back online.', 'error');
  } finally {
    button.disabled = false;
  }
}

/** Reads the visit back from the chart: its version, where its note stands and its history. */
async function refreshVisit(): Promise<void> {
  const res = await api('/api/context');
  if (!res.ok) return;
  state.context = (await res.json()) as ChartContext;
  const current = state.context.currentVisit;
  if (current) {
    state.amend = { procedureId: current.procedure.id, versionId: current.procedure.versionId };
    state.note = current.note;
    state.history = current.history ?? [];
  }
  renderSigning();
}

/** The save bar and history as the note stands: "Save draft" and "Sign note…" for a draft, "Save addendum…" once signed. */
export function renderSigning(): void {
  $('save').textContent = state.note === 'signed' ? 'Save addendum…' : 'Save draft';
  $('sign').hidden = !(state.note === 'draft' && context().launch.canSave);
  renderHistory(state.history);
}

function openSignDialog(mode: 'sign' | 'addendum', findings: readonly Finding[] = state.findings): void {
  state.signMode = mode;
  $('sign-status').textContent = '';
  const reason = $<HTMLTextAreaElement>('sign-reason');
  reason.value = mode === 'addendum' ? reason.value : '';
  renderSignDialog({ findings, addendum: mode === 'addendum', onReady: (ready) => { $<HTMLButtonElement>('sign-confirm').disabled = !ready; } });
  $('sign-confirm').textContent = mode === 'addendum' ? 'Sign the addendum' : 'Sign';
  const dialog = $<HTMLDialogElement>('sign-dialog');
  if (!dialog.open) dialog.showModal();
}

/** "Sign note…": unsaved changes are saved as the draft first, so what is signed is what the clinician sees. */
export async function startSigning(): Promise<void> {
  if (state.dirty) {
    setStatus('Saving the draft before signing…');
    const result = await sendVisit();
    if (!result.ok) {
      setStatus(`Not saved: ${refusal(result.body, 'the chart refused it.')}`, 'error');
      return;
    }
    await preview();
  }
  openSignDialog('sign');
}

async function finishSigning(message: string): Promise<void> {
  $<HTMLDialogElement>('sign-dialog').close();
  setStatus(message, 'saved');
  await refreshVisit();
  void preview();
}

/** The server saw something the live panel did not (the chart's earlier visits, a newer rule): show its list. */
function refusedSigning(body: Outcome): void {
  const findings = findingsFromOutcome(body);
  if (findings.some((f) => f.rule)) openSignDialog(state.signMode, findings);
  $('sign-status').textContent = `Not signed: ${refusal(body, 'the chart refused it.')}`;
  $<HTMLButtonElement>('sign-confirm').disabled = false;
}

/** The dialog's Sign (or Sign the addendum). */
export async function confirmSigning(event: Event): Promise<void> {
  event.preventDefault();
  const acknowledged = acknowledgedIn();
  const confirm = $<HTMLButtonElement>('sign-confirm');
  confirm.disabled = true;
  $('sign-status').textContent = state.signMode === 'addendum' ? 'Saving the addendum…' : 'Signing…';
  try {
    if (state.signMode === 'addendum') {
      const result = await sendVisit({ reason: $<HTMLTextAreaElement>('sign-reason').value, acknowledged });
      if (result.ok) return await finishSigning('Addendum saved and signed.');
      return refusedSigning(result.body);
    }
    const amend = state.amend;
    if (!amend) return;
    const res = await api(`/api/visits/${encodeURIComponent(amend.procedureId)}/sign`, { method: 'POST', body: JSON.stringify({ versionId: amend.versionId, acknowledged }) });
    const body = (await res.json()) as { status?: string } & Outcome;
    if (res.ok) return await finishSigning(body.status === 'unchanged' ? 'This note was already signed.' : 'Signed. The note is final in the chart.');
    return refusedSigning(body);
  } catch (error) {
    console.error('signing failed', error);
    $('sign-status').textContent = 'Not signed: the connection was lost. Try again when you are back online.';
    confirm.disabled = false;
  }
}
