import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.js';
import { createApp } from '../../src/http/create-app.js';
import { createJsonLogger } from '../../src/http/logger.js';
import { completeSession, exampleSession } from '../support/fixtures.js';
import { newChart, startTestSandbox, type TestSandbox } from '../support/sandbox.js';

let t: TestSandbox;
let app: ReturnType<typeof createApp>;
const logLines: string[] = [];
beforeAll(async () => {
  t = await startTestSandbox();
  app = createApp(readConfig({}), { core: t.core, logger: createJsonLogger((l) => logLines.push(l)), fhir: { gateway: t.gateway, sandbox: true } });
});
afterAll(async () => {
  await t.sandbox.close();
});

describe('GET /api/context', () => {
  it('when a seeded patient and encounter are named, then the chart context comes back', async () => {
    const res = await request(app).get('/api/context').query({ patient: 'Patient/p-james-carter', encounter: 'Encounter/e-james-carter-3' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ patient: { name: 'James Carter' }, payer: { policyId: 'medicare' }, course: { visitNumber: 3 } });
    expect(res.body.lastSession.muscles).toHaveLength(4);
  });

  it.each([
    [{ encounter: 'Encounter/e-james-carter-3' }, 'patient'],
    [{ patient: 'james', encounter: 'Encounter/e-james-carter-3' }, 'patient'],
    [{ patient: 'Patient/p-james-carter', encounter: 'Encounter/../x' }, 'encounter'],
  ])('when the query is %j, then 400 naming %s', async (query, field) => {
    const res = await request(app).get('/api/context').query(query);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).issue[0].expression).toEqual([field]);
  });

  it('when the patient does not exist, then 404 OperationOutcome', async () => {
    const res = await request(app).get('/api/context').query({ patient: 'Patient/nobody', encounter: 'Encounter/e-james-carter-3' });
    expect(res.status).toBe(404);
    expect(JSON.parse(res.text).resourceType).toBe('OperationOutcome');
  });

  it('when NeedleChart points at a real EHR, then patient and encounter are not taken from parameters (403)', async () => {
    const ehrApp = createApp(readConfig({ NEEDLECHART_FHIR_BASE_URL: 'https://ehr.example.org/fhir' }), { core: t.core, logger: createJsonLogger(() => {}), fhir: { gateway: t.gateway, sandbox: false } });
    const res = await request(ehrApp).get('/api/context').query({ patient: 'Patient/p-james-carter', encounter: 'Encounter/e-james-carter-3' });
    expect(res.status).toBe(403);
    const save = await request(ehrApp).post('/api/sessions').send({ session: completeSession(), patient: 'Patient/p-james-carter', encounter: 'Encounter/e-james-carter-3' });
    expect(save.status).toBe(403);
  });
});

describe('POST /api/sessions', () => {
  it('when a visit is saved, then 201 with what was written; the same again is 200 unchanged; a different one 409', async () => {
    const chart = await newChart(t.sandbox);
    const first = await request(app).post('/api/sessions').send({ session: exampleSession(), ...chart });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ status: 'created', observations: 4, procedure: { id: expect.any(String), versionId: expect.any(String) }, document: { id: expect.any(String) } });
    const again = await request(app).post('/api/sessions').send({ session: exampleSession(), ...chart });
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('unchanged');
    const different = await request(app).post('/api/sessions').send({ session: { ...exampleSession(), plan: 'Other plan' }, ...chart });
    expect(different.status).toBe(409);
    expect(JSON.parse(different.text).issue[0].code).toBe('conflict');
  });

  it('when an amendment names the version it started from, then 200 updated; a stale version then gives 409', async () => {
    const chart = await newChart(t.sandbox);
    const first = await request(app).post('/api/sessions').send({ session: completeSession(), ...chart });
    const amend = { procedureId: first.body.procedure.id, versionId: first.body.procedure.versionId };
    const updated = await request(app).post('/api/sessions').send({ session: completeSession({ plan: 'Amended plan' }), ...chart, amend });
    expect(updated.status).toBe(200);
    expect(updated.body.status).toBe('updated');
    const stale = await request(app).post('/api/sessions').send({ session: completeSession({ plan: 'Late edit' }), ...chart, amend });
    expect(stale.status).toBe(409);
    expect(JSON.parse(stale.text).issue[0].diagnostics).toMatch(/changed by someone else/);
  });

  it('when the session is invalid, then 422 with field paths and nothing is written', async () => {
    const chart = await newChart(t.sandbox);
    const res = await request(app).post('/api/sessions').send({ session: { ...completeSession(), muscles: [] }, ...chart });
    expect(res.status).toBe(422);
    expect(JSON.parse(res.text).issue[0].expression).toEqual(['muscles']);
    expect(await t.gateway.searchAll('Procedure', { patient: chart.patient })).toEqual([]);
  });

  it.each([
    [{ amend: { procedureId: 'x' } }, 'amend'],
    [{ patient: 'p-1' }, 'patient'],
  ])('when the request carries %j, then 400 naming %s', async (extra, field) => {
    const chart = await newChart(t.sandbox);
    const res = await request(app).post('/api/sessions').send({ session: completeSession(), ...chart, ...extra });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).issue[0].expression).toEqual([field]);
  });

  it('when a visit is saved, then the logs carry no patient name, no note text and no session content', async () => {
    logLines.length = 0;
    const chart = await newChart(t.sandbox);
    await request(app).post('/api/sessions').send({ session: { ...completeSession(), response: 'Quixotic response text' }, ...chart });
    const log = logLines.join('\n');
    expect(log).toContain('/api/sessions');
    expect(log).not.toMatch(/Quixotic|quadratus|Test Patient|M54\.50/);
  });
});

describe('POST /api/preview with a chart', () => {
  it('when patient and encounter are given, then the preview carries the transaction Bundle a save would send', async () => {
    const res = await request(app).post('/api/preview').send({ session: exampleSession(), patient: 'Patient/p-1', encounter: 'Encounter/e-1' });
    expect(res.status).toBe(200);
    expect(res.body.bundle.type).toBe('transaction');
    expect(res.body.bundle.entry[0].resource.subject.reference).toBe('Patient/p-1');
  });

  it('when a bare session is previewed, then the bundle uses placeholder references', async () => {
    const res = await request(app).post('/api/preview').send(exampleSession());
    expect(res.body.bundle.entry[0].resource.subject.reference).toBe('Patient/preview');
  });
});
