import { reliefInWords } from '../domain/course.js';
import { dateOfService } from '../domain/in-force.js';
import { ROM_RANGE } from '../domain/outcome-checks.js';
import { payerOnDate } from '../domain/payer-on-date.js';
import { romUnitOf, type RomUnit } from '../domain/rom-units.js';
import type { InstrumentScore, RomMeasurement } from '../domain/types.generated.js';
import { payerVisitLimitOf, visitCounters, type PayerVisitLimit } from '../domain/visit-counters.js';
// The repeating parts of the form other than muscles: diagnoses, care tried before, other services,
// range of motion, questionnaires, adverse events; fields shown only when they apply; the pain trend.

import { removeRow, touchCopied } from './copy-marks.js';
import { $, el } from './dom.js';
import { field, select, writeInput } from './form-fields.js';
import { getPath, setPath } from './paths.js';
import { questionnaireRow } from './questionnaire-entry.js';
import { changed } from './render.js';
import { catalog, context, muscleLabel, session } from './state.js';

/** Other services a visit may bill beside the needling, until the code table lists them (plain names, never raw values alone). */
const OTHER_SERVICES: readonly (readonly [string, string])[] = [
  ['97140', 'Manual therapy'],
  ['97110', 'Therapeutic exercise'],
  ['97112', 'Neuromuscular re-education'],
  ['97530', 'Therapeutic activities'],
  ['97035', 'Ultrasound'],
  ['97010', 'Hot or cold packs'],
];

/** The muscle catalog's body regions, in words. */
const REGIONS: readonly (readonly [string, string])[] = [
  ['head-jaw', 'Head and jaw'], ['neck', 'Neck'], ['shoulder', 'Shoulder'], ['upper-arm', 'Upper arm'], ['forearm-hand', 'Forearm and hand'], ['thorax', 'Chest and ribs'],
  ['back', 'Back'], ['lumbopelvic', 'Low back and pelvis'], ['hip', 'Hip'], ['thigh', 'Thigh'], ['leg', 'Lower leg'], ['foot', 'Foot'],
];

/** The chart's active conditions as checkboxes; the visit's own are kept even when the chart no longer lists them. */
export function renderDiagnoses(): void {
  const box = $('diagnoses');
  box.replaceChildren();
  const s = session();
  const chosen = new Set(s.diagnoses.map((d) => d.code));
  const offered = [...context().diagnoses];
  for (const d of s.diagnoses) if (!offered.some((o) => o.code === d.code)) offered.push(d);
  for (const d of offered) {
    const check = el('input', { type: 'checkbox', 'data-code': d.code });
    check.checked = chosen.has(d.code);
    check.addEventListener('change', () => {
      s.diagnoses = offered.filter((o) => (o.code === d.code ? check.checked : s.diagnoses.some((x) => x.code === o.code))).map((o) => ({ ...o }));
      touchCopied('diagnoses');
      changed(false);
    });
    box.append(el('label', { class: 'nc-check' }, check, ` ${d.code} ${d.display}`));
  }
  if (!offered.length) box.append(el('p', { class: 'nc-muted', text: 'No active diagnoses in the chart.' }));
}

/** One line per item of the list at `listPath`, each with its own Remove button. */
function renderRows<T>(containerId: string, listPath: string, itemName: string, build: (path: string, item: T) => Node[]): void {
  const box = $(containerId);
  box.replaceChildren();
  ((getPath(session(), listPath) as T[] | undefined) ?? []).forEach((item, i) => {
    const remove = el('button', { type: 'button', text: 'Remove', 'aria-label': `Remove ${itemName} ${i + 1}`, onclick: () => { removeRow(listPath, i); changed(true); } });
    box.append(el('div', { class: 'nc-row', 'data-dynamic': '', 'data-copy-key': `${listPath}[${i}]` }, ...build(`${listPath}[${i}]`, item), remove));
  });
}

type Loose = Record<string, unknown>;

/** The unit a movement is measured in: millimetres for the jaw, degrees otherwise (and for a movement the table does not know). */
function unitOf(movement: string | undefined): RomUnit {
  return romUnitOf(movement ?? '', catalog().romMovements ?? []) ?? 'degrees';
}

