import type { Bundle, DocumentReference, Encounter, Procedure, Provenance, Resource } from 'fhir/r4.js';
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
const CLINIC = 'Organization/org-harbor-pt';
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A fresh chart written straight into the engine (the sandbox endpoint requires tokens). */
const chartOf = (encounter: Partial<Encounter> = {}) => newChart({ ...sandbox(), fhirBaseUrl: '' }, 'payer-acme-health', sandbox().engine, encounter);

async function launch(chart: { patient: string; encounter: string }, options: { practitioner?: string; nameClaim?: 'omit' } = {}): Promise<LaunchedSession> {
  return ehrLaunch(sandbox().origin, { patient: chart.patient.replace('Patient/', ''), encounter: chart.encounter.replace('Encounter/', ''), ...options });
}

const api = (s: LaunchedSession, path: string, body?: unknown) =>
  fetch(`${nc.appUrl}${path}`, { method: body === undefined ? 'GET' : 'POST', headers: { cookie: s.cookie, 'x-launch-id': s.launchId, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

/** Every resource of `type` the EHR holds for the patient (Provenance: those that target them). */
async function stored<T extends Resource>(type: T['resourceType'], patient: string): Promise<T[]> {
  const [, bundle] = await sandbox().engine.execute({ method: 'GET', path: `/${type}`, query: type === 'Provenance' ? { _count: '1000' } : { patient, _count: '100' } });
  const all = ((bundle as Bundle | undefined)?.entry ?? []).map((e) => e.resource as T);
  if (type !== 'Provenance') return all;
  const procedures = await stored<Procedure>('Procedure', patient);
  const ids = new Set(procedures.map((p) => `Procedure/${p.id}`));
  return all.filter((p) => (p as unknown as Provenance).target.some((t) => ids.has(t.reference ?? '')));
}

/** The `amend` part of a save body for a visit as the API returned it. */
const amendOf = (procedure: { id: string; versionId: string }) => ({ procedureId: procedure.id, versionId: procedure.versionId });

type Outcome = { issue: { code: string; diagnostics: string; expression?: string[] }[] };

describe('who wrote the visit: the signed-in user, read from the EHR', () => {
  it.each([
    ['another practitioner', 'Practitioner/pt-chen'],
    ['a practitioner the EHR does not know', 'Practitioner/pt-nobody'],
  ])('when the body names %s as the performer, then 422 naming performer.reference in plain words and nothing is written', async (_label, reference) => {
    const chart = await chartOf();
    const s = await launch(chart);
    const res = await api(s, '/api/sessions', { session: completeSession({ performer: { reference, display: 'Someone Else, PT', dryNeedlingCertified: true } }) });
    expect(res.status).toBe(422);
    const body = (await res.json()) as Outcome;
    expect(body.issue[0]).toMatchObject({ expression: ['performer.reference'], diagnostics: 'The performer is the signed-in clinician; a visit cannot be saved for someone else.' });
    expect(await stored('Procedure', chart.patient)).toEqual([]);
  });

  it('when the id_token carries no name (as the public SMART launcher), then name, certification, state and NPI come from the EHR Practitioner and the save lands', async () => {
    const chart = await chartOf();
    const s = await launch(chart, { practitioner: 'Practitioner/pt-chen', nameClaim: 'omit' });
    const context = (await (await api(s, '/api/context')).json()) as { launch: { userName: string | null; clinician: unknown; canSave: boolean } };
    expect(context.launch.userName).toBeNull();
    expect(context.launch.clinician).toEqual({ reference: 'Practitioner/pt-chen', display: 'Sam Chen, PT', dryNeedlingCertified: true, state: 'AZ', npi: '1987654328' });
    expect(context.launch.canSave).toBe(true);
    // What the page sent before: the performer prefilled from the (missing) name claim.
    const res = await api(s, '/api/sessions', { session: completeSession({ performer: { reference: 'Practitioner/pt-chen', display: '', dryNeedlingCertified: false } }) });
    expect(res.status).toBe(201);
    const [procedure] = await stored<Procedure>('Procedure', chart.patient);
    expect(procedure?.performer?.[0]?.actor).toEqual({ reference: 'Practitioner/pt-chen', display: 'Sam Chen, PT', identifier: { system: 'http://hl7.org/fhir/sid/us-npi', value: '1987654328' } });
    const [note] = await stored<DocumentReference>('DocumentReference', chart.patient);
    const html = Buffer.from(note?.content[0]?.attachment.data ?? '', 'base64').toString('utf8');
    expect(html).toContain('Performed by Sam Chen, PT, trained and certified in dry needling (Arizona), NPI 1987654328');
  });

  it('when the body leaves the performer out or claims a certification and state the EHR does not record, then the EHR\'s values are saved', async () => {
    const chart = await chartOf();
    const s = await launch(chart, { practitioner: 'Practitioner/pt-okafor' });
    const claimed = await api(s, '/api/sessions', { session: completeSession({ performer: { reference: 'Practitioner/pt-okafor', display: 'Dr. J. Okafor, DN-certified', dryNeedlingCertified: true, state: 'AZ' } }) });
    expect(claimed.status).toBe(201);
    const [procedure] = await stored<Procedure>('Procedure', chart.patient);
    expect(procedure?.performer?.[0]?.actor.display).toBe('Jordan Okafor, PT');
    expect(procedure?.performer?.[0]?.extension?.[0]?.extension).toEqual([{ url: 'dryNeedlingCertified', valueBoolean: false }, { url: 'state', valueCode: 'CO' }]);

    const other = await chartOf();
    const t = await launch(other, { practitioner: 'Practitioner/pt-okafor' });
    const { performer: _left, ...withoutPerformer } = completeSession();
    const res = await api(t, '/api/sessions', { session: withoutPerformer });
    expect(res.status).toBe(201);
    expect((await stored<Procedure>('Procedure', other.patient))[0]?.performer?.[0]?.actor.reference).toBe('Practitioner/pt-okafor');
  });

  it.each([
    ['names no user', 'none', /does not say who is signed in/],
    ['names a patient as the user', 'Patient/p-maria-lopez', /only a clinician/],
  ])('when the EHR launch %s, then the chart opens but a save is refused with 403 and nothing is written', async (_label, practitioner, message) => {
    const chart = await chartOf();
    const s = await launch(chart, { practitioner });
    const context = (await (await api(s, '/api/context')).json()) as { launch: { canSave: boolean; cannotSave?: string } };
    expect(context.launch.canSave).toBe(false);
    expect(context.launch.cannotSave).toMatch(message);
    const res = await api(s, '/api/sessions', { session: completeSession() });
    expect(res.status).toBe(403);
    expect(((await res.json()) as Outcome).issue[0]).toMatchObject({ code: 'forbidden', diagnostics: expect.stringMatching(message) });
    expect(await stored('Procedure', chart.patient)).toEqual([]);
  });

  it('when a visit is saved, then its Provenance follows US Core 6.1.0: the signed-in practitioner as author and NeedleChart as transmitter, both on behalf of the clinic', async () => {
    const chart = await chartOf({ serviceProvider: { reference: CLINIC } });
    const s = await launch(chart);
    expect((await api(s, '/api/sessions', { session: completeSession() })).status).toBe(201);
    const [provenance, ...more] = await stored<Provenance>('Provenance', chart.patient);
    expect(more).toEqual([]);
    expect(provenance?.meta?.profile).toEqual(['http://hl7.org/fhir/us/core/StructureDefinition/us-core-provenance']);
    expect(provenance?.agent).toEqual([
      {
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'author', display: 'Author' }] },
        who: { reference: 'Practitioner/pt-rivera', display: 'Alex Rivera, PT, DPT', identifier: { system: 'http://hl7.org/fhir/sid/us-npi', value: '1234567893' } },
        onBehalfOf: { reference: CLINIC },
      },
      {
        type: { coding: [{ system: 'http://hl7.org/fhir/us/core/CodeSystem/us-core-provenance-participant-type', code: 'transmitter', display: 'Transmitter' }] },
        who: { reference: '#needlechart', display: expect.stringMatching(/^NeedleChart /) },
        onBehalfOf: { reference: CLINIC },
      },
    ]);
  });

  it('when the EHR names a PractitionerRole as the user, then the performer is its Practitioner and the Provenance acts for the role\'s organization', async () => {
    const chart = await chartOf();
    const s = await launch(chart, { practitioner: 'PractitionerRole/role-rivera-harbor' });
    expect((await api(s, '/api/sessions', { session: completeSession({ performer: { reference: 'PractitionerRole/role-rivera-harbor', display: 'x', dryNeedlingCertified: false } }) })).status).toBe(201);
    expect((await stored<Procedure>('Procedure', chart.patient))[0]?.performer?.[0]?.actor.reference).toBe('Practitioner/pt-rivera');
    const [provenance] = await stored<Provenance>('Provenance', chart.patient);
    expect(provenance?.agent.map((a) => [a.who.reference, a.onBehalfOf?.reference])).toEqual([['Practitioner/pt-rivera', CLINIC], ['#needlechart', CLINIC]]);
  });

  it('when no organization can be found (encounter, role, patient), then the Provenance leaves onBehalfOf out rather than naming a practitioner', async () => {
    const chart = await chartOf();
    const s = await launch(chart);
    expect((await api(s, '/api/sessions', { session: completeSession() })).status).toBe(201);
    const [provenance] = await stored<Provenance>('Provenance', chart.patient);
    expect(provenance?.agent.map((a) => a.onBehalfOf)).toEqual([undefined, undefined]);
  });

  it('when another clinician amends the visit, then the amendment\'s Provenance names them as author while the visit keeps the clinician who performed it', async () => {
    const chart = await chartOf({ serviceProvider: { reference: CLINIC } });
    const rivera = await launch(chart);
    const first = (await (await api(rivera, '/api/sessions', { session: completeSession() })).json()) as { procedure: { id: string; versionId: string } };
    const chen = await launch(chart, { practitioner: 'Practitioner/pt-chen' });
    const context = (await (await api(chen, '/api/context')).json()) as { currentVisit: { session: unknown; procedure: { id: string; versionId: string } } };
    // The page amends the visit as loaded: its performer is the one who needled.
    const amended = await api(chen, '/api/sessions', { session: { ...(context.currentVisit.session as object), plan: 'Corrected by the covering therapist.' }, amend: amendOf(context.currentVisit.procedure) });
    expect(amended.status).toBe(200);
    const procedure = (await stored<Procedure>('Procedure', chart.patient))[0];
    expect(procedure?.id).toBe(first.procedure.id);
    expect(procedure?.performer?.[0]?.actor.reference).toBe('Practitioner/pt-rivera');
    const provenance = (await stored<Provenance>('Provenance', chart.patient)).sort((a, b) => a.recorded.localeCompare(b.recorded));
    expect(provenance.map((p) => [p.activity?.coding?.[0]?.code, p.agent[0]?.who.reference])).toEqual([['CREATE', 'Practitioner/pt-rivera'], ['UPDATE', 'Practitioner/pt-chen']]);
    const current = (await stored<DocumentReference>('DocumentReference', chart.patient)).filter((d) => d.status === 'current');
    expect(current.map((d) => d.author?.[0]?.reference)).toEqual(['Practitioner/pt-chen']);
    // An amendment cannot hand the visit to someone else.
    const latest = (await (await api(chen, '/api/context')).json()) as { currentVisit: { session: Record<string, unknown>; procedure: { id: string; versionId: string } } };
    const moved = await api(chen, '/api/sessions', { session: { ...latest.currentVisit.session, performer: { reference: 'Practitioner/pt-chen', display: 'Sam Chen, PT', dryNeedlingCertified: true } }, amend: amendOf(latest.currentVisit.procedure) });
    expect(moved.status).toBe(422);
    expect(((await moved.json()) as Outcome).issue[0]?.expression).toEqual(['performer.reference']);
  });
});

