// Compliance export page (bundled by esbuild into /assets/compliance.js): start an export, follow its
// progress over server-sent events, download the packet.

import type { ExportPreview as Preview } from '../export/export-preview-types.js';
import type { Catalog, Outcome } from './api-types.js';
import { wirePick } from './compliance-pick.js';
import { $, api, el, launchId } from './dom.js';


interface Progress {
  readonly phase?: string;
  readonly note?: string;
  readonly total?: number;
  readonly done: number;
  readonly skipped: number;
  readonly excluded?: number;
  readonly perSecond: number;
  readonly etaSeconds?: number;
}

/** "1 visit", "2 visits". */
const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

function setStatus(text: string): void {
  $('status').textContent = text;
}

async function loadPayers(): Promise<void> {
  const catalog = (await (await fetch('/api/catalog')).json()) as Catalog;
  for (const p of catalog.payers) $('payer').append(el('option', { value: p.id, text: p.name }));
}

function follow(id: string): void {
  const events = new EventSource(`/api/exports/${encodeURIComponent(id)}/events?launch=${encodeURIComponent(launchId)}`);
  const bar = $<HTMLProgressElement>('bar');
  const start = $<HTMLButtonElement>('start');
  bar.hidden = false;
  events.addEventListener('progress', (e) => {
    const p = JSON.parse((e as MessageEvent<string>).data) as Progress;
    if (p.total) {
      bar.max = p.total;
      bar.value = p.done + p.skipped + (p.excluded ?? 0);
    }
    const eta = p.etaSeconds !== undefined ? `, about ${Math.ceil(p.etaSeconds)} s left` : '';
    if (p.phase === 'waiting') setStatus(`The EHR is preparing a bulk export${p.note ? ` (${p.note})` : ''}…`);
    else setStatus(p.phase === 'finishing' ? `${p.done} visits written; building the index, bundles, audit record and manifest…` : `${p.done}${p.total ? ` of ${p.total}` : ''} visits, ${p.perSecond.toFixed(1)} per second${eta}`);
  });
  events.addEventListener('done', (e) => {
    const d = JSON.parse((e as MessageEvent<string>).data) as { visits: number; patients: number; auditEvent: string; download: string; internalDownload?: string };
    events.close();
    bar.value = bar.max;
    // The record number is the one the custodian's certification prints, not a FHIR reference.
    setStatus(`Done: ${plural(d.visits, 'visit', 'visits')} of ${plural(d.patients, 'patient', 'patients')}. Export record number ${d.auditEvent.split('/').pop() ?? ''}.`);
    $<HTMLAnchorElement>('download').href = `${d.download}?launch=${encodeURIComponent(launchId)}`;
    $('download-line').hidden = false;
    if (d.internalDownload) {
      $<HTMLAnchorElement>('internal').href = `${d.internalDownload}?launch=${encodeURIComponent(launchId)}`;
      $('internal-line').hidden = false;
    }
    start.disabled = false;
  });
  events.addEventListener('failed', (e) => {
    events.close();
    setStatus(`The export failed: ${(JSON.parse((e as MessageEvent<string>).data) as { message: string }).message}`);
    start.disabled = false;
  });
}

/** A YYYY-MM-DD date as the date field shows it in this browser's locale (e.g. 01/31/2026 in the US). */
function shown(iso: string): string {
  const [y = 0, m = 1, d = 1] = iso.split('-').map(Number);
  return new Date(y, m - 1, d).toLocaleDateString(undefined, { year: 'numeric', month: '2-digit', day: '2-digit' });
}

/**
 * The date fields checked here, in the words and the date format the staff member sees: a date
 * field holds '' until its date is complete and valid. The server checks again (for API callers).
 */
function dateProblems(): string[] {
  const example = shown(`${new Date().getFullYear()}-01-31`);
  const from = $<HTMLInputElement>('from').value;
  const to = $<HTMLInputElement>('to').value;
  const problems: string[] = [];
  if (!from) problems.push(`Enter the first date of service in full, like ${example}.`);
  if (!to) problems.push(`Enter the last date of service in full, like ${example}.`);
  if (from && to && to < from) problems.push(`The last date of service, ${shown(to)}, comes before the first, ${shown(from)}.`);
  return problems;
}

