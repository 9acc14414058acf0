import type { DocumentReference, Observation, Procedure, Provenance } from 'fhir/r4.js';
import { afterEach, describe, expect, it } from 'vitest';
import { bulkVisitPages } from '../../src/export/bulk-visit-source.js';
import { FhirGateway } from '../../src/fhir/client.js';
import { DRY_NEEDLING_CODE, PROCEDURE_SYSTEM } from '../../src/fhir/systems.js';
import { silentLogger } from '../../src/infra/logger.js';
import { startBulkDouble, type BulkDouble } from '../support/bulk-server-double.js';

const procedure = (id: string, date: string, extra: Partial<Procedure> = {}): Procedure => ({ resourceType: 'Procedure', id, status: 'completed', subject: { reference: 'Patient/p-1' }, performedDateTime: date, code: { coding: [{ system: PROCEDURE_SYSTEM, code: DRY_NEEDLING_CODE }] }, ...extra });
const observation = (id: string, visit: string): Observation => ({ resourceType: 'Observation', id, status: 'final', code: { text: 'pain' }, partOf: [{ reference: `Procedure/${visit}` }] });
const note = (id: string, visit: string): DocumentReference => ({ resourceType: 'DocumentReference', id, status: 'current', content: [], context: { related: [{ reference: `https://ehr.example.org/fhir/Procedure/${visit}` }] } });
const provenance = (id: string, visit: string): Provenance => ({ resourceType: 'Provenance', id, recorded: '2026-02-01T10:00:00Z', agent: [], target: [{ reference: `Procedure/${visit}/_history/2` }] });

const files = {
  // The server ignored _typeFilter: out-of-range, other-procedure and entered-in-error Procedures come back too.
  Procedure: [
    procedure('in-feb', '2026-02-01T10:00:00-05:00'),
    procedure('in-mar', '2026-03-01T10:00:00-05:00'),
    procedure('too-late', '2026-04-01T10:00:00-05:00'),
    procedure('error', '2026-02-02T10:00:00Z', { status: 'entered-in-error' }),
    procedure('knee-surgery', '2026-02-03T10:00:00Z', { code: { coding: [{ system: 'http://snomed.info/sct', code: '609588000' }] } }),
  ],
  Observation: [observation('o1', 'in-feb'), observation('o2', 'in-feb'), observation('o3', 'too-late'), { resourceType: 'Observation', id: 'vitals', status: 'final', code: { text: 'bp' } }],
  DocumentReference: [note('d1', 'in-feb'), note('d2', 'in-mar')],
  Provenance: [provenance('pv1', 'in-mar')],
  Patient: [{ resourceType: 'Patient', id: 'p-1' }],
};
const filters = { from: '2026-01-01', to: '2026-03-31' };

let double: BulkDouble | undefined;
afterEach(async () => {
  await double?.close();
  double = undefined;
});
const gatewayFor = (d: BulkDouble) => new FhirGateway({ baseUrl: d.fhirBaseUrl, logger: silentLogger, retries: 0 });

async function readAll(d: BulkDouble, options: Parameters<typeof bulkVisitPages>[2] = {}) {
  const visits = [];
  for await (const page of bulkVisitPages(gatewayFor(d), filters, options)) visits.push(...page.visits);
  return visits;
}

describe('the Bulk Data client against servers unlike the sandbox', () => {
  it('when the server ignores _typeFilter, then only the matching visits come out, each with exactly its own resources', async () => {
    double = await startBulkDouble({ files });
    const visits = await readAll(double);
    expect(visits.map((v) => v.procedure.id)).toEqual(['in-feb', 'in-mar']);
    const [feb, mar] = visits;
    expect(feb?.observations.map((o) => o.id).sort()).toEqual(['o1', 'o2']);
    expect(feb?.documents.map((d) => d.id)).toEqual(['d1']);
    expect(mar?.documents.map((d) => d.id)).toEqual(['d2']);
    expect(mar?.provenance.map((p) => p.id)).toEqual(['pv1']);
    // The kick-off asked for the visit types with the Procedure search as _typeFilter; the job was deleted after.
    const kickOff = new URL(double.requests[0]?.split(' ')[1] ?? '', 'http://x');
    expect(kickOff.searchParams.get('_type')).toBe('Procedure,Observation,DocumentReference,Provenance');
    expect(kickOff.searchParams.get('_typeFilter')).toContain('Procedure?code=');
    expect(double.requests.at(-1)).toBe('DELETE /fhir/status/1');
  });

  it('when the server reports progress over several polls, then each is passed on and its Retry-After is honoured', async () => {
    double = await startBulkDouble({ files, polls: [{ status: 202, progress: '10%', retryAfter: '0' }, { status: 202, progress: '60%' }] });
    const seen: (string | undefined)[] = [];
    const visits = await readAll(double, { onWaiting: (p) => seen.push(p) });
    expect(seen).toEqual(['10%', '60%']);
    expect(visits).toHaveLength(2);
    expect(double.requests.filter((r) => r === 'GET /fhir/status/1')).toHaveLength(3);
  });

  it('when the export job fails on the server, then the export stops with the server\'s reason and the job is deleted', async () => {
    double = await startBulkDouble({ files, polls: [{ status: 500, diagnostics: 'The export store is full' }] });
    await expect(readAll(double)).rejects.toThrow('The export store is full');
    expect(double.requests.at(-1)).toBe('DELETE /fhir/status/1');
  });

  it('when the manifest lists errors, then the export refuses an incomplete record', async () => {
    double = await startBulkDouble({ files, errors: true });
    await expect(readAll(double)).rejects.toThrow(/reported errors in 1 file\(s\): the record would be incomplete/);
    expect(double.requests.at(-1)).toBe('DELETE /fhir/status/1');
  });

  it('when the server never finishes, then the export gives up at its limit with a transient error', async () => {
    double = await startBulkDouble({ files, pollForever: true });
    const error = await readAll(double, { waitMs: 2000 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ transient: true, message: "The EHR's bulk export did not finish within 2 seconds" });
    expect(double.requests.at(-1)).toBe('DELETE /fhir/status/1');
  });
});
