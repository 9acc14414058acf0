import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Procedure } from 'fhir/r4.js';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Card } from '../../src/cds/cds-cards.js';
import type { RunningNeedleChart } from '../../src/runtime.js';
import { analyseSession, visitTransactionFor } from '../../src/service/preview-session.js';
import { completeSession, muscle } from '../support/fixtures.js';
import { patientAccessToken } from '../support/launch.js';
import { startTestNeedleChart } from '../support/sandbox.js';

/**
 * Another EHR registered as a CDS client (`EHR_A`), with its JWKS, a second JWKS on its own jku
 * allow-list, an attacker's JWKS, and a FHIR server: all served on loopback by `other`, which also
 * records every request it gets (to see where a lent token went).
 */
const EHR_A = 'https://ehr-a.example.org';
let other: Server;
let otherBase: string;
const seenByOther: { url: string; authorization: string | undefined }[] = [];
let keyA: CryptoKey;
let keyRotated: CryptoKey;
let keyAttacker: CryptoKey;

async function startOther(): Promise<void> {
  const jwks = async (kid: string): Promise<{ key: CryptoKey; body: string }> => {
    const { privateKey, publicKey } = await generateKeyPair('ES384');
    return { key: privateKey, body: JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES384', use: 'sig' }] }) };
  };
  const [a, rotated, attacker] = await Promise.all([jwks('a-1'), jwks('a-2'), jwks('evil-1')]);
  keyA = a.key;
  keyRotated = rotated.key;
  keyAttacker = attacker.key;
  const bodies: Record<string, string> = { '/a/jwks.json': a.body, '/a/rotated-jwks.json': rotated.body, '/evil/jwks.json': attacker.body };
  other = createServer((req, res) => {
    const url = req.url ?? '';
    if (bodies[url]) return void res.writeHead(200, { 'content-type': 'application/json' }).end(bodies[url]);
    seenByOther.push({ url, authorization: req.headers.authorization });
    const patient = /^\/fhir\/Patient\/([^/?]+)$/.exec(url);
    if (patient) return void res.writeHead(200, { 'content-type': 'application/fhir+json' }).end(JSON.stringify({ resourceType: 'Patient', id: patient[1] }));
    if (url.startsWith('/fhir/')) return void res.writeHead(200, { 'content-type': 'application/fhir+json' }).end(JSON.stringify({ resourceType: 'Bundle', type: 'searchset', total: 0 }));
    res.writeHead(404).end();
  });
  other.listen(0, '127.0.0.1');
  await once(other, 'listening');
  otherBase = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
}

let nc: RunningNeedleChart;
let logLines: string[];
beforeAll(async () => {
  await startOther();
  const clients = [{ iss: EHR_A, jwksUrl: `${otherBase}/a/jwks.json`, jkuAllowlist: [`${otherBase}/a/rotated-jwks.json`], fhirServers: [`${otherBase}/fhir`] }];
  ({ nc, logLines } = await startTestNeedleChart({ env: { NEEDLECHART_CDS_CLIENTS: JSON.stringify(clients) } }));
}, 60_000);
afterAll(async () => {
  await nc.close();
  other.closeAllConnections();
  await new Promise<void>((resolve) => other.close(() => resolve()));
});

/** A CDS client JWT signed with `key`, as EHR A (or whoever `iss` claims to be) would sign it. */
function signAs(key: CryptoKey, iss: string, aud: string, header: { kid: string; jku?: string }): Promise<string> {
  return new SignJWT({}).setProtectedHeader({ alg: 'ES384', typ: 'JWT', ...header }).setIssuer(iss).setAudience(aud).setIssuedAt().setExpirationTime('5m').setJti(randomUUID()).sign(key);
}

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

  it('when one JWT is sent 8 times at once, then exactly one call is accepted', async () => {
    const token = await sandbox().cds.sign(sandbox().origin, serviceUrl('needlechart-patient-view'));
    const prefetch = await sandbox().cds.prefetch(sandbox().engine, 'needlechart-patient-view', { patientId: 'p-li-wei' });
    const body = { hook: 'patient-view', hookInstance: randomUUID(), context: { patientId: 'p-li-wei' }, prefetch };
    const statuses = await Promise.all(Array.from({ length: 8 }, () => callHook('needlechart-patient-view', body, token).then((r) => r.status)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 401)).toHaveLength(7);
  });

  it('when the jku names a JWKS that is not on the allow-list, then 401', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES384');
    expect(await exportJWK(publicKey)).toBeTruthy();
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'ES384', kid: 'k', typ: 'JWT', jku: 'https://attacker.example.org/jwks.json' }).setIssuer(sandbox().origin).setAudience(serviceUrl('needlechart-patient-view')).setIssuedAt().setExpirationTime('5m').setJti(randomUUID()).sign(privateKey);
    expect((await callHook('needlechart-patient-view', { hook: 'patient-view', hookInstance: randomUUID(), context: { patientId: 'p-li-wei' } }, token)).status).toBe(401);
  });
});

