import type { Bundle, DocumentReference, Observation, Procedure, Provenance } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FhirGateway } from '../../src/fhir/client.js';
import { loadChartContext } from '../../src/fhir/load-chart-context.js';
import { VISIT_ID_SYSTEM } from '../../src/fhir/systems.js';
import { visitKey } from '../../src/fhir/visit-context.js';
import { silentLogger } from '../../src/infra/logger.js';
import { OperationOutcomeError } from '../../src/outcome/operation-outcome-error.js';
import { saveVisit } from '../../src/service/save-visit.js';
import { startFaultProxy } from '../support/fault-proxy.js';
import { authorOf, completeSession, exampleSession, muscle } from '../support/fixtures.js';
import { newChart, startTestSandbox, type TestSandbox } from '../support/sandbox.js';

let t: TestSandbox;
beforeAll(async () => {
  t = await startTestSandbox();
});
afterAll(async () => {
  await t.sandbox.close();
});

async function countFor(patient: string): Promise<Record<string, number>> {
  const [procedures, observations, documents, provenance] = await Promise.all([
    t.gateway.searchAll<Procedure>('Procedure', { patient, _count: '100' }),
    t.gateway.searchAll<Observation>('Observation', { patient, _count: '100' }),
    t.gateway.searchAll<DocumentReference>('DocumentReference', { patient, _count: '100' }),
    t.gateway.searchAll<Provenance>('Provenance', { _count: '1000' }),
  ]);
  const ids = new Set([...procedures, ...observations, ...documents].map((r) => `${r.resourceType}/${r.id}`));
  return {
    procedures: procedures.length,
    observations: observations.length,
    documents: documents.length,
    provenance: provenance.filter((p) => p.target.some((x) => ids.has(x.reference ?? ''))).length,
  };
}

