import type { Bundle, Resource } from 'fhir/r4.js';
import type { Resource as MedplumResource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningNeedleChart } from '../../src/runtime.js';
import { exampleSessions } from '../support/fixtures.js';
import { ehrLaunch } from '../support/launch.js';
import { newChart, sandboxOf, startTestNeedleChart } from '../support/sandbox.js';
import { usCoreProblems, usCoreProfiles } from '../support/us-core.js';

/**
 * What a save leaves in the EHR, read back from it, claims and meets US Core 6.1.0 as judged by a
 * validator we did not write (@medplum/core with the official package): every resource of every
 * example visit, a first save and an amendment.
 */
let nc: RunningNeedleChart;
beforeAll(async () => {
  ({ nc } = await startTestNeedleChart());
  usCoreProfiles();
}, 60_000);
afterAll(async () => {
  await nc.close();
});

const sandbox = () => sandboxOf(nc);

async function readBack(patient: string): Promise<Resource[]> {
  const search = async (type: string, query: Record<string, string>): Promise<Resource[]> => {
    const [, bundle] = await sandbox().engine.execute({ method: 'GET', path: `/${type}`, query: { ...query, _count: '200' } });
    return ((bundle as Bundle | undefined)?.entry ?? []).map((e) => e.resource as Resource);
  };
  const written = (await Promise.all(['Procedure', 'Observation', 'DocumentReference'].map((type) => search(type, { patient })))).flat();
  const targets = new Set(written.map((r) => `${r.resourceType}/${r.id}`));
  const provenance = (await search('Provenance', {})).filter((p) => (p as { target?: { reference?: string }[] }).target?.some((t) => targets.has(t.reference ?? '')));
  return [...written, ...provenance];
}

describe('US Core 6.1.0 conformance of what the EHR holds after a save', () => {
  for (const { file, session } of exampleSessions()) {
    it(`when ${file} is saved and then amended, then every resource read back from the EHR claims its US Core profile and the validator finds no error`, async () => {
      const chart = await newChart({ ...sandbox(), fhirBaseUrl: '' }, 'payer-acme-health', sandbox().engine, { serviceProvider: { reference: 'Organization/org-harbor-pt' } });
      // The example's performer signs in: a visit is saved only by its own clinician.
      const s = await ehrLaunch(sandbox().origin, { patient: chart.patient.replace('Patient/', ''), encounter: chart.encounter.replace('Encounter/', ''), practitioner: session.performer.reference });
      const save = (body: unknown) => fetch(`${nc.appUrl}/api/sessions`, { method: 'POST', headers: { cookie: s.cookie, 'x-launch-id': s.launchId, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const visit = { ...session, date: new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z') };
      const first = await save({ session: visit });
      expect(first.status).toBe(201);
      const { procedure } = (await first.json()) as { procedure: { id: string; versionId: string } };
      const amended = await save({ session: { ...visit, plan: `${visit.plan ?? 'Continue'} Reassess next visit.` }, amend: { procedureId: procedure.id, versionId: procedure.versionId } });
      expect(amended.status).toBe(200);
      const resources = await readBack(chart.patient);
      expect(resources.filter((r) => r.resourceType === 'Provenance')).toHaveLength(2);
      expect(resources.filter((r) => r.resourceType === 'DocumentReference')).toHaveLength(2);
      expect(resources.flatMap((r) => usCoreProblems(r as MedplumResource))).toEqual([]);
    });
  }
});
