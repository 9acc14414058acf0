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

/** A YYYY-MM-DD date as the date field shows it in this browser's locale (e.g. 01/31/2026 in the US). */
function shown(iso) {
  const [y, m, d] = iso.split('-').map(Number);
  return new Date(y, m - 1, d).toLocaleDateString(undefined, { year: 'numeric', month: '2-digit', day: '2-digit' });
}

/**
 * The date fields checked here, in the words and the date format the staff member sees: a date
 * field holds '' until its date is complete and valid. The server checks again (for API callers).
 */
function dateProblems() {
  const example = shown(`${new Date().getFullYear()}-01-31`);
  const problems = [];
  if (!$('from').value) problems.push(`Enter the first date of service in full, like ${example}.`);
  if (!$('to').value) problems.push(`Enter the last date of service in full, like ${example}.`);
  if ($('from').value && $('to').value && $('to').value < $('from').value) problems.push(`The last date of service, ${shown($('to').value)}, comes before the first, ${shown($('from').value)}.`);
  return problems;
}

function listProblems(problems) {
  setStatus('The request needs correcting:');
  for (const text of problems) {
    const li = document.createElement('li');
    li.textContent = text;
    $('errors').append(li);
  }
}

$('export-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('errors').replaceChildren();
  const problems = dateProblems();
  if (problems.length) {
    listProblems(problems);
    return;
  }
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
    listProblems((answer.issue ?? []).map((issue) => issue.diagnostics));
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
