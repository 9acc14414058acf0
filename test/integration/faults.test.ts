import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import type { DocumentReference, Observation, Procedure, Provenance } from 'fhir/r4.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runExport } from '../../src/export/run-export.js';
import { FhirGateway } from '../../src/fhir/client.js';
import { silentLogger } from '../../src/infra/logger.js';
import { loadBodyMap } from '../../src/profiles/load-body-map.js';
import { OperationOutcomeError } from '../../src/outcome/operation-outcome-error.js';
import { saveVisit } from '../../src/service/save-visit.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { authorOf, completeSession } from '../support/fixtures.js';
import { newChart, startTestSandbox, type TestSandbox } from '../support/sandbox.js';

let t: TestSandbox;
let proxy: FaultProxy;
let gateway: FhirGateway;
beforeAll(async () => {
  t = await startTestSandbox();
});
afterAll(async () => {
  await t.sandbox.close();
});
afterEach(async () => {
  await proxy?.close();
});

async function withProxy(): Promise<FhirGateway> {
  proxy = await startFaultProxy(t.sandbox.fhirBaseUrl);
  gateway = new FhirGateway({ baseUrl: proxy.url, logger: silentLogger, timeoutMs: 800, retries: 2, backoffMs: 20 });
  return gateway;
}

const isTransaction = (req: IncomingMessage) => req.method === 'POST' && /\/fhir\/?$/.test(req.url ?? '');
/** The idempotent look-up of a save: the visits already charted in this encounter. */
const isLookup = (req: IncomingMessage) => req.method === 'GET' && (req.url ?? '').includes('/Procedure?') && (req.url ?? '').includes('encounter=');

async function counts(patient: string): Promise<{ procedures: number; observations: number; documents: number }> {
  const [procedures, observations, documents] = await Promise.all([
    t.gateway.searchAll<Procedure>('Procedure', { patient }),
    t.gateway.searchAll<Observation>('Observation', { patient }),
    t.gateway.searchAll<DocumentReference>('DocumentReference', { patient }),
  ]);
  return { procedures: procedures.length, observations: observations.length, documents: documents.length };
}

/** The Provenance records that name one of the patient's visits. */
async function provenanceOf(patient: string): Promise<Provenance[]> {
  const procedures = await t.gateway.searchAll<Procedure>('Procedure', { patient });
  const targets = new Set(procedures.map((p) => `Procedure/${p.id}`));
  return (await t.gateway.searchAll<Provenance>('Provenance', { _count: '1000' })).filter((p) => p.target.some((x) => targets.has(x.reference ?? '')));
}

