import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningNeedleChart } from '../../src/runtime.js';
import { completeSession, exampleSession } from '../support/fixtures.js';
import { ehrLaunch, type LaunchedSession } from '../support/launch.js';
import { newChart, startTestNeedleChart } from '../support/sandbox.js';

let nc: RunningNeedleChart;
let logLines: string[];
beforeAll(async () => {
  ({ nc, logLines } = await startTestNeedleChart());
});
afterAll(async () => {
  await nc.close();
});

const sandboxOrigin = () => nc.sandbox?.origin ?? '';

async function launchNewChart(): Promise<LaunchedSession & { chart: { patient: string; encounter: string } }> {
  const sandbox = nc.sandbox;
  if (!sandbox) throw new Error('no sandbox');
  // The sandbox endpoint requires tokens; seed the test chart through the engine directly.
  const chart = await newChartViaEngine();
  const launched = await ehrLaunch(sandboxOrigin(), { patient: chart.patient.slice(8), encounter: chart.encounter.slice(10) });
  return { ...launched, chart };
}

async function newChartViaEngine(): Promise<{ patient: string; encounter: string }> {
  const sandbox = nc.sandbox;
  if (!sandbox) throw new Error('no sandbox');
  return newChart({ ...sandbox, fhirBaseUrl: '' }, 'payer-acme-health', sandbox.engine);
}

const api = (s: LaunchedSession, path: string, init: RequestInit = {}) =>
  fetch(`${nc.appUrl}${path}`, { ...init, headers: { cookie: s.cookie, 'x-launch-id': s.launchId, 'content-type': 'application/json', ...(init.headers as Record<string, string> | undefined) } });

describe('GET /api/context after an EHR launch', () => {
  it('when a seeded patient is launched, then the context is that patient and encounter, with the launch user', async () => {
    const s = await ehrLaunch(sandboxOrigin(), { patient: 'p-james-carter', encounter: 'e-james-carter-3' });
    const res = await api(s, '/api/context');
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, any>;
    expect(body).toMatchObject({ patient: { name: 'James Carter' }, payer: { policyId: 'medicare' }, course: { visitNumber: 3 }, launch: { fhirUser: 'Practitioner/pt-rivera', canSave: true, missingScopes: [] } });
    expect(body.lastSession.muscles).toHaveLength(4);
    // The course at a glance: one flowsheet row per earlier visit, in words.
    expect(body.flowsheet).toHaveLength(2);
    expect(body.flowsheet[0]).toMatchObject({ day: expect.stringMatching(/^[A-Z][a-z]+ \d{1,2}, \d{4}$/), pain: expect.stringMatching(/^Pain /) });
    // No clinic defaults configured: no clean-technique box is pre-checked.
    expect(body.clinic).toEqual({ practices: [] });
  });

  it('when the launch id header is missing, then 401', async () => {
    const s = await ehrLaunch(sandboxOrigin(), { patient: 'p-james-carter', encounter: 'e-james-carter-3' });
    const res = await fetch(`${nc.appUrl}/api/context`, { headers: { cookie: s.cookie } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { issue: { code: string }[] }).issue[0]?.code).toBe('login');
  });

  it('when a launch id is used from another browser session, then 401: launches are bound to their browser', async () => {
    const mine = await ehrLaunch(sandboxOrigin(), { patient: 'p-james-carter', encounter: 'e-james-carter-3' });
    const theirs = await ehrLaunch(sandboxOrigin(), { patient: 'p-li-wei', encounter: 'e-li-wei-6' });
    const res = await fetch(`${nc.appUrl}/api/context`, { headers: { cookie: theirs.cookie, 'x-launch-id': mine.launchId } });
    expect(res.status).toBe(401);
  });

  it('when the EHR refused the write scopes, then the context says saving is not possible and which scopes are missing', async () => {
    const s = await ehrLaunch(sandboxOrigin(), { patient: 'p-james-carter', encounter: 'e-james-carter-3', deny: 'patient/Provenance.c' });
    const body = (await (await api(s, '/api/context')).json()) as { launch: { canSave: boolean; missingScopes: string[] } };
    expect(body.launch.canSave).toBe(false);
    expect(body.launch.missingScopes).toEqual(['Provenance.c']);
    const save = await api(s, '/api/sessions', { method: 'POST', body: JSON.stringify({ session: completeSession() }) });
    expect(save.status).toBe(403);
  });
});

describe('POST /api/sessions after an EHR launch', () => {
  it('when a visit is saved, then 201; the same again 200 unchanged; a different one 409', async () => {
    const s = await launchNewChart();
    const first = await api(s, '/api/sessions', { method: 'POST', body: JSON.stringify({ session: exampleSession() }) });
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ status: 'created', observations: 4, procedure: { id: expect.any(String) } });
    const again = await api(s, '/api/sessions', { method: 'POST', body: JSON.stringify({ session: exampleSession() }) });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { status: string }).status).toBe('unchanged');
    const different = await api(s, '/api/sessions', { method: 'POST', body: JSON.stringify({ session: { ...exampleSession(), plan: 'Other' } }) });
    expect(different.status).toBe(409);
  });

  it('when an amendment names its version, then 200 updated; a stale version then 409', async () => {
    const s = await launchNewChart();
    const first = (await (await api(s, '/api/sessions', { method: 'POST', body: JSON.stringify({ session: completeSession() }) })).json()) as { procedure: { id: string; versionId: string } };
    const amend = { procedureId: first.procedure.id, versionId: first.procedure.versionId };
    const updated = await api(s, '/api/sessions', { method: 'POST', body: JSON.stringify({ session: completeSession({ plan: 'Amended' }), amend }) });
    expect(updated.status).toBe(200);
    const stale = await api(s, '/api/sessions', { method: 'POST', body: JSON.stringify({ session: completeSession({ plan: 'Late' }), amend }) });
    expect(stale.status).toBe(409);
  });

  it('when the body names a patient, then 400: patient and encounter come only from the launch', async () => {
    const s = await launchNewChart();
    const res = await api(s, '/api/sessions', { method: 'POST', body: JSON.stringify({ session: completeSession(), patient: 'Patient/p-li-wei', encounter: 'Encounter/e-li-wei-6' }) });
    expect(res.status).toBe(400);
  });

  it('when the session is invalid, then 422 with field paths', async () => {
    const s = await launchNewChart();
    const res = await api(s, '/api/sessions', { method: 'POST', body: JSON.stringify({ session: { ...completeSession(), muscles: [] } }) });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { issue: { expression: string[] }[] }).issue[0]?.expression).toEqual(['muscles']);
  });

  it('when a visit is saved, then the logs hold no patient name, note text, session content or token', async () => {
    const s = await launchNewChart();
    logLines.length = 0;
    await api(s, '/api/sessions', { method: 'POST', body: JSON.stringify({ session: { ...completeSession(), response: 'Quixotic response text' } }) });
    const log = logLines.join('\n');
    expect(log).toContain('/api/sessions');
    expect(log).not.toMatch(/Quixotic|quadratus|Test Patient|M54\.50|eyJ|Bearer/);
  });
});
