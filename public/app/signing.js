// Signing and addenda on the charting page: the dialog that lists what blocks a signature (errors to
// fix, warnings to acknowledge one by one) with the attestation, and the note's history. Pure DOM
// helpers: the caller passes the findings and decides what to send. Text only, never markup.

/** The attestation the clinician agrees to (the server prints the same words on the signed note). */
export const ATTESTATION = 'I performed this service and attest that this note is accurate and complete.';

/** How a warning is named when acknowledged: the same key the server checks. */
export const keyOf = (finding) => `${finding.rule}@${finding.path}`;

/** Findings from a 422 the server sent back when signing: errors and warnings with their keys. */
export function findingsFromOutcome(outcome) {
  return (outcome?.issue ?? []).map((i) => {
    const key = i.details?.coding?.[0]?.code ?? '';
    const [rule = '', path = ''] = key.split('@');
    return { severity: i.severity === 'warning' ? 'warning' : 'error', message: i.details?.text ?? i.diagnostics ?? '', rule, path: path || (i.expression?.[0] ?? '') };
  });
}

/**
 * Fills the sign dialog: errors listed (signing stays disabled while any stands), each warning with its
 * own checkbox, the reason box for an addendum; `onReady(ready)` is called whenever the choices change.
 */
export function renderSignDialog(doc, { findings, addendum, el, onReady }) {
  const errors = findings.filter((f) => f.severity === 'error');
  const warnings = findings.filter((f) => f.severity === 'warning');
  doc.getElementById('sign-title').textContent = addendum ? 'Save an addendum to the signed note' : 'Sign the note';
  doc.getElementById('sign-reason-wrap').hidden = !addendum;
  doc.getElementById('sign-errors').replaceChildren(
    ...(errors.length ? [el('p', { text: 'Fix these first:' }), el('ul', {}, ...errors.map((f) => el('li', { class: 'nc-error', text: f.message })))] : []),
  );
  const box = doc.getElementById('sign-warnings');
  box.hidden = warnings.length === 0;
  box.replaceChildren(
    el('legend', { text: 'Acknowledge each item' }),
    ...warnings.map((f, i) => el('label', { class: 'nc-check' }, el('input', { type: 'checkbox', id: `ack-${i}`, value: keyOf(f) }), el('span', { text: ` ${f.message}` }))),
  );
  doc.getElementById('sign-attestation').textContent = `By signing you attest: ${ATTESTATION}`;
  const check = () => {
    const all = [...box.querySelectorAll('input[type=checkbox]')].every((c) => c.checked);
    const reason = !addendum || doc.getElementById('sign-reason').value.trim().length > 0;
    onReady(errors.length === 0 && all && reason);
  };
  box.onchange = check;
  doc.getElementById('sign-reason').oninput = check;
  check();
}

/** The keys of the warnings ticked in the dialog. */
export function acknowledgedIn(doc) {
  return [...doc.getElementById('sign-warnings').querySelectorAll('input[type=checkbox]:checked')].map((c) => c.value);
}

/** The note's versions, oldest first: "Signed · Friday, November 20, 2026, 3:10 PM · Alex Rivera, PT, DPT". */
export function renderHistory(doc, history, el) {
  const section = doc.getElementById('history-section');
  section.hidden = !history?.length;
  doc.getElementById('history').replaceChildren(
    ...(history ?? []).map((h) => el('li', {}, el('strong', { text: h.kind }), el('span', { text: ` · ${h.when} · ${h.by}${h.reason ? ` · Reason: ${h.reason}` : ''}${h.current ? ' (current)' : ' (kept in the chart, replaced)'}` }))),
  );
}