describe('CDS client JWT lifetime and keys', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const call = (token: string) => callHook('needlechart-patient-view', { hook: 'patient-view', hookInstance: randomUUID(), context: { patientId: 'p-li-wei' } }, token);

  it.each([
    ['an exp ten years ahead', () => ({ exp: now() + 10 * 365 * 86_400 })],
    ['an exp 7 minutes ahead (more than 5 minutes and the 60 s of clock skew)', () => ({ exp: now() + 420 })],
    ['an iat 5 minutes in the future', () => ({ iat: now() + 300, exp: now() + 300 })],
    ['no iat', () => ({ iat: null })],
  ])('when the JWT has %s, then 401 and no cards', async (_label, overrides) => {
    const res = await call(await sandbox().cds.sign(sandbox().origin, serviceUrl('needlechart-patient-view'), overrides()));
    expect(res.status).toBe(401);
    expect(((await res.json()) as { issue: { code: string }[] }).issue[0]?.code).toBe('security');
  });

  it('when exp is 5 minutes ahead and iat a little ahead (within the 60 s of clock skew), then the call is served', async () => {
    const prefetch = await sandbox().cds.prefetch(sandbox().engine, 'needlechart-patient-view', { patientId: 'p-li-wei' });
    const token = await sandbox().cds.sign(sandbox().origin, serviceUrl('needlechart-patient-view'), { exp: now() + 350, iat: now() + 30 });
    const res = await callHook('needlechart-patient-view', { hook: 'patient-view', hookInstance: randomUUID(), context: { patientId: 'p-li-wei' }, prefetch }, token);
    expect(res.status).toBe(200);
  });

  it("when a client's JWT names a jku on that client's own allow-list, then its keys are used", async () => {
    const prefetch = await sandbox().cds.prefetch(sandbox().engine, 'needlechart-patient-view', { patientId: 'p-li-wei' });
    const token = await signAs(keyRotated, EHR_A, serviceUrl('needlechart-patient-view'), { kid: 'a-2', jku: `${otherBase}/a/rotated-jwks.json` });
    const res = await callHook('needlechart-patient-view', { hook: 'patient-view', hookInstance: randomUUID(), context: { patientId: 'p-li-wei' }, prefetch }, token);
    expect(res.status).toBe(200);
  });

  it.each([
    ["another client's allow-listed jku (the sandbox claiming EHR A's rotated keys)", () => signAs(keyRotated, sandbox().origin, serviceUrl('needlechart-patient-view'), { kid: 'a-2', jku: `${otherBase}/a/rotated-jwks.json` })],
    ['a jku on no allow-list (an attacker\'s JWKS)', () => signAs(keyAttacker, EHR_A, serviceUrl('needlechart-patient-view'), { kid: 'evil-1', jku: `${otherBase}/evil/jwks.json` })],
  ])('when a JWT names %s, then 401', async (_label, make) => {
    expect((await call(await make())).status).toBe(401);
  });

  it("when EHR A signs with its registered key, then it is served like the sandbox", async () => {
    const prefetch = await sandbox().cds.prefetch(sandbox().engine, 'needlechart-patient-view', { patientId: 'p-li-wei' });
    const token = await signAs(keyA, EHR_A, serviceUrl('needlechart-patient-view'), { kid: 'a-1' });
    expect((await callHook('needlechart-patient-view', { hook: 'patient-view', hookInstance: randomUUID(), context: { patientId: 'p-li-wei' }, prefetch }, token)).status).toBe(200);
  });
});