function listProblems(problems: readonly string[]): void {
  setStatus('The request needs correcting:');
  for (const text of problems) $('errors').append(el('li', { text }));
}

/** The export request as the API takes it: the fields of the form, picks as the opaque values the searches gave. */
function request(): Record<string, string | boolean> {
  const value = (id: string): string => $<HTMLInputElement>(id).value.trim();
  const body: Record<string, string | boolean> = {};
  for (const id of ['from', 'to', 'patient', 'payer', 'code', 'performer', 'requester', 'requestReference']) if (value(id)) body[id] = value(id);
  body.includeDrafts = $<HTMLInputElement>('includeDrafts').checked;
  return body;
}

/** The request as the form states it, or undefined (with the problems listed) while its dates need correcting. */
function checkedRequest(): Record<string, string | boolean> | undefined {
  $('errors').replaceChildren();
  const problems = dateProblems();
  if (problems.length) {
    listProblems(problems);
    return undefined;
  }
  return request();
}

/** "March 4, 2026": a YYYY-MM-DD day in words, in this browser's language. */
function inWords(iso: string): string {
  const [y = 0, m = 1, d = 1] = iso.split('-').map(Number);
  return new Date(y, m - 1, d).toLocaleDateString(undefined, { year: 'numeric', month: 'long', day: 'numeric' });
}

/** The count before the export, in words. */
function previewText(p: Preview, includeDrafts: boolean): string {
  if (p.visits === 0) return `No visits match these choices: there is nothing to export.${p.unsigned ? ` ${plural(p.unsigned, 'visit has a note', 'visits have notes')} not yet signed, left out unless you include notes not yet signed.` : ''}`;
  const parts = [`The packet will hold ${plural(p.visits, 'visit', 'visits')} of ${plural(p.patients, 'patient', 'patients')}${p.firstDay && p.lastDay ? `, with dates of service from ${inWords(p.firstDay)} to ${inWords(p.lastDay)}` : ''}.`];
  if (includeDrafts && p.drafts) parts.push(`${plural(p.drafts, 'of them has a note', 'of them have notes')} not yet signed, stamped DRAFT on every page.`);
  if (p.unsigned) parts.push(`${plural(p.unsigned, 'visit with a note', 'visits with notes')} not yet signed ${p.unsigned === 1 ? 'is' : 'are'} left out.`);
  if (p.notIncluded) parts.push(`${plural(p.notIncluded, 'visit was', 'visits were')} charted outside NeedleChart: the internal report lists ${p.notIncluded === 1 ? 'it' : 'them'} for you to add by hand.`);
  return parts.join(' ');
}

/** The request the current count is for (undefined until checked, and again after any change). */
let checkedFor: string | undefined;

function forget(): void {
  checkedFor = undefined;
  $('preview').textContent = '';
  const start = $<HTMLButtonElement>('start');
  start.textContent = 'Start export';
}

/** Counts what the export will hold for the form as it is, and says it; the Start button then says what it will do. */
async function check(): Promise<void> {
  const body = checkedRequest();
  if (!body) return;
  $('preview').textContent = 'Counting the visits…';
  const res = await api('/api/exports/preview', { method: 'POST', body: JSON.stringify(body) });
  const answer = (await res.json()) as Preview & Outcome;
  if (!res.ok) {
    $('preview').textContent = '';
    if (res.status === 403) setStatus((answer.issue ?? []).map((issue) => issue.diagnostics).join(' ') || 'The count could not be made.');
    else listProblems((answer.issue ?? []).map((issue) => issue.diagnostics ?? ''));
    return;
  }
  $('preview').textContent = previewText(answer, body.includeDrafts === true);
  checkedFor = JSON.stringify(body);
  const start = $<HTMLButtonElement>('start');
  start.textContent = answer.visits ? `Export ${plural(answer.visits, 'visit', 'visits')} of ${plural(answer.patients, 'patient', 'patients')}` : 'Start export';
}

