// NeedleChart charting page (bundled by esbuild into /assets/app.js). No framework: the form is the
// session document, every input names its field path (data-path), and the server does all coding,
// checking and rendering through /api/preview. Patient data goes into the DOM as text only; the two
// HTML fragments inserted as markup (note preview, body map) are rendered and escaped by the server.

import { formatPublishedDate } from '../domain/human-dates.js';
import type { Catalog, ChartContext, Outcome } from './api-types.js';
import { loadBodyMaps } from './body-map.js';
import { wireBodyMapZoom } from './body-map-zoom.js';
import { confirmCopied, copyForward, touchCopied } from './copy-marks.js';
import { clearDraft, loadDraft } from './drafts.js';
import { $, api, el, launchId } from './dom.js';
import { readInput, type Control } from './form-fields.js';
import { cancelPreview, preview } from './live-panel.js';
import { wireFavourites } from './favourites.js';
import { wireMusclePicker } from './muscle-picker.js';
import { setPath } from './paths.js';
import { changed, renderAll } from './render.js';
import { renderTrend } from './rows.js';
import { confirmSigning, renderSigning, save, startSigning } from './saving.js';
import { newSession } from './session.js';
import { loadSources } from './sources.js';
import { catalog, context, session, state } from './state.js';

/** " · born March 12, 1984 · female": the birth date as people write it (FHIR allows a year or a month alone), each part only when the chart has it. */
function bannerDetails(patient: { readonly birthDate?: string; readonly gender?: string }): string {
  const parts = [patient.birthDate ? `born ${formatPublishedDate(patient.birthDate)}` : undefined, patient.gender && patient.gender !== 'unknown' ? patient.gender : undefined].filter((p) => p !== undefined);
  return parts.map((p) => ` · ${p}`).join('');
}

function fail(message: string): void {
  $('fatal').textContent = message;
  $('fatal').hidden = false;
  $('visit-line').textContent = '';
}

/** Ends the sign-in on the server and forgets this device's draft, so nothing of the patient stays on a shared computer. */
async function signOut(): Promise<void> {
  const button = $<HTMLButtonElement>('sign-out');
  button.disabled = true;
  const res = await api('/api/sign-out', { method: 'POST' }).catch(() => null);
  if (!res?.ok) {
    const body = res ? ((await res.json().catch(() => null)) as Outcome | null) : null;
    button.disabled = false;
    $('save-status').textContent = `Not signed out: ${body?.issue?.[0]?.diagnostics ?? 'NeedleChart could not be reached.'} Try again.`;
    return;
  }
  clearDraft();
  clearTimeout(state.previewTimer);
  cancelPreview();
  state.session = null;
  $('workspace').hidden = true;
  $('patient-banner').hidden = true;
  $('patient-banner').textContent = '';
  button.hidden = true;
  fail('You are signed out of NeedleChart. To chart a visit again, launch NeedleChart from the patient’s chart in your EHR.');
}

function renderHeader(): void {
  const ctx = context();
  const payer = catalog().payers.find((p) => p.id === ctx.payer.policyId);
  if (ctx.launch.needPatientBanner) {
    const banner = $('patient-banner');
    banner.replaceChildren(el('strong', { text: ctx.patient.name }), el('span', { text: bannerDetails(ctx.patient) }));
    banner.hidden = false;
  }
  $('visit-line').textContent = `${payer ? payer.name : ctx.payer.name ?? 'Payer not recognised: choose a payer policy'} · visit ${ctx.course.visitNumber} of the course`;
  $('payer').replaceChildren(...catalog().payers.map((p) => el('option', { value: p.id, text: p.name })));
  if (ctx.launch.appContext) {
    try {
      const app = JSON.parse(ctx.launch.appContext) as { procedureId?: string };
      if (app.procedureId && ctx.currentVisit?.procedure.id === app.procedureId) $('save-status').textContent = `Opened from an EHR alert about this visit (${ctx.currentVisit.date.slice(0, 10)}): saving amends it.`;
    } catch {
      /* not JSON: nothing to show */
    }
  }
  const last = ctx.lastSession;
  $<HTMLButtonElement>('copy-forward').disabled = !last;
  if (!last) $('copy-forward-note').textContent = 'No earlier visit to copy from.';
  if (!ctx.launch.canSave) $('save-status').textContent = ctx.launch.cannotSave ? `Saving is off: ${ctx.launch.cannotSave}` : 'Saving is off: the EHR did not allow NeedleChart to write visits to the chart. Ask your EHR administrator.';
}