describe('saving a visit', () => {
  it('when the patient already has a long course (250 earlier visits), then a save counts them with one search instead of paging through them, and numbers the visit 251', async () => {
    const chart = await newChart(t.sandbox);
    const earlier: Bundle = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: Array.from({ length: 250 }, (_, i) => ({
        resource: { resourceType: 'Procedure', status: 'completed', code: { coding: [{ system: 'https://needlechart.dev/fhir/CodeSystem/procedure', code: 'dry-needling' }] }, subject: { reference: chart.patient }, performedDateTime: new Date(Date.UTC(2025, 0, 1) + i * 86_400_000).toISOString() } as Procedure,
        request: { method: 'POST', url: 'Procedure' },
      })),
    };
    const written = await fetch(t.sandbox.fhirBaseUrl, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(earlier) });
    expect(written.status).toBe(200);
    const before = t.sandbox.requestLog.length;
    const session = completeSession();
    const result = await saveVisit(t.gateway, t.core, { session, target: chart, author: authorOf(session) });
    expect(result).toMatchObject({ status: 'created', visitNumber: 251 });
    const requests = t.sandbox.requestLog.slice(before).map((r) => `${r.method} ${r.path}`);
    expect(requests.filter((r) => r.startsWith('GET /Procedure'))).toHaveLength(2);
    expect(requests).toHaveLength(4);
  });

  it('when a session is saved, then Procedure, Observations, note and Provenance land and read back as the same session', async () => {
    const chart = await newChart(t.sandbox);
    const session = exampleSession();
    const result = await saveVisit(t.gateway, t.core, { session, target: chart, author: authorOf(session) });
    expect(result.status).toBe('created');
    expect(result.observations).toBe(4);
    expect(await countFor(chart.patient)).toEqual({ procedures: 1, observations: 4, documents: 1, provenance: 1 });
    const procedure = await t.gateway.read<Procedure>('Procedure', result.procedure.id);
    expect(procedure.identifier?.[0]).toEqual({ system: VISIT_ID_SYSTEM, value: visitKey(session, chart) });
    const ctx = await loadChartContext(t.gateway, chart.patient, chart.encounter, t.core.profiles);
    expect(ctx.currentVisit?.session).toEqual(session);
    const doc = await t.gateway.read<DocumentReference>('DocumentReference', result.document?.id ?? '');
    expect(Buffer.from(doc.content[0]?.attachment.data ?? '', 'base64').toString()).toContain('Upper trapezius (left)');
  });

  it('when the same save is sent twice, then the second writes nothing and answers unchanged', async () => {
    const chart = await newChart(t.sandbox);
    const first = await saveVisit(t.gateway, t.core, { session: completeSession(), target: chart, author: authorOf(completeSession()) });
    const second = await saveVisit(t.gateway, t.core, { session: completeSession(), target: chart, author: authorOf(completeSession()) });
    expect(second).toMatchObject({ status: 'unchanged', procedure: first.procedure });
    expect(await countFor(chart.patient)).toEqual({ procedures: 1, observations: 4, documents: 1, provenance: 1 });
  });

  it('when the response to a save is lost, and so is the response to its one resend, then the user\'s retry answers unchanged and the visit exists exactly once', async () => {
    const chart = await newChart(t.sandbox);
    const proxy = await startFaultProxy(t.sandbox.fhirBaseUrl);
    try {
      const gateway = new FhirGateway({ baseUrl: proxy.url, logger: silentLogger, backoffMs: 10 });
      const isTransaction = (req: { method?: string; url?: string }) => req.method === 'POST' && req.url?.endsWith('/fhir/') === true;
      proxy.inject('drop-response', isTransaction);
      proxy.inject('drop-response', isTransaction);
      const lost = await saveVisit(gateway, t.core, { session: completeSession(), target: chart, author: authorOf(completeSession()) }).catch((e: unknown) => e);
      expect(lost).toBeInstanceOf(OperationOutcomeError);
      expect((lost as OperationOutcomeError).transient).toBe(true);
      // The gateway resends a transaction that got no response once, never more (safe: every create is conditional)...
      expect(proxy.seen.filter((r) => r.method === 'POST').length).toBe(2);
      // ...and it landed, once.
      expect(await countFor(chart.patient)).toEqual({ procedures: 1, observations: 4, documents: 1, provenance: 1 });
      const retry = await saveVisit(gateway, t.core, { session: completeSession(), target: chart, author: authorOf(completeSession()) });
      expect(retry.status).toBe('unchanged');
      expect(await countFor(chart.patient)).toEqual({ procedures: 1, observations: 4, documents: 1, provenance: 1 });
    } finally {
      await proxy.close();
    }
  });

  it('when the same transaction is posted twice directly (a retry while the first is still queued), then conditional creates keep it to one visit and one Provenance', async () => {
    const chart = await newChart(t.sandbox);
    const first = await saveVisit(t.gateway, t.core, { session: completeSession(), target: chart, author: authorOf(completeSession()) });
    expect(first.status).toBe('created');
    // Replay the raw transaction, as a client without the pre-check would (later: another recorded time).
    const { analyseSession, visitTransactionFor } = await import('../../src/service/preview-session.js');
    const response = await t.gateway.transaction(visitTransactionFor(t.core, analyseSession(completeSession(), t.core), chart, new Date(Date.now() + 60_000).toISOString()));
    expect(response.entry?.map((e) => e.response?.status)).toEqual(['200', '200', '200', '200', '200', '200', '200']);
    expect(await countFor(chart.patient)).toEqual({ procedures: 1, observations: 4, documents: 1, provenance: 1 });
  });

  it('when the response to a save is lost and the clinician edits the time and saves again, then it is refused (amend it instead), not a second visit', async () => {
    const chart = await newChart(t.sandbox);
    // The first save landed; its answer never reached the page (the transport is exercised in faults.test.ts).
    await saveVisit(t.gateway, t.core, { session: completeSession(), target: chart, author: authorOf(completeSession()) });
    const edited = completeSession({ date: '2026-11-20T09:20:00-05:00' });
    await expect(saveVisit(t.gateway, t.core, { session: edited, target: chart, author: authorOf(edited) })).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/already saved.*amend it/) });
    expect(await countFor(chart.patient)).toEqual({ procedures: 1, observations: 4, documents: 1, provenance: 1 });
  });

  it('when a different session is saved again without amending, then it is refused with 409 and nothing changes', async () => {
    const chart = await newChart(t.sandbox);
    await saveVisit(t.gateway, t.core, { session: completeSession(), target: chart, author: authorOf(completeSession()) });
    const changed = completeSession({ plan: 'Discharge.' });
    await expect(saveVisit(t.gateway, t.core, { session: changed, target: chart, author: authorOf(changed) })).rejects.toMatchObject({ status: 409 });
    expect(await countFor(chart.patient)).toMatchObject({ procedures: 1, documents: 1 });
  });

  it('when the session is invalid, then 422 and nothing is written', async () => {
    const chart = await newChart(t.sandbox);
    await expect(saveVisit(t.gateway, t.core, { session: { ...completeSession(), billing: 'cash' }, target: chart, author: authorOf(completeSession()) })).rejects.toMatchObject({ status: 422 });
    expect(await countFor(chart.patient)).toEqual({ procedures: 0, observations: 0, documents: 0, provenance: 0 });
  });
});

