// NeedleChart charting page. Plain ES module, no framework: the form is the session document,
// every input names its field path (data-path), and the server does all coding, checking and
// rendering through /api/preview. Patient data goes into the DOM as text only; the two HTML
// fragments inserted as markup (note preview, body map) are rendered and escaped by the server.

import { acknowledgedIn, findingsFromOutcome, renderHistory, renderSignDialog } from './signing.js';
import { copiedAfterRemoving, copiedAfterTouching, copyForwardInto, dateInWords, pruneEmpty } from './copy-forward.js';

const params = new URLSearchParams(location.search);
const launchId = params.get('launch') ?? '';
const $ = (id) => document.getElementById(id);

// `copied`: field paths carried forward from the last visit and not yet changed or confirmed; `copiedFrom`: that visit's date in words.
// `note`: where the saved visit's note stands ('none', 'draft', 'signed'); `findings`: the live panel's last findings; `dirty`: changed since the last save.
const state = { note: 'none', history: [], findings: [], dirty: false, signMode: 'sign', catalog: null, context: null, session: null, amend: null, copied: [], copiedFrom: '', draftKey: '', previewTimer: 0, draftTimer: 0, previewSeq: 0 };

/** Other services a visit may bill beside the needling, until the code table lists them (plain names, never raw values alone). */
const OTHER_SERVICES = [
  ['97140', 'Manual therapy'],
  ['97110', 'Therapeutic exercise'],
  ['97112', 'Neuromuscular re-education'],
  ['97530', 'Therapeutic activities'],
  ['97035', 'Ultrasound'],
  ['97010', 'Hot or cold packs'],
];

/** The muscle catalog's body regions, in words. */
const REGIONS = [
  ['head-jaw', 'Head and jaw'], ['neck', 'Neck'], ['shoulder', 'Shoulder'], ['upper-arm', 'Upper arm'], ['forearm-hand', 'Forearm and hand'], ['thorax', 'Chest and ribs'],
  ['back', 'Back'], ['lumbopelvic', 'Low back and pelvis'], ['hip', 'Hip'], ['thigh', 'Thigh'], ['leg', 'Lower leg'], ['foot', 'Foot'],
];

/** Palpation findings per muscle: the exam field and its label. */
const EXAM_FINDINGS = [['tautBand', 'Taut band'], ['triggerPoint', 'Trigger point'], ['localPain', 'Local pain'], ['referredPain', 'Referred pain']];

// ---- small helpers -------------------------------------------------------------------------

function api(path, init = {}) {
  return fetch(path, { ...init, headers: { 'x-launch-id': launchId, 'content-type': 'application/json', ...(init.headers ?? {}) } });
}

function splitPath(path) {
  return path.replace(/\[(\d+)\]/g, '.$1').split('.').filter(Boolean).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

function getPath(obj, path) {
  return splitPath(path).reduce((node, key) => (node == null ? undefined : node[key]), obj);
}

function setPath(obj, path, value) {
  const keys = splitPath(path);
  let node = obj;
  keys.slice(0, -1).forEach((key, i) => {
    if (node[key] == null) node[key] = typeof keys[i + 1] === 'number' ? [] : {};
    node = node[key];
  });
  const last = keys[keys.length - 1];
  if (value === undefined) delete node[last];
  else node[last] = value;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c != null) node.append(c);
  return node;
}

function pad(n) {
  return String(n).padStart(2, '0');
}