async function start(): Promise<void> {
  if (!launchId) return fail('Open NeedleChart from the patient’s chart in your EHR.');
  const [catalogRes, contextRes] = await Promise.all([fetch('/api/catalog'), api('/api/context'), loadSources()]);
  if (!contextRes.ok) {
    const body = (await contextRes.json().catch(() => null)) as Outcome | null;
    return fail(body?.issue?.[0]?.diagnostics ?? 'The chart could not be read from the EHR.');
  }
  state.catalog = (await catalogRes.json()) as Catalog;
  state.context = (await contextRes.json()) as ChartContext;
  state.draftKey = `nc-draft:${state.context.patient.reference}|${state.context.encounter.reference}`;
  const draft = await loadDraft();
  const current = state.context.currentVisit;
  if (draft) {
    state.session = draft.session;
    state.amend = draft.amend ?? null;
    state.copied = Array.isArray(draft.copied) ? draft.copied : [];
    state.copiedFrom = typeof draft.copiedFrom === 'string' ? draft.copiedFrom : '';
    $('draft-status').textContent = 'Unsaved draft restored.';
  } else if (current?.session) {
    state.session = current.session;
    state.amend = { procedureId: current.procedure.id, versionId: current.procedure.versionId };
    $('save-status').textContent = current.note === 'signed' ? 'This visit is signed: a change to it is saved as an addendum with its reason.' : 'This visit is saved as a draft: sign it when it is complete.';
  } else {
    state.session = newSession();
    $('practices-note').hidden = !state.session.practices;
  }
  if (current) {
    state.note = current.note;
    state.history = current.history ?? [];
  }
  renderHeader();
  renderSigning();
  $('sign-out').hidden = false;
  await loadBodyMaps();
  wireBodyMapZoom();
  renderTrend();
  renderAll();
  $('workspace').hidden = false;
  void preview();
  wireFavourites();
}

function isControl(node: EventTarget | null): node is Control {
  return node instanceof HTMLInputElement || node instanceof HTMLSelectElement || node instanceof HTMLTextAreaElement;
}

document.addEventListener('input', (event) => {
  const input = event.target;
  if (!isControl(input) || !input.dataset.path || !state.session) return;
  setPath(state.session, input.dataset.path, readInput(input));
  touchCopied(input.dataset.path);
  changed(input.dataset.path === 'estim.applied' || input.dataset.path.endsWith('.side'));
});
$('visit-form').addEventListener('change', (event) => {
  const input = event.target;
  if (input instanceof HTMLSelectElement && input.dataset.path && state.session) {
    setPath(state.session, input.dataset.path, readInput(input));
    changed(true);
  }
});

/** An "Add …" button that appends an empty row to a list. */
function adds(id: string, add: () => void): void {
  $(id).addEventListener('click', () => {
    add();
    changed(true);
  });
}

$('sign-out').addEventListener('click', () => void signOut());
$('sign').addEventListener('click', () => void startSigning());
$('sign-form').addEventListener('submit', (e) => void confirmSigning(e));
$('sign-cancel').addEventListener('click', () => $<HTMLDialogElement>('sign-dialog').close());
$('copy-forward').addEventListener('click', copyForward);
$('confirm-copied').addEventListener('click', confirmCopied);
adds('add-prior-care', () => {
  const s = session();
  s.necessity ??= {};
  (s.necessity.priorCare ??= []).push({ treatment: '', result: '' } as NonNullable<NonNullable<typeof s.necessity>['priorCare']>[number]);
});
adds('add-service', () => (session().services ??= []).push({ code: '' } as NonNullable<ReturnType<typeof session>['services']>[number]));
adds('add-rom', () => {
  const s = session();
  s.outcomes ??= {};
  (s.outcomes.rom ??= []).push({ movement: '' } as NonNullable<NonNullable<typeof s.outcomes>['rom']>[number]);
});
adds('add-measure', () => {
  const s = session();
  s.outcomes ??= {};
  (s.outcomes.measures ??= []).push({ instrument: '' } as NonNullable<NonNullable<typeof s.outcomes>['measures']>[number]);
});
adds('add-adverse', () => (session().adverseEvents ??= []).push({ type: '', severity: 'mild' } as NonNullable<ReturnType<typeof session>['adverseEvents']>[number]));
$('no-adverse-events').addEventListener('change', (e) => {
  const s = session();
  if ((e.target as HTMLInputElement).checked) s.adverseEvents = [];
  else delete s.adverseEvents;
  changed(true);
});
wireMusclePicker();
$('visit-form').addEventListener('submit', (e) => void save(e));
start().catch(() => fail('NeedleChart could not start. Reload the page; your draft is kept on this device.'));