/**
 * One range-of-motion row: the movement (with the known movements offered), the side, and before and
 * after in the movement's own unit. The unit follows the movement as it is typed: "mm" for mouth
 * opening, lateral excursion and protrusion, "°" otherwise, with the unit's range (0–80 mm, 0–360°).
 */
function romRow(p: string, r: RomMeasurement): Node[] {
  const unitNames: HTMLElement[] = [];
  const values: HTMLInputElement[] = [];
  const show = (unit: RomUnit): void => {
    for (const name of unitNames) name.textContent = unit === 'mm' ? 'mm' : '°';
    for (const input of values) input.max = String(ROM_RANGE[unit].max);
  };
  const value = (key: 'pre' | 'post', words: string): HTMLElement => {
    const name = el('span', { class: 'nc-unit' });
    unitNames.push(name);
    const input = field(`${p}.${key}`, r[key], { type: 'number', 'data-type': 'number', class: 'nc-narrow', min: 0, step: 'any' });
    values.push(input);
    return el('label', {}, el('span', {}, `${words} (`, name, ') '), input);
  };
  const movement = field(`${p}.movement`, r.movement, { type: 'text', list: 'rom-movements', autocomplete: 'off' });
  movement.addEventListener('input', () => {
    const unit = unitOf(movement.value);
    setPath(session(), `${p}.unit`, unit);
    show(unit);
  });
  const nodes = [
    el('label', {}, 'Movement ', movement),
    el('label', {}, 'Side ', select(`${p}.side`, r.side, [['', '—'], ['left', 'Left'], ['right', 'Right']])),
    value('pre', 'Before'),
    value('post', 'After'),
  ];
  show(r.unit ?? unitOf(r.movement));
  return nodes;
}

/** The known movements, offered as the movement is typed. */
function renderRomMovements(): void {
  const list = document.getElementById('rom-movements');
  if (!list || list.childElementCount) return;
  list.append(...(catalog().romMovements ?? []).map((m) => el('option', { value: m.display })));
}

/** Range of motion, questionnaire scores and adverse events. */
export function renderOutcomeRows(): void {
  renderRomMovements();
  renderRows<RomMeasurement>('rom-rows', 'outcomes.rom', 'range of motion', romRow);
  renderRows<InstrumentScore>('measure-rows', 'outcomes.measures', 'questionnaire score', questionnaireRow);
  renderRows<Loose>('adverse-rows', 'adverseEvents', 'adverse event', (p, e) => [
    el('label', {}, 'Event ', field(`${p}.type`, e.type, { type: 'text', list: 'adverse-types' })),
    el('label', {}, 'Severity ', select(`${p}.severity`, e.severity, [['mild', 'Mild'], ['moderate', 'Moderate'], ['severe', 'Severe']])),
    el('label', {}, 'Muscle ', select(`${p}.muscle`, e.muscle, [['', '—'], ...session().muscles.map((m) => [m.muscle, muscleLabel(m.muscle)] as const)])),
  ]);
}

/** Care tried before and the other services of the visit. */
export function renderRecordRows(): void {
  renderRows<Loose>('prior-care-rows', 'necessity.priorCare', 'care tried before', (p, c) => [
    el('label', {}, 'Care tried before ', field(`${p}.treatment`, c.treatment, { type: 'text', maxlength: 200, placeholder: 'e.g. home exercise program, 4 weeks', autocomplete: 'off' })),
    el('label', {}, 'Result ', field(`${p}.result`, c.result, { type: 'text', maxlength: 300, placeholder: 'e.g. partial relief', autocomplete: 'off' })),
  ]);
  const listed = catalog().services;
  const services = listed?.length ? listed.map((c) => [c.code, c.display] as const) : OTHER_SERVICES;
  renderRows<Loose>('service-rows', 'services', 'service', (p, v) => {
    const regions = el('select', { multiple: true, size: 3, class: 'nc-regions', 'data-path': `${p}.regions`, 'data-type': 'multi' }, ...REGIONS.map(([id, name]) => el('option', { value: id, text: name })));
    writeInput(regions, v.regions);
    return [
      el('label', {}, 'Service ', select(`${p}.code`, v.code, [['', 'Choose a service'], ...services.map(([code, name]) => [code, `${name} (${code})`] as const)])),
      el('label', {}, 'Minutes ', field(`${p}.minutes`, v.minutes, { type: 'number', min: 0, max: 240, 'data-type': 'integer', class: 'nc-narrow' })),
      el('label', {}, 'Where ', regions),
    ];
  });
}