describe('amending a visit', () => {
  it('when a saved visit is amended from its current version, then it is updated in place, the note is replaced and history kept', async () => {
    const chart = await newChart(t.sandbox);
    const first = await saveVisit(t.gateway, t.core, { session: completeSession(), target: chart, author: authorOf(completeSession()) });
    const amended = completeSession({ outcomes: { painPre: 6, painPost: 2 }, muscles: [muscle('quadratus-lumborum', 'left'), muscle('piriformis', 'left')] });
    const second = await saveVisit(t.gateway, t.core, { session: amended, target: chart, author: authorOf(amended), amend: { procedureId: first.procedure.id, versionId: first.procedure.versionId } });
    expect(second.status).toBe('updated');
    expect(second.procedure.id).toBe(first.procedure.id);
    expect(second.procedure.versionId).not.toBe(first.procedure.versionId);
    const ctx = await loadChartContext(t.gateway, chart.patient, chart.encounter, t.core.profiles);
    expect(ctx.currentVisit?.session).toEqual(amended);
    const docs = await t.gateway.searchAll<DocumentReference>('DocumentReference', { patient: chart.patient });
    expect(docs.map((d) => d.status).sort()).toEqual(['current', 'superseded']);
    expect(docs.find((d) => d.status === 'current')?.relatesTo?.[0]?.target.reference).toBe(`DocumentReference/${first.document?.id}`);
    const history = (await (await fetch(`${t.sandbox.fhirBaseUrl}/Procedure/${first.procedure.id}/_history`)).json()) as Bundle;
    expect(history.entry?.map((e) => e.resource?.meta?.versionId).sort()).toEqual([first.procedure.versionId, second.procedure.versionId].sort());
    const observations = await t.gateway.searchAll<Observation>('Observation', { patient: chart.patient });
    expect(observations.filter((o) => o.status === 'entered-in-error')).toHaveLength(2);
  });

  it('when two people amend the same version, then the second gets 409, the first edit stays intact', async () => {
    const chart = await newChart(t.sandbox);
    const first = await saveVisit(t.gateway, t.core, { session: completeSession(), target: chart, author: authorOf(completeSession()) });
    const base = { procedureId: first.procedure.id, versionId: first.procedure.versionId };
    await saveVisit(t.gateway, t.core, { session: completeSession({ plan: 'Edit by A' }), target: chart, author: authorOf(completeSession()), amend: base });
    const conflict = await saveVisit(t.gateway, t.core, { session: completeSession({ plan: 'Edit by B' }), target: chart, author: authorOf(completeSession()), amend: base }).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(OperationOutcomeError);
    expect(conflict).toMatchObject({ status: 409, outcome: { issue: [{ code: 'conflict' }] } });
    expect((conflict as OperationOutcomeError).message).toMatch(/changed by someone else/);
    const ctx = await loadChartContext(t.gateway, chart.patient, chart.encounter, t.core.profiles);
    expect(ctx.currentVisit?.session?.plan).toBe('Edit by A');
  });

  it('when the version check passes but the server version moves during the save, then the If-Match in the transaction refuses it whole', async () => {
    const chart = await newChart(t.sandbox);
    const first = await saveVisit(t.gateway, t.core, { session: completeSession(), target: chart, author: authorOf(completeSession()) });
    const procedure = await t.gateway.read<Procedure>('Procedure', first.procedure.id);
    // Someone else updates the Procedure directly on the server.
    const res = await fetch(`${t.sandbox.fhirBaseUrl}/Procedure/${procedure.id}`, { method: 'PUT', headers: { 'content-type': 'application/fhir+json', 'if-match': `W/"${procedure.meta?.versionId}"` }, body: JSON.stringify({ ...procedure, status: 'completed', note: [{ text: 'edited elsewhere' }] }) });
    expect(res.status).toBe(200);
    const before = await countFor(chart.patient);
    await expect(saveVisit(t.gateway, t.core, { session: completeSession({ plan: 'late' }), target: chart, author: authorOf(completeSession()), amend: { procedureId: first.procedure.id, versionId: first.procedure.versionId } })).rejects.toMatchObject({ status: 409 });
    expect(await countFor(chart.patient)).toEqual(before);
  });
});