/** "2026-11-24T09:30" (input) → ISO with this browser's UTC offset. */
function toIsoWithOffset(local) {
  const d = new Date(local);
  if (Number.isNaN(d.getTime())) return undefined;
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  return `${local.length === 16 ? `${local}:00` : local}${sign}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
}

function nowLocal() {
  const d = new Date();
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function muscleLabel(id) {
  return state.catalog.muscles.find((m) => m.id === id)?.display ?? id;
}

// ---- the session ----------------------------------------------------------------------------

function newSession() {
  const ctx = state.context;
  const last = ctx.lastSession;
  // The performer is the signed-in clinician as the EHR records them; the server fills it the same way whatever is sent.
  const clinician = ctx.launch.clinician;
  return {
    date: toIsoWithOffset(nowLocal()),
    performer: clinician ? { ...clinician } : { reference: ctx.launch.fhirUser ?? '', display: ctx.launch.userName ?? '', dryNeedlingCertified: false },
    payer: ctx.payer.policyId ?? state.catalog.payers[0]?.id ?? '',
    billing: 'bill-payer',
    diagnoses: ctx.diagnoses.map((d) => ({ ...d })),
    consent: { obtained: false, investigationalStatusDisclosed: false },
    screening: { contraindications: [], precautions: [], cleared: false },
    needle: { type: 'solid filiform', diameterMm: 0.25, lengthMm: 40 },
    muscles: [],
    estim: { applied: false },
    outcomes: {},
    ...clinicPractices(),
  };
}

/** The clinic's clean-technique defaults (NEEDLECHART_CLINIC_PRACTICES), pre-checked on a new visit only. */
function clinicPractices() {
  const fields = state.context.clinic?.practices ?? [];
  return fields.length ? { practices: Object.fromEntries(fields.map((f) => [f, true])) } : {};
}

/**
 * Last visit's repeating parts carried into today's (see copy-forward.js for what is and is never
 * copied); each copied field stays marked until the clinician changes it or confirms the copy.
 */
function copyForward() {
  const last = state.context.lastSession;
  if (!last) return;
  const { session, copied } = copyForwardInto(state.session, last);
  state.session = session;
  state.copied = copied;
  state.copiedFrom = dateInWords(last.date);
  changed(true);
  $('copy-forward-note').textContent = `Copied from the visit of ${state.copiedFrom}: check and update.`;
}

/** The clinician vouches for every copied value at once. */
function confirmCopied() {
  state.copied = [];
  markCopied();
  saveDraft();
}

/** A field was changed: its copied mark (or its row's) goes. */
function touchCopied(path) {
  if (!state.copied.length) return;
  state.copied = copiedAfterTouching(state.copied, path);
  markCopied();
}

/** A row of `listPath` was removed: its mark goes and the marks of the rows after it move up. */
function removeRow(listPath, index) {
  getPath(state.session, listPath).splice(index, 1);
  state.copied = copiedAfterRemoving(state.copied, listPath, index);
}

/**
 * Marks each copied field and row (left border, "copied from …" read by screen readers) and shows how
 * many are left to check next to Save.
 */
function markCopied() {
  const copied = new Set(state.copied);
  $('copied-desc').textContent = `copied from ${state.copiedFrom || 'the last visit'}`;
  for (const node of document.querySelectorAll('#visit-form [data-path], #visit-form [data-copy-key]')) {
    const key = node.dataset.copyKey ?? node.dataset.path;
    const on = copied.has(key);
    node.classList.toggle('nc-copied', on);
    const controls = node.matches('input, select, textarea') ? [node] : [...node.querySelectorAll('input, select, textarea')];
    for (const control of controls) {
      if (on) control.setAttribute('aria-describedby', 'copied-desc');
      else if (!control.closest('.nc-copied')) control.removeAttribute('aria-describedby');
    }
  }
  const n = state.copied.length;
  $('copied-count').hidden = n === 0;
  $('copied-count').textContent = n === 1 ? '1 copied value to check' : `${n} copied values to check`;
  $('confirm-copied').hidden = n === 0;
}

/** Strips empty values so the document sent is what the therapist entered. */
function cleanSession() {
  const s = structuredClone(state.session);
  if (s.performer && !s.performer.state) delete s.performer.state;
  if (s.estim && !s.estim.applied) s.estim = { applied: false };
  if (s.outcomes) {
    s.outcomes.rom = (s.outcomes.rom ?? []).filter((r) => r.movement && r.preDegrees !== undefined && r.postDegrees !== undefined);
    s.outcomes.measures = (s.outcomes.measures ?? []).filter((m) => m.instrument && m.score !== undefined);
    if (!s.outcomes.rom.length) delete s.outcomes.rom;
    if (!s.outcomes.measures.length) delete s.outcomes.measures;
  }
  for (const key of ['response', 'plan']) if (typeof s[key] === 'string' && !s[key].trim()) delete s[key];
  // A notice the payer does not call for, and a justification for e-stim that was not attended, are hidden: not sent.
  const notices = state.catalog.payers.find((p) => p.id === s.payer)?.notices ?? {};
  if (!notices.abn) delete s.abn;
  if (!notices.waiver) delete s.waiver;
  if (s.estim && s.estim.attended !== true) delete s.estim.justification;
  // The newer parts of the record are optional throughout: blank text, empty groups and empty rows are left out.
  for (const key of ['necessity', 'planOfCare', 'goalProgress', 'abn', 'waiver', 'practices', 'services']) {
    const kept = pruneEmpty(s[key]);
    if (kept === undefined) delete s[key];
    else s[key] = kept;
  }
  if (s.estim && typeof s.estim.justification === 'string' && !s.estim.justification.trim()) delete s.estim.justification;
  for (const m of s.muscles) {
    if (!m.precaution?.trim()) delete m.precaution;
    if (!m.notes?.trim()) delete m.notes;
    if (!m.twitch.elicited || m.twitch.count === undefined) delete m.twitch.count;
    if (m.exam && !Object.keys(m.exam).length) delete m.exam;
  }
  return s;
}

// ---- drafts survive a reload or a lost connection ----------------------------------------------

// Two places: this device's storage (survives a lost connection) and the server (survives a reload
// where the browser refuses the page any storage, as Chromium does inside a third-party EHR iframe).
function deviceStorage() {
  try {
    const s = window.localStorage;
    s.setItem('nc-probe', '1');
    s.removeItem('nc-probe');
    return s;
  } catch {
    return null;
  }
}

function saveDraft() {
  const draft = { session: state.session, amend: state.amend, copied: state.copied, copiedFrom: state.copiedFrom, savedAt: Date.now() };
  const device = deviceStorage();
  if (device) {
    try {
      device.setItem(state.draftKey, JSON.stringify(draft));
    } catch {
      /* quota: the server copy still holds it */
    }
  }
  clearTimeout(state.draftTimer);
  state.draftTimer = setTimeout(() => {
    api('/api/draft', { method: 'PUT', body: JSON.stringify(draft) })
      .then((r) => { $('draft-status').textContent = r.ok ? 'Draft kept.' : device ? 'Draft kept on this device.' : 'Draft could not be kept.'; })
      .catch(() => { $('draft-status').textContent = device ? 'Offline: draft kept on this device.' : 'Offline: keep this page open.'; });
  }, 400);
  $('draft-status').textContent = device ? 'Draft kept on this device.' : 'Keeping the draft…';
}

async function loadDraft() {
  let local = null;
  try {
    const raw = deviceStorage()?.getItem(state.draftKey);
    local = raw ? JSON.parse(raw) : null;
  } catch {
    local = null;
  }
  const remote = await api('/api/draft').then((r) => (r.status === 200 ? r.json() : null)).catch(() => null);
  if (local && remote) return local.savedAt >= remote.savedAt ? local : remote;
  return local ?? remote;
}

function clearDraft() {
  try {
    deviceStorage()?.removeItem(state.draftKey);
  } catch {
    /* nothing kept */
  }
  clearTimeout(state.draftTimer);
}

// ---- sign-out -------------------------------------------------------------------------------

// Ends the sign-in on the server (launches, tokens, server drafts) and clears the cookie; the draft
// kept on this device goes too, so nothing of the patient stays on a shared computer.
async function signOut() {
  $('sign-out').disabled = true;
  const res = await api('/api/sign-out', { method: 'POST' }).catch(() => null);
  if (!res?.ok) {
    const body = res ? await res.json().catch(() => null) : null;
    $('sign-out').disabled = false;
    $('save-status').textContent = `Not signed out: ${body?.issue?.[0]?.diagnostics ?? 'NeedleChart could not be reached.'} Try again.`;
    return;
  }
  clearDraft();
  clearTimeout(state.previewTimer);
  state.previewSeq += 1;
  state.session = null;
  $('workspace').hidden = true;
  $('patient-banner').hidden = true;
  $('patient-banner').textContent = '';
  $('sign-out').hidden = true;
  fail('You are signed out of NeedleChart. To chart a visit again, launch NeedleChart from the patient\u2019s chart in your EHR.');
}

// ---- rendering ------------------------------------------------------------------------------

function readInput(input) {
  const type = input.dataset.type;
  if (type === 'boolean') return input.checked;
  if (type === 'tristate') return input.value === '' ? undefined : input.value === 'true';
  if (type === 'number' || type === 'integer') {
    if (input.value === '') return undefined;
    const n = Number(input.value);
    return type === 'integer' ? Math.round(n) : n;
  }
  if (type === 'list') return input.value.split(',').map((v) => v.trim()).filter(Boolean);
  if (type === 'multi') return [...input.selectedOptions].map((o) => o.value);
  if (type === 'datetime') return toIsoWithOffset(input.value);
  return input.value;
}

function writeInput(input, value) {
  const type = input.dataset.type;
  if (type === 'boolean') input.checked = value === true;
  else if (type === 'tristate') input.value = value === undefined ? '' : String(value);
  else if (type === 'list') input.value = (value ?? []).join(', ');
  else if (type === 'multi') for (const o of input.options) o.selected = (value ?? []).includes(o.value);
  else if (type === 'datetime') input.value = typeof value === 'string' ? value.slice(0, 16) : '';
  else input.value = value ?? '';
}

function renderStatic() {
  for (const input of document.querySelectorAll('#visit-form [data-path]')) {
    if (input.matches('input, select, textarea') && input.closest('[data-dynamic]') === null) writeInput(input, getPath(state.session, input.dataset.path));
  }
  $('no-adverse-events').checked = Array.isArray(state.session.adverseEvents) && state.session.adverseEvents.length === 0;
}

function field(path, value, attrs = {}) {
  const input = el('input', { 'data-path': path, ...attrs });
  writeInput(input, value);
  return input;
}

function select(path, value, options, attrs = {}) {
  const node = el('select', { 'data-path': path, ...attrs }, ...options.map(([v, label]) => el('option', { value: v, text: label })));
  node.value = value ?? '';
  return node;
}

function renderDiagnoses() {
  const box = $('diagnoses');
  box.replaceChildren();
  const chosen = new Set(state.session.diagnoses.map((d) => d.code));
  const offered = [...state.context.diagnoses];
  for (const d of state.session.diagnoses) if (!offered.some((o) => o.code === d.code)) offered.push(d);
  offered.forEach((d) => {
    const box2 = el('input', { type: 'checkbox', 'data-code': d.code });
    box2.checked = chosen.has(d.code);
    box2.addEventListener('change', () => {
      state.session.diagnoses = offered.filter((o) => (o.code === d.code ? box2.checked : state.session.diagnoses.some((x) => x.code === o.code))).map((o) => ({ ...o }));
      touchCopied('diagnoses');
      changed(false);
    });
    box.append(el('label', { class: 'nc-check' }, box2, ` ${d.code} ${d.display}`));
  });
  if (!offered.length) box.append(el('p', { class: 'nc-muted', text: 'No active ICD-10-CM conditions in the chart.' }));
}

function renderMuscles() {
  const body = $('muscle-rows');
  body.replaceChildren();
  state.session.muscles.forEach((m, i) => {
    const p = `muscles[${i}]`;
    const risk = state.catalog.muscles.find((c) => c.id === m.muscle)?.risk;
    const remove = el('button', { type: 'button', 'aria-label': `Remove ${muscleLabel(m.muscle)} (${m.side})`, text: 'Remove', onclick: () => { removeRow('muscles', i); changed(true); } });
    // Palpation findings before needling: four compact checkboxes on a line under the muscle's row (the
    // row has no room for a column at 1366 px); today's facts, never copied forward.
    const exam = el('div', { class: 'nc-exam', role: 'group', 'aria-label': `Palpation of ${muscleLabel(m.muscle)} (${m.side})` },
      el('span', { class: 'nc-muted', text: 'Palpation found:' }),
      ...EXAM_FINDINGS.map(([key, label]) => el('label', { class: 'nc-check' }, field(`${p}.exam.${key}`, m.exam?.[key], { type: 'checkbox', 'data-type': 'boolean' }), ` ${label}`)));
    body.append(
      el('tr', { 'data-dynamic': '', 'data-copy-key': p, class: risk ? 'nc-risk' : undefined },
        el('th', { scope: 'row', text: `${muscleLabel(m.muscle)}${risk ? ' (lung risk)' : ''}` }),
        el('td', {}, select(`${p}.side`, m.side, [['left', 'left'], ['right', 'right']], { 'aria-label': 'Side' })),
        el('td', {}, select(`${p}.depth`, m.depth, [['deep', 'deep'], ['superficial', 'superficial']], { 'aria-label': 'Depth' })),
        el('td', {}, select(`${p}.technique`, m.technique, [['static', 'static'], ['pistoning', 'pistoning'], ['rotation', 'rotation'], ['pistoning-rotation', 'pistoning + rotation']], { 'aria-label': 'Technique' })),
        el('td', {}, field(`${p}.needles`, m.needles, { type: 'number', min: 1, max: 50, 'data-type': 'integer', 'aria-label': 'Needles', class: 'nc-narrow' })),
        el('td', {}, field(`${p}.retentionSeconds`, m.retentionSeconds, { type: 'number', min: 0, max: 1800, 'data-type': 'integer', 'aria-label': 'Retention in seconds', class: 'nc-narrow' })),
        el('td', {}, field(`${p}.twitch.elicited`, m.twitch.elicited, { type: 'checkbox', 'data-type': 'boolean', 'aria-label': 'Local twitch response elicited' })),
        el('td', {}, field(`${p}.twitch.count`, m.twitch.count, { type: 'number', min: 0, max: 100, 'data-type': 'integer', 'aria-label': 'Twitch count', class: 'nc-narrow' })),
        el('td', {}, field(`${p}.precaution`, m.precaution, { type: 'text', placeholder: risk ? 'precaution (required over the lung)' : 'precaution', 'aria-label': 'Precaution' }), field(`${p}.notes`, m.notes, { type: 'text', placeholder: 'notes', 'aria-label': 'Notes' })),
        el('td', {}, remove),
      ),
      el('tr', { 'data-dynamic': '', 'data-copy-key': p, class: 'nc-exam-row' }, el('td', {}), el('td', { colspan: 9 }, exam)),
    );
  });
  if (!state.session.muscles.length) body.append(el('tr', {}, el('td', { colspan: 10, class: 'nc-muted', text: 'No muscle yet: add one by name or on the body map.' })));
}

function renderEstimMuscles() {
  const box = $('estim-muscles');
  box.replaceChildren();
  const estim = state.session.estim ?? { applied: false };
  if (!estim.applied) return;
  const on = estim.muscles ?? [];
  for (const m of state.session.muscles) {
    const input = el('input', { type: 'checkbox' });
    input.checked = on.some((x) => x.muscle === m.muscle && x.side === m.side);
    input.addEventListener('change', () => {
      const rest = (state.session.estim.muscles ?? []).filter((x) => !(x.muscle === m.muscle && x.side === m.side));
      state.session.estim.muscles = input.checked ? [...rest, { muscle: m.muscle, side: m.side }] : rest;
      touchCopied('estim.muscles');
      changed(false);
    });
    box.append(el('label', { class: 'nc-check' }, input, ` stimulate ${muscleLabel(m.muscle)} (${m.side})`));
  }
}

function renderRows(containerId, listPath, build) {
  const box = $(containerId);
  box.replaceChildren();
  (getPath(state.session, listPath) ?? []).forEach((item, i) => {
    const remove = el('button', { type: 'button', text: 'Remove', onclick: () => { removeRow(listPath, i); changed(true); } });
    box.append(el('div', { class: 'nc-row', 'data-dynamic': '', 'data-copy-key': `${listPath}[${i}]` }, ...build(`${listPath}[${i}]`, item), remove));
  });
}

function renderOutcomeRows() {
  renderRows('rom-rows', 'outcomes.rom', (p, r) => [
    el('label', {}, 'Movement ', field(`${p}.movement`, r.movement, { type: 'text' })),
    el('label', {}, 'Side ', select(`${p}.side`, r.side, [['', '—'], ['left', 'left'], ['right', 'right']])),
    el('label', {}, 'Before (°) ', field(`${p}.preDegrees`, r.preDegrees, { type: 'number', 'data-type': 'number', class: 'nc-narrow' })),
    el('label', {}, 'After (°) ', field(`${p}.postDegrees`, r.postDegrees, { type: 'number', 'data-type': 'number', class: 'nc-narrow' })),
  ]);
  const instruments = state.catalog.instruments.map((i) => [i.id, `${i.display} (${i.min}–${i.max})`]);
  renderRows('measure-rows', 'outcomes.measures', (p, m) => [
    el('label', {}, 'Questionnaire ', select(`${p}.instrument`, m.instrument, [['', '—'], ...instruments])),
    el('label', {}, 'Score ', field(`${p}.score`, m.score, { type: 'number', 'data-type': 'number', class: 'nc-narrow' })),
  ]);
  renderRows('adverse-rows', 'adverseEvents', (p, e) => [
    el('label', {}, 'Event ', field(`${p}.type`, e.type, { type: 'text', list: 'adverse-types' })),
    el('label', {}, 'Severity ', select(`${p}.severity`, e.severity, [['mild', 'mild'], ['moderate', 'moderate'], ['severe', 'severe']])),
    el('label', {}, 'Muscle ', select(`${p}.muscle`, e.muscle, [['', '—'], ...state.session.muscles.map((m) => [m.muscle, muscleLabel(m.muscle)])])),
  ]);
}

function renderRecordRows() {
  renderRows('prior-care-rows', 'necessity.priorCare', (p, c) => [
    el('label', {}, 'Care tried before ', field(`${p}.treatment`, c.treatment, { type: 'text', maxlength: 200, placeholder: 'e.g. home exercise program, 4 weeks', autocomplete: 'off' })),
    el('label', {}, 'Result ', field(`${p}.result`, c.result, { type: 'text', maxlength: 300, placeholder: 'e.g. partial relief', autocomplete: 'off' })),
  ]);
  const services = state.catalog.services?.length ? state.catalog.services.map((c) => [c.code, c.display]) : OTHER_SERVICES;
  renderRows('service-rows', 'services', (p, v) => [
    el('label', {}, 'Service ', select(`${p}.code`, v.code, [['', 'Choose a service'], ...services.map(([code, name]) => [code, `${name} (${code})`])])),
    el('label', {}, 'Minutes ', field(`${p}.minutes`, v.minutes, { type: 'number', min: 0, max: 240, 'data-type': 'integer', class: 'nc-narrow' })),
    el('label', {}, 'Where ', (() => {
      const regions = el('select', { multiple: true, size: 3, class: 'nc-regions', 'data-path': `${p}.regions`, 'data-type': 'multi' }, ...REGIONS.map(([id, name]) => el('option', { value: id, text: name })));
      writeInput(regions, v.regions);
      return regions;
    })()),
  ]);
}

/** Fields shown only when they apply: the payer's financial notice, the justification of attended e-stim. */
function renderConditional() {
  const notices = state.catalog.payers.find((p) => p.id === state.session.payer)?.notices ?? {};
  for (const [id, on] of [['abn-fields', notices.abn], ['abn-note', notices.abn], ['waiver-fields', notices.waiver], ['waiver-note', notices.waiver]]) $(id).hidden = !on;
  $('estim-justification-label').hidden = state.session.estim?.attended !== true;
}

function renderTrend() {
  const box = $('pain-trend');
  box.replaceChildren();
  const trend = state.context.course.painTrend;
  if (!trend.length) {
    box.append(el('p', { class: 'nc-muted', text: 'First visit of the course: no earlier pain scores.' }));
    return;
  }
  const list = el('ol', { class: 'nc-trend-list' });
  for (const p of trend) list.append(el('li', { text: `${p.date.slice(0, 10)}: pain ${p.pre ?? '–'} → ${p.post ?? '–'}` }));
  const relief = state.context.course.reliefPercent;
  box.append(el('p', { text: `Earlier visits (visit ${state.context.course.visitNumber} today)${relief !== undefined ? `, ${relief}% relief so far` : ''}:` }), list);
}

function markBodyMaps() {
  for (const spot of document.querySelectorAll('.nc-hotspot')) {
    const on = state.session.muscles.some((m) => m.muscle === spot.dataset.muscle && m.side === spot.dataset.side);
    spot.classList.toggle('nc-needled', on);
    spot.setAttribute('aria-pressed', on ? 'true' : 'false');
  }
}

function renderAll() {
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

/** Something changed: keep the draft, re-render what depends on structure, refresh the live panel. */
function changed(structural) {
  state.dirty = true;
  if (structural) renderAll();
  else markBodyMaps();
  saveDraft();
  clearTimeout(state.previewTimer);
  state.previewTimer = setTimeout(preview, 250);
}

// ---- muscles: type-ahead and body map ----------------------------------------------------------

function toggleMuscle(muscle, side) {
  const i = state.session.muscles.findIndex((m) => m.muscle === muscle && m.side === side);
  if (i >= 0) removeRow('muscles', i);
  else state.session.muscles.push({ muscle, side, depth: 'deep', technique: 'pistoning', needles: 1, retentionSeconds: 60, twitch: { elicited: false } });
  changed(true);
}

function addTypedMuscle() {
  const text = $('muscle-search').value.trim().toLowerCase();
  const match = state.catalog.muscles.find((m) => m.display.toLowerCase() === text || m.id === text) ?? state.catalog.muscles.find((m) => m.display.toLowerCase().includes(text));
  if (!text || !match) {
    $('muscle-search').setCustomValidity('Pick a muscle from the list');
    $('muscle-search').reportValidity();
    return;
  }
  $('muscle-search').setCustomValidity('');
  const side = $('muscle-side').value;
  if (!state.session.muscles.some((m) => m.muscle === match.id && m.side === side)) toggleMuscle(match.id, side);
  $('muscle-search').value = '';
  $('muscle-search').focus();
}

async function loadBodyMaps() {
  for (const view of ['front', 'back']) {
    const res = await fetch(`/api/body-map?view=${view}`);
    if (res.ok) $(`body-map-${view}`).innerHTML = await res.text();
  }
  for (const spot of document.querySelectorAll('.nc-hotspot')) {
    spot.addEventListener('click', () => toggleMuscle(spot.dataset.muscle, spot.dataset.side));
    spot.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        toggleMuscle(spot.dataset.muscle, spot.dataset.side);
      }
    });
  }
}

// ---- the live panel ---------------------------------------------------------------------------

function focusPath(path) {
  const exact = document.querySelector(`[data-path="${CSS.escape(path)}"]`);
  const target = exact ?? [...document.querySelectorAll('[data-path]')].filter((n) => path.startsWith(n.dataset.path)).sort((a, b) => b.dataset.path.length - a.dataset.path.length)[0];
  if (!target) return;
  target.scrollIntoView({ block: 'center' });
  (target.matches('input, select, textarea, button') ? target : target.querySelector('input, select, textarea, button') ?? target).focus();
}

/** Finding severities in the words the notes use. */
const SEVERITY_WORDS = { error: 'Needs fixing', warning: 'Worth checking', info: 'For information' };

function renderFindings(findings) {
  const list = $('findings');
  list.replaceChildren();
  for (const f of findings) {
    const button = el('button', { type: 'button', class: 'nc-link', text: f.message, onclick: () => focusPath(f.path) });
    list.append(el('li', { class: `nc-${f.severity}` }, el('strong', { text: `${SEVERITY_WORDS[f.severity] ?? f.severity}: ` }), button));
  }
  if (!findings.length) list.append(el('li', { class: 'nc-ok', text: 'Nothing a payer reviewer would flag.' }));
}

async function preview() {
  const seq = ++state.previewSeq;
  let res;
  try {
    res = await api('/api/preview', { method: 'POST', body: JSON.stringify({ session: cleanSession(), course: courseForPreview() }) });
  } catch {
    $('score').textContent = '(offline: the draft is kept)';
    return;
  }
  if (seq !== state.previewSeq) return;
  const body = await res.json();
  if (res.status === 422) {
    $('score').textContent = 'incomplete';
    renderFindings(body.issue.map((i) => ({ severity: 'error', message: i.diagnostics, path: i.expression?.[0] ?? '' })));
    return;
  }
  if (!res.ok) return;
  $('codes').replaceChildren(...body.codes.map((c) => el('li', {}, el('strong', { text: `${[c.code, ...c.modifiers].join('-')} × ${c.units}${c.billable ? '' : ' (not billed)'}` }), el('span', { text: ` ${c.rationale}` }))));
  $('warnings').replaceChildren(...body.warnings.map((w) => el('li', { text: w.message })));
  $('score').textContent = `${body.score}/100`;
  state.findings = body.findings;
  renderFindings(body.findings);
  $('note-preview').innerHTML = body.noteHtml;
}

// ---- saving -----------------------------------------------------------------------------------

/** What the live panel needs from the chart: the visit's number and the previous visit's own words (for the cloned-text check). */
function courseForPreview() {
  const ctx = state.context;
  const last = ctx.lastSession;
  return {
    visitNumber: ctx.course?.visitNumber ?? 1,
    ...(last ? { previous: { date: last.date, response: last.response, plan: last.plan, goalProgress: last.goalProgress, functionalLimitation: last.necessity?.functionalLimitation } } : {}),
  };
}

const SAVED_WORDS = { created: 'Saved as a draft in the chart.', updated: 'Draft updated in the chart.', unchanged: 'Already saved: nothing new to save.' };

/** Sends the form as a draft (or, with `addendum`, as an addendum to the signed note); true when it landed. */
async function sendVisit(addendum) {
  const status = $('save-status');
  const res = await api('/api/sessions', { method: 'POST', body: JSON.stringify({ session: cleanSession(), ...(state.amend ? { amend: state.amend } : {}), ...(addendum ? { addendum } : {}) }) });
  const body = await res.json();
  if (!res.ok) return { ok: false, body };
  state.amend = { procedureId: body.procedure.id, versionId: body.procedure.versionId };
  state.note = body.note ?? 'draft';
  state.dirty = false;
  clearDraft();
  $('draft-status').textContent = '';
  status.textContent = addendum ? 'Addendum saved and signed.' : (SAVED_WORDS[body.status] ?? 'Saved.');
  status.className = 'nc-saved';
  return { ok: true, body };
}

async function save(event) {
  event.preventDefault();
  const status = $('save-status');
  if (!state.context.launch.canSave) {
    status.textContent = state.context.launch.cannotSave ?? `This launch cannot save: the EHR did not grant ${state.context.launch.missingScopes.join(', ')}.`;
    return;
  }
  // A signed note changes only by an addendum: its reason and acknowledgements come from the dialog.
  if (state.note === 'signed') return openSignDialog('addendum');
  status.textContent = 'Saving…';
  $('save').disabled = true;
  try {
    const { ok, body } = await sendVisit();
    if (!ok) {
      status.textContent = `Not saved: ${body.issue?.map((i) => i.diagnostics).join(' ') ?? 'the chart refused it.'} Your draft is kept.`;
      status.className = 'nc-error';
    } else await refreshVisit();
  } catch (error) {
    console.error('save failed', error);
    status.textContent = 'Not saved: the connection was lost. Your draft is kept on this device; save again when you are back online.';
    status.className = 'nc-error';
  } finally {
    $('save').disabled = false;
  }
}

/** Reads the visit back from the chart: its version, where its note stands and its history. */
async function refreshVisit() {
  const res = await api('/api/context');
  if (!res.ok) return;
  state.context = await res.json();
  const current = state.context.currentVisit;
  if (current) {
    state.amend = { procedureId: current.procedure.id, versionId: current.procedure.versionId };
    state.note = current.note;
    state.history = current.history;
  }
  renderSigning();
}

/** The save bar and history as the note stands: "Save draft" and "Sign note…" for a draft, "Save addendum…" once signed. */
function renderSigning() {
  $('save').textContent = state.note === 'signed' ? 'Save addendum…' : 'Save draft';
  $('sign').hidden = !(state.note === 'draft' && state.context.launch.canSave);
  renderHistory(document, state.history, el);
}

function openSignDialog(mode, findings = state.findings) {
  state.signMode = mode;
  $('sign-status').textContent = '';
  $('sign-reason').value = mode === 'addendum' ? $('sign-reason').value : '';
  renderSignDialog(document, { findings, addendum: mode === 'addendum', el, onReady: (ready) => { $('sign-confirm').disabled = !ready; } });
  $('sign-confirm').textContent = mode === 'addendum' ? 'Sign the addendum' : 'Sign';
  const dialog = $('sign-dialog');
  if (!dialog.open) dialog.showModal();
}

async function startSigning() {
  const status = $('save-status');
  // Unsaved changes are saved as the draft first, so what is signed is what the clinician sees.
  if (state.dirty) {
    status.textContent = 'Saving the draft before signing…';
    const { ok, body } = await sendVisit();
    if (!ok) {
      status.textContent = `Not saved: ${body.issue?.map((i) => i.diagnostics).join(' ') ?? 'the chart refused it.'}`;
      status.className = 'nc-error';
      return;
    }
    await preview();
  }
  openSignDialog('sign');
}

async function confirmSigning(event) {
  event.preventDefault();
  const acknowledged = acknowledgedIn(document);
  $('sign-confirm').disabled = true;
  $('sign-status').textContent = state.signMode === 'addendum' ? 'Saving the addendum…' : 'Signing…';
  try {
    let res;
    if (state.signMode === 'addendum') {
      const result = await sendVisit({ reason: $('sign-reason').value, acknowledged });
      if (result.ok) return finishSigning('Addendum saved and signed.');
      return refusedSigning(result.body);
    }
    res = await api(`/api/visits/${encodeURIComponent(state.amend.procedureId)}/sign`, { method: 'POST', body: JSON.stringify({ versionId: state.amend.versionId, acknowledged }) });
    const body = await res.json();
    if (res.ok) return finishSigning(body.status === 'unchanged' ? 'This note was already signed.' : 'Signed. The note is final in the chart.');
    return refusedSigning(body);
  } catch (error) {
    console.error('signing failed', error);
    $('sign-status').textContent = 'Not signed: the connection was lost. Try again when you are back online.';
    $('sign-confirm').disabled = false;
  }
}

/** The server saw something the live panel did not (the chart's earlier visits, a newer rule): show its list. */
function refusedSigning(body) {
  const findings = findingsFromOutcome(body);
  if (findings.some((f) => f.rule)) openSignDialog(state.signMode, findings);
  $('sign-status').textContent = `Not signed: ${body.issue?.map((i) => i.diagnostics).join(' ') ?? 'the chart refused it.'}`;
  $('sign-confirm').disabled = false;
}

async function finishSigning(message) {
  $('sign-dialog').close();
  $('save-status').textContent = message;
  $('save-status').className = 'nc-saved';
  await refreshVisit();
  preview();
}

// ---- start --------------------------------------------------------------------------------------

function fail(message) {
  $('fatal').textContent = message;
  $('fatal').hidden = false;
  $('visit-line').textContent = '';
}

function renderHeader() {
  const ctx = state.context;
  const payer = state.catalog.payers.find((p) => p.id === ctx.payer.policyId);
  if (ctx.launch.needPatientBanner) {
    const banner = $('patient-banner');
    banner.replaceChildren(el('strong', { text: ctx.patient.name }), el('span', { text: ` · born ${ctx.patient.birthDate ?? 'unknown'} · ${ctx.patient.gender ?? ''}` }));
    banner.hidden = false;
  }
  $('visit-line').textContent = `${ctx.encounter.reference} · ${payer ? payer.name : ctx.payer.name ?? 'payer not mapped: choose a payer policy'} · visit ${ctx.course.visitNumber} of the course`;
  $('payer').replaceChildren(...state.catalog.payers.map((p) => el('option', { value: p.id, text: p.name })));
  $('muscle-options').replaceChildren(...state.catalog.muscles.map((m) => el('option', { value: m.display })));
  if (ctx.launch.appContext) {
    try {
      const context = JSON.parse(ctx.launch.appContext);
      if (context.procedureId && ctx.currentVisit?.procedure.id === context.procedureId) $('save-status').textContent = `Opened from an EHR alert about this visit (${ctx.currentVisit.date.slice(0, 10)}): saving amends it.`;
    } catch {
      /* not JSON: nothing to show */
    }
  }
  const last = ctx.lastSession;
  $('copy-forward').disabled = !last;
  if (!last) $('copy-forward-note').textContent = 'No earlier visit to copy from.';
  if (!ctx.launch.canSave) $('save-status').textContent = ctx.launch.cannotSave ? `Saving is off: ${ctx.launch.cannotSave}` : `Saving is off: the EHR did not grant ${ctx.launch.missingScopes.join(', ')}.`;
}

async function start() {
  if (!launchId) return fail('Open NeedleChart from the patient\u2019s chart in your EHR.');
  const [catalogRes, contextRes] = await Promise.all([fetch('/api/catalog'), api('/api/context')]);
  if (!contextRes.ok) {
    const body = await contextRes.json().catch(() => null);
    return fail(body?.issue?.[0]?.diagnostics ?? 'The chart could not be read from the EHR.');
  }
  state.catalog = await catalogRes.json();
  state.context = await contextRes.json();
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
  renderTrend();
  renderAll();
  $('workspace').hidden = false;
  preview();
}

document.addEventListener('input', (event) => {
  const input = event.target;
  if (!(input instanceof HTMLElement) || !input.dataset.path || !state.session) return;
  setPath(state.session, input.dataset.path, readInput(input));
  touchCopied(input.dataset.path);
  changed(input.dataset.path === 'estim.applied' || input.dataset.path.endsWith('.side'));
});
$('visit-form').addEventListener('change', (event) => {
  const input = event.target;
  if (input instanceof HTMLSelectElement && input.dataset.path) {
    setPath(state.session, input.dataset.path, readInput(input));
    changed(true);
  }
});
$('sign-out').addEventListener('click', signOut);
$('sign').addEventListener('click', startSigning);
$('sign-form').addEventListener('submit', confirmSigning);
$('sign-cancel').addEventListener('click', () => $('sign-dialog').close());
$('copy-forward').addEventListener('click', copyForward);
$('confirm-copied').addEventListener('click', confirmCopied);
$('add-prior-care').addEventListener('click', () => {
  state.session.necessity ??= {};
  (state.session.necessity.priorCare ??= []).push({ treatment: '', result: '' });
  changed(true);
});
$('add-service').addEventListener('click', () => {
  (state.session.services ??= []).push({ code: '' });
  changed(true);
});
$('add-muscle').addEventListener('click', addTypedMuscle);
$('muscle-search').addEventListener('keydown', (e) => {
  if (e.key === 'Enter') {
    e.preventDefault();
    addTypedMuscle();
  }
});
$('add-rom').addEventListener('click', () => {
  state.session.outcomes ??= {};
  (state.session.outcomes.rom ??= []).push({ movement: '' });
  changed(true);
});
$('add-measure').addEventListener('click', () => {
  state.session.outcomes ??= {};
  (state.session.outcomes.measures ??= []).push({ instrument: '' });
  changed(true);
});
$('add-adverse').addEventListener('click', () => {
  (state.session.adverseEvents ??= []).push({ type: '', severity: 'mild' });
  changed(true);
});
$('no-adverse-events').addEventListener('change', (e) => {
  if (e.target.checked) state.session.adverseEvents = [];
  else delete state.session.adverseEvents;
  changed(true);
});
$('visit-form').addEventListener('submit', save);
start().catch(() => fail('NeedleChart could not start. Reload the page; your draft is kept on this device.'));