describe('faults on save', () => {
  it.each([
    ['503', { kind: 'status', status: 503 } as const, 502],
    ['500', { kind: 'status', status: 500 } as const, 502],
  ])('when the EHR answers the save transaction with %s, then the user gets a clear transient error, nothing is written, and the POST is not retried blindly', async (_label, fault, status) => {
    const g = await withProxy();
    const chart = await newChart(t.sandbox);
    proxy.inject(fault, isTransaction);
    const error = await saveVisit(g, t.core, { session: completeSession(), target: chart, author: authorOf(completeSession()) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationOutcomeError);
    expect(error).toMatchObject({ status, transient: true });
    expect(proxy.seen.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(await counts(chart.patient)).toEqual({ procedures: 0, observations: 0, documents: 0 });
    const retry = await saveVisit(g, t.core, { session: completeSession(), target: chart, author: authorOf(completeSession()) });
    expect(retry.status).toBe('created');
    expect(await counts(chart.patient)).toEqual({ procedures: 1, observations: 4, documents: 1 });
  });

  it('when the EHR answers the idempotent look-up with 429 and Retry-After, then the gateway waits and retries it, and the save completes once', async () => {
    const g = await withProxy();
    const chart = await newChart(t.sandbox);
    proxy.inject({ kind: 'status', status: 429, retryAfter: 1 }, isLookup);
    const started = Date.now();
    const result = await saveVisit(g, t.core, { session: completeSession(), target: chart, author: authorOf(completeSession()) });
    expect(result.status).toBe('created');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(proxy.seen.filter((r) => r.method === 'GET' && r.path.includes('/Procedure?') && r.path.includes('encounter='))).toHaveLength(2);
    expect(await counts(chart.patient)).toEqual({ procedures: 1, observations: 4, documents: 1 });
  });

  it('when the save transaction and its one resend are held past the timeout, then the user gets a timeout, and a later retry finds the visit exactly once', async () => {
    const g = await withProxy();
    const chart = await newChart(t.sandbox);
    proxy.inject({ kind: 'delay', ms: 1500 }, isTransaction);
    proxy.inject({ kind: 'delay', ms: 1500 }, isTransaction);
    const error = await saveVisit(g, t.core, { session: completeSession(), target: chart, author: authorOf(completeSession()) }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 504, transient: true });
    expect(proxy.seen.filter((r) => r.method === 'POST')).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 1700)); // both held requests reach the EHR after the app gave up
    const retry = await saveVisit(g, t.core, { session: completeSession(), target: chart, author: authorOf(completeSession()) });
    expect(['created', 'unchanged']).toContain(retry.status);
    expect(await counts(chart.patient)).toEqual({ procedures: 1, observations: 4, documents: 1 });
    expect(await provenanceOf(chart.patient)).toHaveLength(1);
  });

  it('when the connection is reset after the EHR processed the save, before any response (ECONNRESET), then the gateway resends it once and exactly one visit, one note and one Provenance land', async () => {
    const g = await withProxy();
    const chart = await newChart(t.sandbox);
    proxy.inject({ kind: 'drop-response', reset: true }, isTransaction);
    const result = await saveVisit(g, t.core, { session: completeSession(), target: chart, author: authorOf(completeSession()) });
    expect(result).toMatchObject({ status: 'created', observations: 4, document: { id: expect.any(String) } });
    expect(proxy.seen.filter((r) => r.method === 'POST')).toHaveLength(2);
    expect(await counts(chart.patient)).toEqual({ procedures: 1, observations: 4, documents: 1 });
    expect(await provenanceOf(chart.patient)).toHaveLength(1);
    expect((await t.gateway.read<Procedure>('Procedure', result.procedure.id)).meta?.versionId).toBe(result.procedure.versionId);
  });

  it('when the connection is cut before the save reached the EHR, then the gateway resends it once and the visit lands once', async () => {
    const g = await withProxy();
    const chart = await newChart(t.sandbox);
    proxy.inject({ kind: 'drop-request' }, isTransaction);
    expect((await saveVisit(g, t.core, { session: completeSession(), target: chart, author: authorOf(completeSession()) })).status).toBe('created');
    expect(proxy.seen.filter((r) => r.method === 'POST')).toHaveLength(2);
    expect(await counts(chart.patient)).toEqual({ procedures: 1, observations: 4, documents: 1 });
  });

  it('when the connection is cut on the send and on the resend, then the transaction went out twice at most, the user gets a transient error, and nothing is written', async () => {
    const g = await withProxy();
    const chart = await newChart(t.sandbox);
    proxy.inject({ kind: 'drop-request' }, isTransaction);
    proxy.inject({ kind: 'drop-request' }, isTransaction);
    await expect(saveVisit(g, t.core, { session: completeSession(), target: chart, author: authorOf(completeSession()) })).rejects.toMatchObject({ status: 502, transient: true });
    expect(proxy.seen.filter((r) => r.method === 'POST')).toHaveLength(2);
    expect(await counts(chart.patient)).toEqual({ procedures: 0, observations: 0, documents: 0 });
  });
});

describe('faults on amend', () => {
  it('when the connection is reset after the EHR processed an amendment, then the resend\'s stale If-Match is recognised as the amendment itself: updated, one current note, one Provenance per write', async () => {
    const g = await withProxy();
    const chart = await newChart(t.sandbox);
    const first = await saveVisit(g, t.core, { session: completeSession(), target: chart, author: authorOf(completeSession()) });
    const amend = { procedureId: first.procedure.id, versionId: first.procedure.versionId };
    let posts = 0;
    proxy.inject({ kind: 'drop-response', reset: true }, (req) => req.method === 'POST' && ++posts === 2);
    const second = await saveVisit(g, t.core, { session: completeSession({ plan: 'Amended' }), target: chart, author: authorOf(completeSession()), amend });
    expect(second.status).toBe('updated');
    const procedure = await t.gateway.read<Procedure>('Procedure', first.procedure.id);
    expect(second.procedure.versionId).toBe(procedure.meta?.versionId);
    expect(procedure.followUp?.[0]?.text).toBe('Amended');
    const notes = await t.gateway.searchAll<DocumentReference>('DocumentReference', { patient: chart.patient });
    expect(notes.map((d) => d.status).sort()).toEqual(['current', 'superseded']);
    expect((await provenanceOf(chart.patient)).map((p) => p.activity?.coding?.[0]?.code).sort()).toEqual(['CREATE', 'UPDATE']);
  });

  it('when the amendment transaction fails with 500, then nothing changes and the same amendment later lands once', async () => {
    const g = await withProxy();
    const chart = await newChart(t.sandbox);
    const first = await saveVisit(g, t.core, { session: completeSession(), target: chart, author: authorOf(completeSession()) });
    const amend = { procedureId: first.procedure.id, versionId: first.procedure.versionId };
    // An amendment reads the visit (GET), its observations and note (a batch POST), then sends the transaction (the second POST).
    let posts = 0;
    proxy.inject({ kind: 'status', status: 500 }, (req) => req.method === 'POST' && ++posts === 2);
    await expect(saveVisit(g, t.core, { session: completeSession({ plan: 'Amended' }), target: chart, author: authorOf(completeSession()), amend })).rejects.toMatchObject({ status: 502 });
    const unchanged = await t.gateway.read<Procedure>('Procedure', first.procedure.id);
    expect(unchanged.meta?.versionId).toBe(first.procedure.versionId);
    const second = await saveVisit(g, t.core, { session: completeSession({ plan: 'Amended' }), target: chart, author: authorOf(completeSession()), amend });
    expect(second.status).toBe('updated');
    expect(await counts(chart.patient)).toEqual({ procedures: 1, observations: 4, documents: 2 });
  });
});

