// Compliance export page (bundled by esbuild into /assets/compliance.js): start an export, follow its
// progress over server-sent events, download the packet.

import type { Catalog, Outcome } from './api-types.js';
import { $, el, launchId } from './dom.js';

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
    setStatus(`Done: ${d.visits} visits of ${d.patients} patients. Recorded as ${d.auditEvent}.`);
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

$('export-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void (async () => {
    $('errors').replaceChildren();
    const problems = dateProblems();
    if (problems.length) {
      listProblems(problems);
      return;
    }
    $('download-line').hidden = true;
    $('internal-line').hidden = true;
    const form = $<HTMLFormElement>('export-form');
    const body: Record<string, string | boolean> = Object.fromEntries([...new FormData(form).entries()].map(([k, v]) => [k, String(v)]));
    // An unticked checkbox is absent from the form data; a ticked one sends "true".
    body.includeDrafts = $<HTMLInputElement>('includeDrafts').checked;
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