describe('a visit stays in its own encounter, on its own day, numbered by the chart', () => {
  it('when the body sends a visitNumber, then it is ignored: the number is counted from the earlier visits in the EHR', async () => {
    // Tom Becker has three earlier visits (Washington L&I: three treatments, six with justification).
    const encounter = `te-${Date.now().toString(36)}`;
    await sandbox().engine.execute({ method: 'PUT', path: `/Encounter/${encounter}`, body: { resourceType: 'Encounter', id: encounter, status: 'in-progress', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' }, subject: { reference: 'Patient/p-tom-becker' }, period: { start: minutesAgo(30) } } });
    const s = await launch({ patient: 'Patient/p-tom-becker', encounter: `Encounter/${encounter}` });
    const res = await api(s, '/api/sessions', { session: completeSession({ date: minutesAgo(1), payer: 'wa-lni' }), visitNumber: 1 });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ status: 'created', visitNumber: 4 });
  });

  it.each([
    ['in the future (9999-12-31)', {}, '9999-12-31T10:00:00-05:00', /future/],
    ['before the encounter\'s period', { period: { start: '2026-11-20T08:00:00-05:00', end: '2026-11-20T10:00:00-05:00' } }, '2026-11-19T09:00:00-05:00', /within this encounter/],
    ['after the encounter\'s period', { period: { start: '2026-11-20T08:00:00-05:00', end: '2026-11-20T10:00:00-05:00' } }, '2026-11-20T11:30:00-05:00', /within this encounter/],
    ['on another day than an open encounter\'s start', { period: { start: '2026-11-20T08:00:00-05:00' } }, '2026-11-21T09:00:00-05:00', /day of this encounter/],
  ])('when the visit is dated %s, then 422 naming date and nothing is written', async (_label, encounter, date, message) => {
    const chart = await chartOf(encounter);
    const s = await launch(chart);
    const res = await api(s, '/api/sessions', { session: completeSession({ date }) });
    expect(res.status).toBe(422);
    expect(((await res.json()) as Outcome).issue[0]).toMatchObject({ expression: ['date'], diagnostics: expect.stringMatching(message) });
    expect(await stored('Procedure', chart.patient)).toEqual([]);
  });

  it('when the visit lies within the encounter\'s period, or on the day an open encounter started, then it saves', async () => {
    const closed = await chartOf({ period: { start: '2026-11-20T08:00:00-05:00', end: '2026-11-20T10:00:00-05:00' } });
    expect((await api(await launch(closed), '/api/sessions', { session: completeSession({ date: '2026-11-20T09:00:00-05:00' }) })).status).toBe(201);
    const open = await chartOf({ period: { start: '2026-11-20T13:00:00Z' } });
    // 07:30 in New York is 12:30 UTC, the same calendar day as the start in its own offset.
    expect((await api(await launch(open), '/api/sessions', { session: completeSession({ date: '2026-11-20T07:30:00-05:00' }) })).status).toBe(201);
  });

  it('when the launch\'s encounter belongs to another patient, then the save is refused and nothing is written', async () => {
    const mine = await chartOf();
    const theirs = await chartOf();
    const s = await launch({ patient: mine.patient, encounter: theirs.encounter });
    const res = await api(s, '/api/sessions', { session: completeSession() });
    expect(res.status).toBe(409);
    expect(((await res.json()) as Outcome).issue[0]?.diagnostics).toMatch(/does not belong to this patient/);
    expect(await stored('Procedure', mine.patient)).toEqual([]);
  });

  it('when an amendment is sent from a launch in another encounter, then 409 and the visit stays in its own encounter', async () => {
    const chart = await chartOf();
    const first = (await (await api(await launch(chart), '/api/sessions', { session: completeSession() })).json()) as { procedure: { id: string; versionId: string } };
    const today = `te-${Date.now().toString(36)}`;
    await sandbox().engine.execute({ method: 'PUT', path: `/Encounter/${today}`, body: { resourceType: 'Encounter', id: today, status: 'in-progress', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' }, subject: { reference: chart.patient } } });
    const s = await launch({ patient: chart.patient, encounter: `Encounter/${today}` });
    const res = await api(s, '/api/sessions', { session: completeSession({ plan: 'Moved?' }), amend: amendOf(first.procedure) });
    expect(res.status).toBe(409);
    expect(((await res.json()) as Outcome).issue[0]?.diagnostics).toMatch(/another encounter/);
    const [procedure] = await stored<Procedure>('Procedure', chart.patient);
    expect(procedure?.encounter?.reference).toBe(chart.encounter);
    expect(procedure?.meta?.versionId).toBe(first.procedure.versionId);
  });
});

describe('amendments keep exactly one current note', () => {
  it('when the visit is saved, then saved again unchanged as an amendment (Copy forward, Save, Save), then it answers unchanged and one note stays current', async () => {
    const chart = await chartOf();
    const s = await launch(chart);
    const first = (await (await api(s, '/api/sessions', { session: completeSession() })).json()) as { procedure: { id: string; versionId: string } };
    const again = await api(s, '/api/sessions', { session: completeSession(), amend: amendOf(first.procedure) });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ status: 'unchanged', procedure: first.procedure });
    const notes = await stored<DocumentReference>('DocumentReference', chart.patient);
    expect(notes.map((d) => d.status)).toEqual(['current']);
  });

  it('when an amendment is reverted by a second one, then the note of the reverted content is current again, alone', async () => {
    const chart = await chartOf();
    const s = await launch(chart);
    const first = (await (await api(s, '/api/sessions', { session: completeSession() })).json()) as { procedure: { id: string; versionId: string } };
    const second = (await (await api(s, '/api/sessions', { session: completeSession({ plan: 'Discharge next week.' }), amend: amendOf(first.procedure) })).json()) as { procedure: { id: string; versionId: string } };
    const third = await api(s, '/api/sessions', { session: completeSession(), amend: amendOf(second.procedure) });
    expect(third.status).toBe(200);
    const current = (await stored<DocumentReference>('DocumentReference', chart.patient)).filter((d) => d.status === 'current');
    expect(current).toHaveLength(1);
    expect(Buffer.from(current[0]?.content[1]?.attachment.data ?? '', 'base64').toString('utf8')).toContain(completeSession().plan);
  });
});
