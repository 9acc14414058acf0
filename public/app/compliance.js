// Compliance export page: start an export, follow its progress over server-sent events, download the packet.
const launchId = new URLSearchParams(location.search).get('launch') ?? '';
const $ = (id) => document.getElementById(id);

function setStatus(text) {
  $('status').textContent = text;
}

async function loadPayers() {
  const catalog = await (await fetch('/api/catalog')).json();
  for (const p of catalog.payers) {
    const option = document.createElement('option');
    option.value = p.id;
    option.textContent = p.name;
    $('payer').append(option);
  }
}

function follow(id) {
  const events = new EventSource(`/api/exports/${encodeURIComponent(id)}/events?launch=${encodeURIComponent(launchId)}`);
  $('bar').hidden = false;
  events.addEventListener('progress', (e) => {
    const p = JSON.parse(e.data);
    if (p.total) {
      $('bar').max = p.total;
      $('bar').value = p.done + p.skipped + (p.excluded ?? 0);
    }
    const eta = p.etaSeconds !== undefined ? `, about ${Math.ceil(p.etaSeconds)} s left` : '';
    if (p.phase === 'waiting') setStatus(`The EHR is preparing a bulk export${p.note ? ` (${p.note})` : ''}…`);
    else setStatus(p.phase === 'finishing' ? `${p.done} visits written; building the index, bundles, audit record and manifest…` : `${p.done}${p.total ? ` of ${p.total}` : ''} visits, ${p.perSecond.toFixed(1)} per second${eta}`);
  });
  events.addEventListener('done', (e) => {
    const d = JSON.parse(e.data);
    events.close();
    $('bar').value = $('bar').max;
    setStatus(`Done: ${d.visits} visits of ${d.patients} patients. Recorded as ${d.auditEvent}.`);
    $('download').href = `${d.download}?launch=${encodeURIComponent(launchId)}`;
    $('download-line').hidden = false;
    if (d.internalDownload) {
      $('internal').href = `${d.internalDownload}?launch=${encodeURIComponent(launchId)}`;
      $('internal-line').hidden = false;
    }
    $('start').disabled = false;
  });
  events.addEventListener('failed', (e) => {
    events.close();
    setStatus(`The export failed: ${JSON.parse(e.data).message}`);
    $('start').disabled = false;
  });
}

$('export-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('errors').replaceChildren();
  $('download-line').hidden = true;
  $('internal-line').hidden = true;
  const body = Object.fromEntries(new FormData($('export-form')).entries());
  // An unticked checkbox is absent from the form data; a ticked one sends "true".
  body.includeDrafts = $('includeDrafts').checked;
  $('start').disabled = true;
  setStatus('Starting…');
  const res = await fetch('/api/exports', { method: 'POST', headers: { 'content-type': 'application/json', 'x-launch-id': launchId }, body: JSON.stringify(body) });
  const answer = await res.json();
  if (!res.ok) {
    $('start').disabled = false;
    // 403 (not compliance staff) and 429 (an export already running) are said as they are; other problems are the request's.
    if (res.status === 403 || res.status === 429) {
      setStatus((answer.issue ?? []).map((issue) => issue.diagnostics).join(' ') || 'The export could not be started.');
      return;
    }
    setStatus('The request needs correcting:');
    for (const issue of answer.issue ?? []) {
      const li = document.createElement('li');
      li.textContent = issue.diagnostics;
      $('errors').append(li);
    }
    return;
  }
  follow(answer.id);
});

// The packet is deleted from the server once downloaded: the link goes, and the page says so.
$('download').addEventListener('click', () => {
  setTimeout(() => {
    $('download-line').hidden = true;
    $('internal-line').hidden = true;
    setStatus(`${$('status').textContent} The packet was downloaded and then deleted from NeedleChart; start a new export to get it again.`);
  }, 0);
});

const today = new Date();
$('to').value = today.toISOString().slice(0, 10);
$('from').value = `${today.getFullYear()}-01-01`;
loadPayers().catch(() => setStatus('The payer list could not be loaded.'));