describe('faults on export', () => {
  it('when reads fail transiently during an export, then idempotent reads are retried and the packet is complete', async () => {
    const g = await withProxy();
    // The page's batch of notes, observations and provenance answers 503; the batch of its patients (the third batch sent, after the retry) loses its response.
    const batches = () => proxy.seen.filter((r) => r.method === 'POST' && /\/fhir\/?$/.test(r.path)).length;
    proxy.inject({ kind: 'status', status: 503 }, (req) => req.method === 'POST' && /\/fhir\/?$/.test(req.url ?? ''));
    proxy.inject({ kind: 'drop-response' }, (req) => req.method === 'POST' && /\/fhir\/?$/.test(req.url ?? '') && batches() === 3);
    const out = mkdtempSync(join(tmpdir(), 'nc-fault-export-'));
    const result = await runExport({ gateway: g, core: t.core, bodyMap: loadBodyMap(), filters: { from: '2000-01-01', to: '2100-12-31', patient: 'Patient/p-li-wei' }, out, requestedBy: 'x', client: 'test', logger: silentLogger, pdf: false });
    expect(result.visits).toBe(5);
    expect(readFileSync(join(out, 'index.csv'), 'utf8').trim().split('\r\n')).toHaveLength(6);
    expect(batches()).toBe(4);
  });

  it('when the EHR stays down during an export, then it fails clearly and a rerun completes it without duplicates', async () => {
    const g = await withProxy();
    const out = mkdtempSync(join(tmpdir(), 'nc-fault-export-'));
    // Pages of 5 visits; each page sends two batches (its notes, observations and provenance; its patients).
    // From the third page's first batch on, the EHR answers 503 to every attempt: two pages are written by then.
    const fromThirdPage = (req: IncomingMessage) => req.method === 'POST' && proxy.seen.filter((r) => r.method === 'POST').length >= 5;
    for (let i = 0; i < 3; i++) proxy.inject({ kind: 'status', status: 503 }, fromThirdPage);
    await expect(runExport({ gateway: g, core: t.core, bodyMap: loadBodyMap(), filters: { from: '2000-01-01', to: '2100-12-31' }, out, requestedBy: 'x', client: 'test', logger: silentLogger, pdf: false, concurrency: 1, pageSize: 5, source: 'search' })).rejects.toMatchObject({ transient: true });
    const result = await runExport({ gateway: g, core: t.core, bodyMap: loadBodyMap(), filters: { from: '2000-01-01', to: '2100-12-31' }, out, requestedBy: 'x', client: 'test', logger: silentLogger, pdf: false, source: 'search' });
    const rows = readFileSync(join(out, 'index.csv'), 'utf8').trim().split('\r\n').slice(1);
    expect(rows).toHaveLength(result.visits);
    expect(new Set(rows).size).toBe(rows.length);
    expect(result.reused).toBe(10);
  });

  it('when the Bulk Data kick-off answers 503 once, then it is retried and the packet is complete', async () => {
    const g = await withProxy();
    proxy.inject({ kind: 'status', status: 503 }, (req) => (req.url ?? '').includes('/$export'));
    const out = mkdtempSync(join(tmpdir(), 'nc-fault-export-'));
    const result = await runExport({ gateway: g, core: t.core, bodyMap: loadBodyMap(), filters: { from: '2000-01-01', to: '2100-12-31' }, out, requestedBy: 'x', client: 'test', logger: silentLogger, pdf: false, source: 'bulk' });
    expect(proxy.seen.filter((r) => r.path.includes('/$export'))).toHaveLength(2);
    expect(result.via).toBe('bulk');
    expect(readFileSync(join(out, 'index.csv'), 'utf8').trim().split('\r\n')).toHaveLength(result.visits + 1);
  });

  it('when a Bulk Data status URL points at another host, then the export refuses to send the token there and says so', async () => {
    // Through the proxy, the sandbox's Content-Location names the sandbox's own origin: another host for this gateway.
    proxy = await startFaultProxy(t.sandbox.fhirBaseUrl);
    const g = new FhirGateway({ baseUrl: proxy.url, logger: silentLogger, accessToken: () => 'a-token', retries: 0 });
    const out = mkdtempSync(join(tmpdir(), 'nc-fault-export-'));
    await expect(runExport({ gateway: g, core: t.core, bodyMap: loadBodyMap(), filters: { from: '2000-01-01', to: '2100-12-31' }, out, requestedBy: 'x', client: 'test', logger: silentLogger, pdf: false, source: 'bulk' })).rejects.toThrow(/another host .*sends its access token only to the FHIR server/);
  });
});