describe('fhirServer and the token it lends', () => {
  const body = (fhirServer: string) => ({ hook: 'patient-view', hookInstance: randomUUID(), context: { patientId: 'p-maria-lopez' }, fhirServer, fhirAuthorization: { access_token: 'lent-token-must-not-travel', token_type: 'Bearer', expires_in: 300, scope: 'patient/Patient.r', subject: 'cds' } });

  it.each([
    ['a loopback server not listed for the client', () => `${otherBase}/fhir`],
    ['an https server not listed for the client', () => 'https://fhir.elsewhere.example/r4'],
    ['a plain-http server', () => 'http://fhir.elsewhere.example/r4'],
  ])('when the sandbox sends no prefetch and %s as fhirServer, then 412 and the token goes nowhere', async (_label, server) => {
    seenByOther.length = 0;
    const res = await callHook('needlechart-patient-view', body(server()));
    expect(res.status).toBe(412);
    expect(seenByOther).toEqual([]);
  });

  it('when a prefetch is sent with an unlisted fhirServer, then the cards come from the prefetch and the token goes nowhere', async () => {
    seenByOther.length = 0;
    const prefetch = await sandbox().cds.prefetch(sandbox().engine, 'needlechart-patient-view', { patientId: 'p-maria-lopez' });
    const res = await callHook('needlechart-patient-view', { ...body(`${otherBase}/fhir`), prefetch });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { cards: Card[] }).cards.map((c) => c.indicator)).toEqual(['warning', 'info']);
    expect(seenByOther).toEqual([]);
  });

  it('when EHR A sends the FHIR server listed for it, then the service reads it with the lent token', async () => {
    seenByOther.length = 0;
    const token = await signAs(keyA, EHR_A, serviceUrl('needlechart-patient-view'), { kid: 'a-1' });
    const res = await callHook('needlechart-patient-view', { ...body(`${otherBase}/fhir`), context: { patientId: 'p-a-1' } }, token);
    expect(res.status).toBe(200);
    expect(seenByOther.map((r) => r.url.split('?')[0]).sort()).toEqual(['/fhir/Coverage', '/fhir/Observation', '/fhir/Patient/p-a-1', '/fhir/Procedure']);
    expect(seenByOther.every((r) => r.authorization === 'Bearer lent-token-must-not-travel')).toBe(true);
  });

  it('when EHR A prefetches some keys and not others, then only the missing ones are read from its FHIR server', async () => {
    seenByOther.length = 0;
    const token = await signAs(keyA, EHR_A, serviceUrl('needlechart-patient-view'), { kid: 'a-1' });
    const prefetch = { patient: { resourceType: 'Patient', id: 'p-a-2' }, coverage: { resourceType: 'Bundle', type: 'searchset', entry: [] }, procedures: null };
    const res = await callHook('needlechart-patient-view', { ...body(`${otherBase}/fhir`), context: { patientId: 'p-a-2' }, prefetch }, token);
    expect(res.status).toBe(200);
    expect(seenByOther.map((r) => r.url.split('?')[0]).sort()).toEqual(['/fhir/Observation', '/fhir/Procedure']);
  });
});

describe('malformed hook requests', () => {
  type Body = Record<string, unknown> & { prefetch: Record<string, unknown> };
  const valid = async (): Promise<Body> => ({ hook: 'patient-view', hookInstance: randomUUID(), context: { patientId: 'p-li-wei' }, prefetch: await sandbox().cds.prefetch(sandbox().engine, 'needlechart-patient-view', { patientId: 'p-li-wei' }) });
  const firstEntry = (b: Body, key: string): Record<string, unknown> => ((b.prefetch[key] as { entry: { resource: Record<string, unknown> }[] }).entry[0]?.resource ?? {});

  it.each([
    ['prefetch.patient is text', 'prefetch.patient', (b: Body) => void (b.prefetch.patient = 'Patient/p-li-wei')],
    ['prefetch.patient is an Observation', 'prefetch.patient', (b: Body) => void (b.prefetch.patient = { resourceType: 'Observation', id: 'o', status: 'final', code: { text: 'x' } })],
    ['prefetch.patient is another patient', 'prefetch.patient', (b: Body) => void (b.prefetch.patient = { resourceType: 'Patient', id: 'p-maria-lopez' })],
    ['prefetch.patient has a name that is not a list', 'prefetch.patient.name', (b: Body) => void (b.prefetch.patient = { resourceType: 'Patient', id: 'p-li-wei', name: 'Li Wei' })],
    ['prefetch.coverage is a Patient, not a Bundle', 'prefetch.coverage', (b: Body) => void (b.prefetch.coverage = { resourceType: 'Patient', id: 'p-li-wei' })],
    ['prefetch.coverage has entries that are not a list', 'prefetch.coverage.entry', (b: Body) => void (b.prefetch.coverage = { resourceType: 'Bundle', type: 'searchset', entry: 'none' })],
    ['prefetch.observations has an empty entry', 'prefetch.observations.entry[0]', (b: Body) => void (b.prefetch.observations = { resourceType: 'Bundle', type: 'searchset', entry: [null] })],
    ['prefetch.procedures holds a Procedure whose code is text', 'prefetch.procedures.entry[0].resource.code', (b: Body) => void (firstEntry(b, 'procedures').code = '20561')],
    ['prefetch.observations holds an Observation whose partOf is text', 'prefetch.observations.entry[0].resource.partOf', (b: Body) => void (firstEntry(b, 'observations').partOf = 'Procedure/x')],
    ['prefetch is a list', 'prefetch', (b: Body) => void (b.prefetch = [] as unknown as Record<string, unknown>)],
    ['context.patientId is a number', 'context.patientId', (b: Body) => void (b.context = { patientId: 42 })],
    ['context is text', 'context', (b: Body) => void (b.context = 'p-li-wei')],
    ['hookInstance is missing', 'hookInstance', (b: Body) => void delete b.hookInstance],
    ['hook is another hook', 'hook', (b: Body) => void (b.hook = 'order-sign')],
  ])('when %s, then 400 with an OperationOutcome naming %s', async (_label, field, mutate) => {
    const b = await valid();
    mutate(b);
    const res = await callHook('needlechart-patient-view', b);
    expect(res.status).toBe(400);
    const outcome = (await res.json()) as { resourceType: string; issue: { severity: string; expression?: string[]; diagnostics: string }[] };
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue.map((i) => i.expression?.[0])).toContain(field);
  });

  it('when a prefetched search has no entries at all, then it reads as no results', async () => {
    const b = await valid();
    b.prefetch.procedures = { resourceType: 'Bundle', type: 'searchset', total: 0 };
    b.prefetch.observations = { resourceType: 'Bundle', type: 'searchset', total: 0 };
    const res = await callHook('needlechart-patient-view', b);
    expect(res.status).toBe(200);
  });

  it.each([
    ['prefetch.patient is null (the EHR could not fetch it)', (b: Body) => void (b.prefetch.patient = null)],
    ['prefetch.observations is left out', (b: Body) => void delete b.prefetch.observations],
  ])('when %s and there is no FHIR server to read, then 412 naming what is missing', async (_label, mutate) => {
    const b = await valid();
    mutate(b);
    const res = await callHook('needlechart-patient-view', b);
    expect(res.status).toBe(412);
    expect(((await res.json()) as { issue: { diagnostics: string }[] }).issue[0]?.diagnostics).toMatch(/prefetch\.(patient|observations)/);
  });
});

