import type { ExplanationOfBenefit } from 'fhir/r4.js';
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
const api = (s: LaunchedSession, path: string, body?: unknown) =>
  fetch(`${nc.appUrl}${path}`, { method: body === undefined ? 'GET' : 'POST', headers: { cookie: s.cookie, 'x-launch-id': s.launchId, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

/** A paid professional claim with therapy lines (GP) and their allowed (eligible) amounts. */
function claim(patient: string, day: string, allowed: readonly number[]): ExplanationOfBenefit {
  return {
    resourceType: 'ExplanationOfBenefit',
    status: 'active',
    type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }] },
    use: 'claim',
    patient: { reference: patient },
    created: `${day}T12:00:00Z`,
    billablePeriod: { start: day },
    insurer: { display: 'Medicare Part B' },
    provider: { display: 'Harbor Physical Therapy' },
    outcome: 'complete',
    insurance: [{ focal: true, coverage: { display: 'Medicare Part B' } }],
    item: allowed.map((value, i) => ({
      sequence: i + 1,
      productOrService: { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '97110' }] },
      modifier: [{ coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: 'GP' }] }],
      adjudication: [{ category: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adjudication', code: 'eligible' }] }, amount: { value, currency: 'USD' } }],
    })),
  };
}

describe("Medicare's therapy threshold from the chart's claims", () => {
  it("when the EHR holds this year's therapy claims above the threshold, then the chart carries their allowed total and the live panel advises KX", async () => {
    const chart = await newChart({ ...sandbox(), fhirBaseUrl: '' }, 'payer-acme-health', sandbox().engine);
    const year = new Date().getUTCFullYear();
    for (const [day, amounts] of [[`${year}-01-15`, [1200, 400]], [`${year}-02-20`, [1000]], [`${year - 1}-12-20`, [5000]]] as const) {
      const [outcome, , status] = await sandbox().engine.execute({ method: 'POST', path: '/ExplanationOfBenefit', body: claim(chart.patient, day, amounts) });
      expect(status, JSON.stringify(outcome)).toBeLessThan(300);
    }
    const s = await ehrLaunch(sandbox().origin, { patient: chart.patient.replace('Patient/', ''), encounter: chart.encounter.replace('Encounter/', '') });
    const context = (await (await api(s, '/api/context')).json()) as { therapyAmountThisYear?: number; course: { visitNumber: number } };
    expect(context.therapyAmountThisYear).toBe(2600);

    const session = completeSession({ payer: 'medicare', date: new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'), abn: { issuedOn: new Date().toISOString().slice(0, 10), option: 1 } });
    const preview = (await (await api(s, '/api/preview', { session, course: { visitNumber: context.course.visitNumber, therapyAmountThisYear: context.therapyAmountThisYear } })).json()) as { warnings: { rule: string; message: string }[] };
    const kx = preview.warnings.find((w) => w.rule === 'therapy-threshold' || w.rule === 'therapy-threshold-unknown');
    expect(kx?.message).toContain('$2,600');
    const without = (await (await api(s, '/api/preview', { session, course: { visitNumber: context.course.visitNumber } })).json()) as { warnings: { rule: string }[] };
    expect(without.warnings.some((w) => w.rule.startsWith('therapy-threshold'))).toBe(false);
  }, 60_000);
});