wirePick({
  prefix: 'patient',
  path: '/api/compliance/patients',
  query: () => {
    const q = new URLSearchParams();
    const name = $<HTMLInputElement>('patient-name').value.trim();
    const birthdate = $<HTMLInputElement>('patient-birthdate').value;
    const mrn = $<HTMLInputElement>('patient-mrn').value.trim();
    if (name) q.set('name', name);
    if (birthdate) q.set('birthdate', birthdate);
    if (mrn) q.set('mrn', mrn);
    if (!name && !birthdate && !mrn) q.set('name', '');
    return q;
  },
  rows: (answer) => ((answer as { patients?: { choice: string; name: string; born?: string; mrn?: string }[] }).patients ?? []).map((p) => ({ choice: p.choice, text: [p.name, p.born ? `born ${p.born}` : '', p.mrn ? `MRN ${p.mrn}` : ''].filter(Boolean).join(', ') })),
  none: 'No patient matches: check the spelling, or search by date of birth or MRN.',
  more: 'More than 20 patients match and only the first 20 are listed: narrow the search (add the date of birth or the MRN).',
  changed: forget,
});

wirePick({
  prefix: 'performer',
  path: '/api/compliance/performers',
  query: () => new URLSearchParams({ name: $<HTMLInputElement>('performer-name').value.trim() }),
  rows: (answer) => ((answer as { performers?: { choice: string; name: string; credentials?: string; npi?: string }[] }).performers ?? []).map((p) => ({ choice: p.choice, text: [p.name, p.credentials ?? '', p.npi ? `NPI ${p.npi}` : ''].filter(Boolean).join(', ') })),
  none: 'No performer matches: check the spelling of the name.',
  more: 'More than 20 performers match and only the first 20 are listed: type more of the name.',
  changed: forget,
});

// Any change to the request (outside the searches, whose picks say so themselves) makes the count stale.
for (const type of ['input', 'change']) {
  $('export-form').addEventListener(type, (event) => {
    if (!(event.target as HTMLElement).closest('.nc-pick')) forget();
  });
}

$('check').addEventListener('click', () => {
  check().catch(() => ($('preview').textContent = 'The count could not be made: try again.'));
});

$('export-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void (async () => {
    const body = checkedRequest();
    if (!body) return;
    // The export starts once its count was shown for exactly this request: the first press counts.
    if (checkedFor !== JSON.stringify(body)) {
      await check();
      return;
    }
    $('download-line').hidden = true;
    $('internal-line').hidden = true;
    const start = $<HTMLButtonElement>('start');
    start.disabled = true;
    setStatus('Starting…');
    const res = await fetch('/api/exports', { method: 'POST', headers: { 'content-type': 'application/json', 'x-launch-id': launchId }, body: JSON.stringify(body) });
    const answer = (await res.json()) as { id: string } & Outcome;
    if (!res.ok) {
      start.disabled = false;
      // 403 (not compliance staff) and 429 (an export already running) are said as they are; other problems are the request's.
      if (res.status === 403 || res.status === 429) {
        setStatus((answer.issue ?? []).map((issue) => issue.diagnostics).join(' ') || 'The export could not be started.');
        return;
      }
      listProblems((answer.issue ?? []).map((issue) => issue.diagnostics ?? ''));
      return;
    }
    follow(answer.id);
  })();
});

// The packet is deleted from the server once downloaded: the link goes, and the page says so.
$('download').addEventListener('click', () => {
  setTimeout(() => {
    $('download-line').hidden = true;
    $('internal-line').hidden = true;
    setStatus(`${$('status').textContent ?? ''} The packet was downloaded and then deleted from NeedleChart; start a new export to get it again.`);
  }, 0);
});

const today = new Date();
$<HTMLInputElement>('to').value = today.toISOString().slice(0, 10);
$<HTMLInputElement>('from').value = `${today.getFullYear()}-01-01`;
loadPayers().catch(() => setStatus('The payer list could not be loaded.'));