describe('cards', () => {
  it('when an investigational-payer patient is viewed, then a payer card and a course card come back, each well formed', async () => {
    const cards = await patientView('p-maria-lopez');
    expect(cards.map((c) => c.indicator)).toEqual(['warning', 'info']);
    expect(cards[0]?.summary).toMatch(/investigational/);
    expect(cards[0]?.detail).toMatch(/Source: Premera Blue Cross \u2014 Dry Needling of Trigger Points for Myofascial Pain, Medical Policy 2\.01\.100 \(July 1, 2024\)/);
    expect(cards[1]?.summary).toBe('Dry needling: next is visit 4 of the course; 25% pain relief so far');
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
    // A visit is one per patient, encounter and performer: yesterday's visit has its own encounter.
    await sandbox().engine.execute({ method: 'PUT', path: '/Encounter/e-li-wei-yesterday', body: { resourceType: 'Encounter', id: 'e-li-wei-yesterday', status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' }, subject: { reference: 'Patient/p-li-wei' } } });
    await writeVisit('Patient/p-li-wei', 'Encounter/e-li-wei-yesterday', session, (p) => ({ ...p, code: { ...p.code, coding: p.code?.coding?.map((c) => (c.code === '20561' ? { ...c, code: '20560' } : c)) } }));
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

  it('when feedback carries free text in any field, then the log holds only the card id, outcome, suggestion ids and reason code', async () => {
    logLines.length = 0;
    const url = `${serviceUrl('needlechart-patient-view')}/feedback`;
    const card = randomUUID();
    const feedback = [
      { card, outcome: 'accepted', acceptedSuggestions: [{ id: 'suggestion-1' }, { id: 'Maria Lopez asked for this' }], outcomeTimestamp: new Date().toISOString() },
      { card: 'Maria Lopez refused needling', outcome: 'overridden because Maria is afraid', overrideReason: { reason: { code: 'Maria said no', system: 'x', display: 'Maria Lopez declined' }, userComment: 'Maria Lopez, DOB 1970-01-01' }, outcomeTimestamp: new Date().toISOString() },
      { card, outcome: 'overridden', overrideReason: { reason: { code: 'patient-declined', system: 'x', display: 'Maria declined' }, userComment: 'Maria again' }, outcomeTimestamp: new Date().toISOString() },
    ];
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await sandbox().cds.sign(sandbox().origin, url)}` }, body: JSON.stringify({ feedback }) });
    expect(res.status).toBe(200);
    const log = logLines.filter((l) => l.includes('cds feedback'));
    expect(log).toHaveLength(3);
    expect(log.join('\n')).not.toMatch(/Maria|1970|afraid/);
    expect(log[0]).toContain(`"card":"${card}"`);
    expect(log[0]).toContain('"acceptedSuggestions":"suggestion-1,not-an-id"');
    expect(log[1]).toContain('"card":"not-a-card-id"');
    expect(log[1]).toContain('"outcome":"unknown"');
    expect(log[1]).toContain('"overrideReason":"not-a-code"');
    expect(log[2]).toContain('"overrideReason":"patient-declined"');
  });
});
