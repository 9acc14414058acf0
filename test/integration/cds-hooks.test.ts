import { randomUUID } from 'node:crypto';
import type { Procedure } from 'fhir/r4.js';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Card } from '../../src/cds/cds-cards.js';
import type { RunningNeedleChart } from '../../src/runtime.js';
import { analyseSession, visitTransactionFor } from '../../src/service/preview-session.js';
import { completeSession, muscle } from '../support/fixtures.js';
import { patientAccessToken } from '../support/launch.js';
import { startTestNeedleChart } from '../support/sandbox.js';

let nc: RunningNeedleChart;
let logLines: string[];
beforeAll(async () => {
  ({ nc, logLines } = await startTestNeedleChart());
});
afterAll(async () => {
  await nc.close();
});

const sandbox = () => {
  if (!nc.sandbox?.cds) throw new Error('no sandbox');
  return nc.sandbox as Required<typeof nc.sandbox>;
};
const serviceUrl = (id: string) => `${nc.appUrl}/cds-services/${id}`;

async function callHook(id: string, body: Record<string, unknown>, token?: string): Promise<Response> {
  return fetch(serviceUrl(id), { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token ?? (await sandbox().cds.sign(sandbox().origin, serviceUrl(id)))}` }, body: JSON.stringify(body) });
}

async function patientView(patientId: string, withPrefetch = true): Promise<Card[]> {
  const prefetch = withPrefetch ? await sandbox().cds.prefetch(sandbox().engine, 'needlechart-patient-view', { patientId }) : undefined;
  const res = await callHook('needlechart-patient-view', { hook: 'patient-view', hookInstance: randomUUID(), context: { patientId, userId: 'Practitioner/pt-rivera' }, ...(prefetch ? { prefetch } : {}) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { cards: Card[] }).cards;
}

function noEmptyValues(value: unknown, path = 'response'): void {
  if (value === null || value === '' || (Array.isArray(value) && value.length === 0)) throw new Error(`${path} is empty`);
  if (Array.isArray(value)) value.forEach((v, i) => noEmptyValues(v, `${path}[${i}]`));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) noEmptyValues(v, `${path}.${k}`);
}

/** A visit written as NeedleChart writes it, with a change made afterwards by someone else. */
async function writeVisit(patient: string, encounter: string, session = completeSession(), afterwards?: (p: Procedure) => Procedure): Promise<string> {
  const [, response] = await sandbox().engine.execute({ method: 'POST', path: '/', body: visitTransactionFor(nc.core, analyseSession(session, nc.core), { patient, encounter }, new Date().toISOString()) });
  const location = ((response as { entry?: { response?: { location?: string } }[] }).entry?.[0]?.response?.location ?? '').split('/');
  const id = location[1] ?? '';
  if (afterwards) {
    const [, current] = await sandbox().engine.execute({ method: 'GET', path: `/Procedure/${id}` });
    await sandbox().engine.execute({ method: 'PUT', path: `/Procedure/${id}`, body: afterwards(current as Procedure) });
  }
  return id;
}

describe('CDS Hooks discovery and security', () => {
  it('when discovery is asked with the EHR\'s JWT, then both services are listed with their prefetch', async () => {
    const res = await fetch(`${nc.appUrl}/cds-services`, { headers: { authorization: `Bearer ${await sandbox().cds.sign(sandbox().origin, `${nc.appUrl}/cds-services`)}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { services: { hook: string; id: string; prefetch: Record<string, string> }[] };
    expect(body.services.map((s) => s.hook)).toEqual(['patient-view', 'encounter-start']);
    expect(body.services[0]?.prefetch.patient).toBe('Patient/{{context.patientId}}');
    noEmptyValues(body);
  });

  it('when discovery is asked without a JWT, then 401', async () => {
    expect((await fetch(`${nc.appUrl}/cds-services`)).status).toBe(401);
  });

  it.each([
    ['a bad signature', async () => {
      const { privateKey } = await generateKeyPair('ES384');
      return new SignJWT({}).setProtectedHeader({ alg: 'ES384', kid: 'sandbox-cds-1', typ: 'JWT' }).setIssuer(sandbox().origin).setAudience(serviceUrl('needlechart-patient-view')).setIssuedAt().setExpirationTime('5m').setJti(randomUUID()).sign(privateKey);
    }],
    ['the wrong aud', () => sandbox().cds.sign(sandbox().origin, `${nc.appUrl}/cds-services/other`)],
    ['an expired token', () => sandbox().cds.sign(sandbox().origin, serviceUrl('needlechart-patient-view'), { exp: Math.floor(Date.now() / 1000) - 60 })],
    ['an unknown iss', () => sandbox().cds.sign('https://unknown-ehr.example.org', serviceUrl('needlechart-patient-view'))],
    ['HMAC', () => new SignJWT({}).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuer(sandbox().origin).setAudience(serviceUrl('needlechart-patient-view')).setIssuedAt().setExpirationTime('5m').setJti(randomUUID()).sign(new TextEncoder().encode('x'.repeat(32)))],
  ])('when the JWT has %s, then 401 and no cards', async (_label, make) => {
    const res = await callHook('needlechart-patient-view', { hook: 'patient-view', hookInstance: randomUUID(), context: { patientId: 'p-li-wei' } }, await make());
    expect(res.status).toBe(401);
  });

  it('when a JWT is replayed (same jti), then the second call is refused', async () => {
    const token = await sandbox().cds.sign(sandbox().origin, serviceUrl('needlechart-patient-view'), { jti: 'fixed-jti-for-replay' });
    const prefetch = await sandbox().cds.prefetch(sandbox().engine, 'needlechart-patient-view', { patientId: 'p-li-wei' });
    const body = { hook: 'patient-view', hookInstance: randomUUID(), context: { patientId: 'p-li-wei' }, prefetch };
    expect((await callHook('needlechart-patient-view', body, token)).status).toBe(200);
    expect((await callHook('needlechart-patient-view', body, token)).status).toBe(401);
  });

  it('when the jku names a JWKS that is not on the allow-list, then 401', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES384');
    expect(await exportJWK(publicKey)).toBeTruthy();
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'ES384', kid: 'k', typ: 'JWT', jku: 'https://attacker.example.org/jwks.json' }).setIssuer(sandbox().origin).setAudience(serviceUrl('needlechart-patient-view')).setIssuedAt().setExpirationTime('5m').setJti(randomUUID()).sign(privateKey);
    expect((await callHook('needlechart-patient-view', { hook: 'patient-view', hookInstance: randomUUID(), context: { patientId: 'p-li-wei' } }, token)).status).toBe(401);
  });
});

