import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FhirGateway } from '../../src/fhir/client.js';
import { loadChartContext, loadLaunchChart } from '../../src/fhir/load-chart-context.js';
import { silentLogger } from '../../src/infra/logger.js';
import { saveVisit } from '../../src/service/save-visit.js';
import { authorOf, completeSession } from '../support/fixtures.js';
import { newChart, startTestSandbox, type TestSandbox } from '../support/sandbox.js';

let t: TestSandbox;
beforeAll(async () => {
  t = await startTestSandbox();
});
afterAll(async () => {
  await t.sandbox.close();
});

describe('loading the chart context from the sandbox', () => {
  it('when a seeded patient mid-course is opened, then header, diagnoses, payer, earlier visits and the pain trend come back', async () => {
    const ctx = await loadChartContext(t.gateway, 'Patient/p-maria-lopez', 'Encounter/e-maria-lopez-4', t.core.profiles);
    expect(ctx.patient).toMatchObject({ reference: 'Patient/p-maria-lopez', name: 'Maria Lopez', birthDate: '1984-03-12' });
    expect(ctx.encounter).toMatchObject({ reference: 'Encounter/e-maria-lopez-4', status: 'in-progress' });
    expect(ctx.diagnoses.map((d) => d.code)).toEqual(['M79.12', 'M54.2']);
    expect(ctx.payer).toEqual({ policyId: 'commercial-investigational', name: 'Premera Blue Cross' });
    expect(ctx.priorVisits).toHaveLength(3);
    expect(ctx.priorVisits.map((v) => v.codes)).toEqual([['20561'], ['20561'], ['20561']]);
    expect(ctx.course.visitNumber).toBe(4);
    expect(ctx.course.painTrend.map((p) => [p.pre, p.post])).toEqual([[8, 5], [7, 4], [6, 3]]);
    // Relief from pre-treatment pain across the course: 8 → 6 is 25% (the latest post-treatment 3 is not counted).
    expect(ctx.course.reliefPercent).toBe(25);
    expect(ctx.course.reliefDefinition).toMatch(/pain before treatment/);
    expect(ctx.flowsheet.map((r) => r.pain)).toEqual(['Pain 8 before, 5 after (out of 10)', 'Pain 7 before, 4 after (out of 10)', 'Pain 6 before, 3 after (out of 10)']);
    expect(ctx.flowsheet[2]?.muscles).toEqual(['Upper trapezius (left)', 'Levator scapulae (left)', 'Splenius capitis (left)']);
    expect(ctx.flowsheet.every((r) => r.codes.join() === '20561' && /^[A-Z][a-z]+ \d{1,2}, \d{4}$/.test(r.day))).toBe(true);
    expect(ctx.lastSession?.muscles.map((m) => m.muscle)).toEqual(['upper-trapezius', 'levator-scapulae', 'splenius-capitis']);
    expect(ctx.lastSession?.date).toBe(ctx.priorVisits[2]?.date);
    expect(ctx.currentVisit).toBeUndefined();
  });

  it('when the chart is opened on a server that supports batch, then it takes at most 2 requests (counted at the server)', async () => {
    await t.gateway.capabilityStatement();
    const before = t.sandbox.requestLog.length;
    await loadChartContext(t.gateway, 'Patient/p-li-wei', 'Encounter/e-li-wei-6', t.core.profiles);
    const requests = t.sandbox.requestLog.slice(before);
    expect(requests.length).toBeLessThanOrEqual(2);
    expect(requests.every((r) => r.method === 'POST' && r.path === '/')).toBe(true);
  });

  it.each([
    ['a Practitioner, on a chart with earlier visits', 'Practitioner/pt-chen', 'Patient/p-li-wei', 'Encounter/e-li-wei-6'],
    ['a PractitionerRole, on a chart with no earlier visit', 'PractitionerRole/role-rivera-harbor', 'Patient/p-nora-silva', 'Encounter/e-nora-silva-1'],
  ])('when the signed-in user is %s, then the chart and the user still take at most 2 requests', async (_label, fhirUser, patient, encounter) => {
    await t.gateway.capabilityStatement();
    const before = t.sandbox.requestLog.length;
    const { user } = await loadLaunchChart(t.gateway, patient, encounter, t.core.profiles, { fhirUser });
    expect(t.sandbox.requestLog.length - before).toBeLessThanOrEqual(2);
    expect(user).toMatchObject({ ok: true, clinician: { fhirUser, performer: { reference: fhirUser.startsWith('PractitionerRole/') ? 'Practitioner/pt-rivera' : fhirUser, dryNeedlingCertified: true }, organization: 'Organization/org-harbor-pt' } });
  });

  it('when the server does not advertise batch, then parallel searches give the same context', async () => {
    class NoBatchGateway extends FhirGateway {
      override async supports(): Promise<boolean> {
        return false;
      }
    }
    const plain = new NoBatchGateway({ baseUrl: t.sandbox.fhirBaseUrl, logger: silentLogger });
    const batched = await loadLaunchChart(t.gateway, 'Patient/p-aisha-khan', 'Encounter/e-aisha-khan-5', t.core.profiles, { fhirUser: 'PractitionerRole/role-rivera-harbor' });
    const parallel = await loadLaunchChart(plain, 'Patient/p-aisha-khan', 'Encounter/e-aisha-khan-5', t.core.profiles, { fhirUser: 'PractitionerRole/role-rivera-harbor' });
    expect(parallel).toEqual(batched);
    expect(parallel.user.ok).toBe(true);
  });

  it('when a search has more matches than a page, then the next links are followed', async () => {
    const all = await t.gateway.searchAll('Procedure', { patient: 'Patient/p-li-wei', _count: '2' });
    expect(all).toHaveLength(5);
    expect(new Set(all.map((p) => p.id)).size).toBe(5);
  });

  it('when a new patient has no visits, then the context is visit 1 with nothing to copy forward', async () => {
    const ctx = await loadChartContext(t.gateway, 'Patient/p-nora-silva', 'Encounter/e-nora-silva-1', t.core.profiles);
    expect(ctx.priorVisits).toEqual([]);
    expect(ctx.lastSession).toBeUndefined();
    expect(ctx.course.visitNumber).toBe(1);
    expect(ctx.diagnoses.map((d) => d.code)).toEqual(['M26.622', 'M79.11']);
  });

  it('when a visit is saved in this encounter, then reopening shows it as the current visit (to amend), not as an earlier one', async () => {
    const chart = await newChart(t.sandbox);
    const session = completeSession();
    const saved = await saveVisit(t.gateway, t.core, { session, target: chart, author: authorOf(session) });
    const ctx = await loadChartContext(t.gateway, chart.patient, chart.encounter, t.core.profiles);
    expect(ctx.currentVisit?.procedure).toEqual(saved.procedure);
    expect(ctx.currentVisit?.session).toEqual(session);
    expect(ctx.currentVisit?.document?.id).toBe(saved.document?.id);
    expect(ctx.priorVisits).toEqual([]);
  });

  it.each([
    ['Patient/does-not-exist', 'Encounter/e-li-wei-6', 404],
    ['Patient/p-li-wei', 'Encounter/e-maria-lopez-4', 404],
  ])('when %s with %s is opened, then a clear %s comes back', async (patient, encounter, status) => {
    await expect(loadChartContext(t.gateway, patient, encounter, t.core.profiles)).rejects.toMatchObject({ status });
  });
});