/** Fields shown only when they apply: the payer's financial notice, the justification of attended e-stim. */
export function renderConditional(): void {
  const s = session();
  const notices = catalog().payers.find((p) => p.id === s.payer)?.notices ?? {};
  for (const [id, on] of [['abn-fields', notices.abn], ['abn-note', notices.abn], ['waiver-fields', notices.waiver], ['waiver-note', notices.waiver]] as const) $(id).hidden = !on;
  $('estim-justification-label').hidden = s.estim?.attended !== true;
}

/** The visit limit of the visit's payer on its date of service, when the payer's file states one (payerOnDate, as the server reads it). */
function payerLimit(): PayerVisitLimit | undefined {
  const s = session();
  const policy = catalog().payers.find((p) => p.id === s.payer)?.visitLimitPolicy;
  return policy ? payerVisitLimitOf(payerOnDate(policy, dateOfService(s.date))) : undefined;
}

/**
 * "Visit 3 of 8 in the plan of care" and "Visit 3 of 3 allowed by Washington L&I…", with an alert at
 * and past each limit, in the header next to the visit line and above the course at a glance: follows
 * the plan of care, the payer and the date as they are charted.
 */
export function renderVisitCounters(): void {
  const counters = visitCounters(context().course.visitNumber, session().planOfCare, payerLimit());
  const words = [counters.planOfCare?.text, counters.payer?.text, ...counters.alerts].filter((t): t is string => !!t).join('. ');
  for (const id of ['visit-counters', 'header-counters']) {
    const line = document.getElementById(id);
    if (!line) continue;
    line.textContent = words;
    line.className = `${counters.alerts.length ? 'nc-alert' : 'nc-muted'}${id === 'header-counters' ? ' nc-counters' : ''}`;
    line.hidden = !words;
  }
}

/** The course at a glance: earlier visits as a flowsheet (date, muscles, codes, pain, ROM, scores against their MCID), relief and the plan-of-care counter. */
export function renderTrend(): void {
  const box = $('pain-trend');
  box.replaceChildren();
  const ctx = context();
  const course = ctx.course;
  box.append(el('p', { id: 'visit-counters', 'aria-live': 'polite' }));
  renderVisitCounters();
  const rows = ctx.flowsheet ?? [];
  if (!rows.length) {
    box.append(el('p', { class: 'nc-muted', text: 'First visit of the course: no earlier visits to compare.' }));
    return;
  }
  box.append(el('p', { text: `Earlier visits (visit ${course.visitNumber} today)${course.reliefPercent !== undefined ? `, ${reliefInWords(course.reliefPercent)}` : ''}.` }));
  if (course.reliefDefinition) box.append(el('p', { class: 'nc-muted', text: course.reliefDefinition }));
  const head = el('tr', {}, ...['Date', 'Muscles', 'Codes', 'Pain', 'Range of motion', 'Scores'].map((h) => el('th', { scope: 'col', text: h })));
  const body = rows.map((r) =>
    el(
      'tr',
      {},
      el('td', { text: r.day }),
      el('td', { text: r.muscles.join(', ') || '–' }),
      el('td', { text: r.codes.join(', ') || '–' }),
      el('td', { text: r.pain }),
      el('td', { text: r.rom.map((x) => x.text).join('; ') || '–' }),
      el('td', { text: r.measures.map((m) => (m.change ? `${m.text}; ${m.change.statement}` : m.text)).join('; ') || '–' }),
    ),
  );
  box.append(el('div', { class: 'nc-flowsheet-wrap' }, el('table', { id: 'flowsheet', class: 'nc-flowsheet' }, el('caption', { text: 'Course at a glance' }), el('thead', {}, head), el('tbody', {}, ...body))));
}