describe('cards', () => {
  it('when an investigational-payer patient is viewed, then a payer card and a course card come back, each well formed', async () => {
    const cards = await patientView('p-maria-lopez');
    expect(cards.map((c) => c.indicator)).toEqual(['warning', 'info']);
    expect(cards[0]?.summary).toMatch(/investigational/);
    expect(cards[0]?.detail).toMatch(/Source: Premera Blue Cross \u2014 Dry Needling of Trigger Points for Myofascial Pain, Medical Policy 2\.01\.100 \(July 1, 2024\)/);
    expect(cards[1]?.summary).toBe('Dry needling: next is visit 4 of the course; 63% pain relief so far');
    for (const card of cards) {
      expect(card.summary.length).toBeLessThan(140);
      expect(card.source.url).toMatch(new RegExp(`^${nc.appUrl}/rules#`));
      expect(card.links[0]).toMatchObject({ type: 'smart', url: `${nc.appUrl}/launch` });
      noEmptyValues(card);
    }
  });

  it('when a Medicare patient is viewed, then the card says voluntary ABN and GX', async () => {
    const cards = await patientView('p-james-carter');
    expect(cards[0]?.summary).toMatch(/voluntary ABN, bill with GX/);
    expect(cards[0]?.detail).toMatch(/GA is wrong here/);
  });

  it('when the latest visit lacks consent, then a documentation-gap card links to that visit', async () => {
    const id = await writeVisit('Patient/p-nora-silva', 'Encounter/e-nora-silva-1', completeSession({ consent: { obtained: false, investigationalStatusDisclosed: false } }));
    const gap = (await patientView('p-nora-silva')).find((c) => c.summary.includes('documentation gap'));
    expect(gap?.detail).toMatch(/\*\*Consent: informed consent\*\*: Informed consent is not recorded/);
    expect(gap?.detail).not.toMatch(/consent\.obtained/);
    expect(gap?.detail).toMatch(/\*\(Source: Florida Legislature/);
    expect(JSON.parse(gap?.links[0]?.appContext ?? '{}')).toEqual({ procedureId: id });
  });

  it('when a recent visit was billed 20560 for three muscles, then a coding-mismatch card says 20561', async () => {
    const yesterday = `${new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)}T11:00:00-07:00`;
    const session = completeSession({ date: yesterday, muscles: [muscle('infraspinatus', 'right'), muscle('teres-minor', 'right'), muscle('teres-major', 'right')] });
    await writeVisit('Patient/p-li-wei', 'Encounter/e-li-wei-1', session, (p) => ({ ...p, code: { ...p.code, coding: p.code?.coding?.map((c) => (c.code === '20561' ? { ...c, code: '20560' } : c)) } }));
    const mismatch = (await patientView('p-li-wei')).find((c) => c.summary.includes('billed 20560'));
    expect(mismatch?.summary).toMatch(/its muscles support 20561/);
  });

  it('when no prefetch is sent but fhirServer and fhirAuthorization are, then the service reads the EHR with that token', async () => {
    const token = await patientAccessToken(sandbox(), `${nc.appUrl}/callback`, 'needlechart-sandbox', 'p-maria-lopez', 'patient/Patient.r patient/Coverage.rs patient/Condition.rs patient/Procedure.rs patient/Observation.rs');
    logLines.length = 0;
    const res = await callHook('needlechart-patient-view', { hook: 'patient-view', hookInstance: randomUUID(), context: { patientId: 'p-maria-lopez' }, fhirServer: sandbox().fhirBaseUrl, fhirAuthorization: { access_token: token, token_type: 'Bearer', expires_in: 300, scope: 'patient/Patient.r', subject: 'cds' } });
    expect(res.status).toBe(200);
    const cards = ((await res.json()) as { cards: Card[] }).cards;
    expect(cards.map((c) => c.indicator)).toEqual(['warning', 'info']);
    expect(logLines.join('\n')).not.toContain(token.slice(0, 20));
  });

  it('when neither prefetch nor a FHIR server is given, then 412', async () => {
    const res = await callHook('needlechart-patient-view', { hook: 'patient-view', hookInstance: randomUUID(), context: { patientId: 'p-maria-lopez' } });
    expect(res.status).toBe(412);
  });

  it('when encounter-start is called, then the same rules answer', async () => {
    const id = 'needlechart-encounter-start';
    const prefetch = await sandbox().cds.prefetch(sandbox().engine, id, { patientId: 'p-james-carter', encounterId: 'e-james-carter-3' });
    const res = await callHook(id, { hook: 'encounter-start', hookInstance: randomUUID(), context: { patientId: 'p-james-carter', encounterId: 'e-james-carter-3', userId: 'Practitioner/pt-rivera' }, prefetch });
    expect(((await res.json()) as { cards: Card[] }).cards[0]?.summary).toMatch(/never covered/);
  });

  it('when feedback is posted, then 200 and a log line without patient data', async () => {
    logLines.length = 0;
    const url = `${serviceUrl('needlechart-patient-view')}/feedback`;
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await sandbox().cds.sign(sandbox().origin, url)}` }, body: JSON.stringify({ feedback: [{ card: 'card-1', outcome: 'overridden', overrideReason: { reason: { code: 'patient-declined', system: 'x' }, userComment: 'Maria said no' }, outcomeTimestamp: new Date().toISOString() }] }) });
    expect(res.status).toBe(200);
    const log = logLines.join('\n');
    expect(log).toContain('"message":"cds feedback"');
    expect(log).toContain('"outcome":"overridden"');
    expect(log).not.toContain('Maria');
  });
});
