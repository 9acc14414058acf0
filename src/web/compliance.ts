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
    const d = JSON.parse((e as MessageEvent<string>).data) as { visits: number; patients: number; auditEvent: string; download: string };
    events.close();
    bar.value = bar.max;
    setStatus(`Done: ${d.visits} visits of ${d.patients} patients. Recorded as ${d.auditEvent}.`);
    $<HTMLAnchorElement>('download').href = `${d.download}?launch=${encodeURIComponent(launchId)}`;
    $('download-line').hidden = false;
    start.disabled = false;
  });
  events.addEventListener('failed', (e) => {
    events.close();
    setStatus(`The export failed: ${(JSON.parse((e as MessageEvent<string>).data) as { message: string }).message}`);
    start.disabled = false;
  });
}

$('export-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void (async () => {
    $('errors').replaceChildren();
    $('download-line').hidden = true;
    const form = $<HTMLFormElement>('export-form');
    const body = Object.fromEntries([...new FormData(form).entries()].map(([k, v]) => [k, String(v)]));
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
      setStatus('The request needs correcting:');
      for (const issue of answer.issue ?? []) $('errors').append(el('li', { text: issue.diagnostics ?? '' }));
      return;
    }
    follow(answer.id);
  })();
});

// The packet is deleted from the server once downloaded: the link goes, and the page says so.
$('download').addEventListener('click', () => {
  setTimeout(() => {
    $('download-line').hidden = true;
    setStatus(`${$('status').textContent ?? ''} The packet was downloaded and then deleted from NeedleChart; start a new export to get it again.`);
  }, 0);
});

const today = new Date();
$<HTMLInputElement>('to').value = today.toISOString().slice(0, 10);
$<HTMLInputElement>('from').value = `${today.getFullYear()}-01-01`;
loadPayers().catch(() => setStatus('The payer list could not be loaded.'));
