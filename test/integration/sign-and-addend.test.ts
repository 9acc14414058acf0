import type { Bundle, DocumentReference } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningNeedleChart } from '../../src/runtime.js';
import { completeSession } from '../support/fixtures.js';
import { ehrLaunch, type LaunchedSession } from '../support/launch.js';
import { newChart, sandboxOf, startTestNeedleChart } from '../support/sandbox.js';

let nc: RunningNeedleChart;
beforeAll(async () => {
  ({ nc } = await startTestNeedleChart());
}, 60_000);
afterAll(async () => {
  await nc.close();
});

const sandbox = () => sandboxOf(nc);
const chartOf = () => newChart({ ...sandbox(), fhirBaseUrl: '' }, 'payer-acme-health', sandbox().engine);
const launch = (chart: { patient: string; encounter: string }, practitioner?: string): Promise<LaunchedSession> =>
  ehrLaunch(sandbox().origin, { patient: chart.patient.replace('Patient/', ''), encounter: chart.encounter.replace('Encounter/', ''), ...(practitioner ? { practitioner } : {}) });
const api = (s: LaunchedSession, path: string, body?: unknown) =>
  fetch(`${nc.appUrl}${path}`, { method: body === undefined ? 'GET' : 'POST', headers: { cookie: s.cookie, 'x-launch-id': s.launchId, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

type Saved = { status: string; note: string; procedure: { id: string; versionId: string } };
type Outcome = { issue: { severity: string; code: string; diagnostics: string; expression?: string[]; details?: { coding?: { code?: string }[] } }[] };

async function notes(patient: string): Promise<DocumentReference[]> {
  const [, bundle] = await sandbox().engine.execute({ method: 'GET', path: '/DocumentReference', query: { patient, _count: '100' } });
  return ((bundle as Bundle | undefined)?.entry ?? []).map((e) => e.resource as DocumentReference).sort((a, b) => (a.date ?? '').localeCompare(b.date ?? ''));
}
const textOf = (d: DocumentReference | undefined): string => Buffer.from(d?.content.find((c) => c.attachment.contentType === 'text/plain')?.attachment.data ?? '', 'base64').toString('utf8');

describe('draft, sign, addend', () => {
  it('when a visit is charted, saved, signed and amended, then each step is recorded as the clinician did it and the history lists every version', async () => {
    const chart = await chartOf();
    const s = await launch(chart);
    // 1. A save without signing stores a draft, even with gaps a reviewer would flag.
    const incomplete = completeSession({ consent: { obtained: false, investigationalStatusDisclosed: false }, needle: { ...completeSession().needle, countVerified: false } });
    const first = await api(s, '/api/sessions', { session: incomplete });
    expect(first.status).toBe(201);
    const draft = (await first.json()) as Saved;
    expect(draft.note).toBe('draft');
    const [draftNote] = await notes(chart.patient);
    expect(draftNote?.docStatus).toBe('preliminary');
    expect(draftNote?.authenticator).toBeUndefined();
    expect(textOf(draftNote)).toContain('DRAFT: not signed');
    expect(textOf(draftNote)).toContain('Informed consent: not documented');

    // 2. Signing is blocked while an error stands, each finding named.
    const blocked = await api(s, `/api/visits/${draft.procedure.id}/sign`, { versionId: draft.procedure.versionId, acknowledged: [] });
    expect(blocked.status).toBe(422);
    const why = (await blocked.json()) as Outcome;
    expect(why.issue.find((i) => i.severity === 'error')).toMatchObject({ code: 'business-rule', expression: ['consent.obtained'] });
    expect(why.issue.find((i) => i.expression?.[0] === 'needle.countVerified')).toMatchObject({ severity: 'warning', diagnostics: expect.stringMatching(/^Acknowledge before signing: /) });

    // 3. The draft is fixed (still a draft: no reason asked), then signing asks for each warning.
    const fixed = await api(s, '/api/sessions', { session: { ...incomplete, consent: { obtained: true, investigationalStatusDisclosed: false } }, amend: { procedureId: draft.procedure.id, versionId: draft.procedure.versionId } });
    expect(fixed.status).toBe(200);
    const draft2 = (await fixed.json()) as Saved;
    expect(draft2.note).toBe('draft');
    const warned = await api(s, `/api/visits/${draft.procedure.id}/sign`, { versionId: draft2.procedure.versionId, acknowledged: [] });
    expect(warned.status).toBe(422);
    const warnings = ((await warned.json()) as Outcome).issue;
    expect(warnings.every((i) => i.severity === 'warning')).toBe(true);
    const keys = warnings.map((i) => i.details?.coding?.[0]?.code ?? '');
    expect(keys).toContain('needle-count@needle.countVerified');
    // One warning left unacknowledged still blocks.
    expect((await api(s, `/api/visits/${draft.procedure.id}/sign`, { versionId: draft2.procedure.versionId, acknowledged: keys.slice(1) })).status).toBe(422);

    // 4. Someone else cannot sign this clinician's note.
    const colleague = await launch(chart, 'Practitioner/pt-chen');
    const foreign = await api(colleague, `/api/visits/${draft.procedure.id}/sign`, { versionId: draft2.procedure.versionId, acknowledged: keys });
    expect(foreign.status).toBe(403);

    // 5. Every warning acknowledged: signed, final, authenticated by the signed-in clinician, with the attestation.
    const signedRes = await api(s, `/api/visits/${draft.procedure.id}/sign`, { versionId: draft2.procedure.versionId, acknowledged: keys });
    expect(signedRes.status).toBe(200);
    expect(((await signedRes.json()) as { status: string }).status).toBe('signed');
    const afterSign = await notes(chart.patient);
    const signedNote = afterSign.find((d) => d.status === 'current');
    expect(signedNote).toMatchObject({ docStatus: 'final', authenticator: { reference: 'Practitioner/pt-rivera' } });
    expect(signedNote?.relatesTo?.[0]).toMatchObject({ code: 'replaces' });
    expect(textOf(signedNote)).toMatch(/Electronically signed by Alex Rivera[^\n]* on \w+day, \w+ \d{1,2}, \d{4}, \d{1,2}:\d{2} [AP]M\./);
    expect(textOf(signedNote)).not.toContain('DRAFT');
    expect(textOf(signedNote)).not.toContain('not documented');
    // A resent signing writes nothing.
    expect(((await (await api(s, `/api/visits/${draft.procedure.id}/sign`, { versionId: draft2.procedure.versionId, acknowledged: keys })).json()) as { status: string }).status).toBe('unchanged');
    expect(await notes(chart.patient)).toHaveLength(afterSign.length);

    // 6. Changing a signed note needs a reason; then it is an addendum that keeps the earlier versions.
    const changed = { ...incomplete, consent: { obtained: true, investigationalStatusDisclosed: false }, outcomes: { ...incomplete.outcomes, painPost: 2 } };
    const noReason = await api(s, '/api/sessions', { session: changed, amend: { procedureId: draft.procedure.id, versionId: draft2.procedure.versionId } });
    expect(noReason.status).toBe(422);
    expect(((await noReason.json()) as Outcome).issue[0]).toMatchObject({ expression: ['addendum.reason'] });
    const addendum = await api(s, '/api/sessions', { session: changed, amend: { procedureId: draft.procedure.id, versionId: draft2.procedure.versionId }, addendum: { reason: 'Pain after treatment corrected to 2', acknowledged: keys } });
    expect(addendum.status).toBe(200);
    expect(((await addendum.json()) as Saved).note).toBe('signed');
    const all = await notes(chart.patient);
    const current = all.filter((d) => d.status === 'current');
    expect(current).toHaveLength(1);
    expect(current[0]).toMatchObject({ docStatus: 'amended', authenticator: { reference: 'Practitioner/pt-rivera' }, relatesTo: [{ code: 'replaces', target: { reference: `DocumentReference/${signedNote?.id}` } }] });
    expect(textOf(current[0])).toMatch(/Addendum \w+day, \w+ \d{1,2}, \d{4}, \d{1,2}:\d{2} [AP]M by Alex Rivera[^:]*: Pain after treatment corrected to 2\./);
    expect(textOf(current[0])).toContain('Electronically signed by Alex Rivera');
    expect(all.filter((d) => d.status === 'superseded')).toHaveLength(3);

    // 7. The history, read back from the EHR with the chart: every version, who, when, why.
    const context = (await (await api(s, '/api/context')).json()) as { currentVisit: { note: string; history: { kind: string; by: string; when: string; reason?: string; current: boolean }[] } };
    expect(context.currentVisit.note).toBe('signed');
    expect(context.currentVisit.history.map((h) => h.kind)).toEqual(['Draft', 'Draft', 'Signed', 'Addendum']);
    expect(context.currentVisit.history.at(-1)).toMatchObject({ reason: 'Pain after treatment corrected to 2', current: true, by: expect.stringContaining('Alex Rivera') });
    expect(context.currentVisit.history.every((h) => !/\d{4}-\d{2}-\d{2}T/.test(h.when))).toBe(true);
  }, 60_000);
});