describe('all-or-nothing transactions in the sandbox', () => {
  it('when one entry of a transaction fails, then nothing of it is left behind', async () => {
    const chart = await newChart(t.sandbox);
    const identifier = { system: VISIT_ID_SYSTEM, value: `rollback-${Date.now()}` };
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:6c6f1a8e-0b7c-4f2a-9d5e-111111111111', resource: { resourceType: 'Procedure', identifier: [identifier], status: 'completed', subject: { reference: chart.patient } } as Procedure, request: { method: 'POST', url: 'Procedure' } },
        { fullUrl: 'urn:uuid:6c6f1a8e-0b7c-4f2a-9d5e-222222222222', resource: { resourceType: 'Observation', status: 'final', code: { text: 'pain' }, subject: { reference: chart.patient }, partOf: [{ reference: 'urn:uuid:6c6f1a8e-0b7c-4f2a-9d5e-111111111111' }] } as Observation, request: { method: 'POST', url: 'Observation' } },
        { resource: { resourceType: 'Patient', id: chart.patient.split('/')[1] ?? '' }, request: { method: 'PUT', url: chart.patient, ifMatch: 'W/"stale"' } },
      ],
    };
    await expect(t.gateway.transaction(bundle)).rejects.toMatchObject({ status: 409 });
    expect(await t.gateway.searchAll('Procedure', { identifier: `${identifier.system}|${identifier.value}` })).toEqual([]);
    expect(await countFor(chart.patient)).toEqual({ procedures: 0, observations: 0, documents: 0, provenance: 0 });
  });

  it('when a transaction entry breaks the R4 schema, then the whole transaction is refused with the entry named', async () => {
    const chart = await newChart(t.sandbox);
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: { resourceType: 'Procedure', status: 'completed', subject: { reference: chart.patient } } as Procedure, request: { method: 'POST', url: 'Procedure' } },
        { resource: { resourceType: 'Observation', status: 'done', code: { text: 'x' } } as unknown as Observation, request: { method: 'POST', url: 'Observation' } },
      ],
    };
    const error = (await t.gateway.transaction(bundle).catch((e: unknown) => e)) as OperationOutcomeError;
    expect(error.status).toBe(400);
    expect(error.outcome.issue[0]?.expression).toEqual(['Bundle.entry[1].resource.status']);
    expect(await countFor(chart.patient)).toMatchObject({ procedures: 0 });
  });
});
