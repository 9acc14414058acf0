import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bundle, CapabilityStatement, OperationOutcome } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.js';

let t: TestSandbox;
beforeAll(async () => {
  t = await startTestSandbox();
});
afterAll(async () => {
  await t.sandbox.close();
});

const fhir = (path: string, init: RequestInit = {}) =>
  fetch(`${t.sandbox.fhirBaseUrl}${path}`, { ...init, headers: { 'content-type': 'application/fhir+json', ...(init.headers as Record<string, string> | undefined) } });

describe('the sandbox FHIR endpoint', () => {
  it('when /metadata is read, then it is an R4 CapabilityStatement that advertises batch and transaction', async () => {
    const res = await fhir('/metadata');
    const caps = (await res.json()) as CapabilityStatement;
    expect(caps.fhirVersion).toBe('4.0.1');
    expect(caps.rest?.[0]?.interaction?.map((i) => i.code).sort()).toEqual(['batch', 'transaction']);
    expect(caps.rest?.[0]?.resource?.map((r) => r.type)).toEqual(expect.arrayContaining(['Patient', 'Procedure', 'Observation', 'DocumentReference', 'Provenance']));
  });

  it('when a resource is created, then 201 with Location and ETag from its version', async () => {
    const res = await fhir('/Practitioner', { method: 'POST', body: JSON.stringify({ resourceType: 'Practitioner', name: [{ family: 'Created' }] }) });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { id: string; meta: { versionId: string } };
    expect(res.headers.get('location')).toBe(`${t.sandbox.fhirBaseUrl}/Practitioner/${body.id}/_history/${body.meta.versionId}`);
    expect(res.headers.get('etag')).toBe(`W/"${body.meta.versionId}"`);
    expect(res.headers.get('content-type')).toMatch(/application\/fhir\+json/);
  });

  it('when an update carries a stale If-Match, then 412 and the resource is unchanged', async () => {
    const created = (await (await fhir('/Practitioner', { method: 'POST', body: JSON.stringify({ resourceType: 'Practitioner', name: [{ family: 'Before' }] }) })).json()) as { id: string };
    const res = await fhir(`/Practitioner/${created.id}`, { method: 'PUT', headers: { 'if-match': 'W/"stale"' }, body: JSON.stringify({ resourceType: 'Practitioner', id: created.id, name: [{ family: 'After' }] }) });
    expect(res.status).toBe(412);
    expect(((await (await fhir(`/Practitioner/${created.id}`)).json()) as { name: { family: string }[] }).name[0]?.family).toBe('Before');
  });

  it('when a resource breaks the R4 schema, then 400 OperationOutcome naming each field', async () => {
    const res = await fhir('/Observation', { method: 'POST', body: JSON.stringify({ resourceType: 'Observation', status: 'done', colour: 'red' }) });
    expect(res.status).toBe(400);
    const outcome = (await res.json()) as OperationOutcome;
    expect(outcome.issue.map((i) => i.expression?.[0]).sort()).toEqual(['code', 'colour', 'status']);
  });

  it('when the body is not JSON, then 400 OperationOutcome', async () => {
    const res = await fhir('/Observation', { method: 'POST', body: '{"resourceType":' });
    expect(res.status).toBe(400);
  });

  it('when a search has more results than _count, then a next link pages through them', async () => {
    const first = (await (await fhir('/Procedure?patient=Patient/p-li-wei&_count=2')).json()) as Bundle;
    expect(first.total).toBe(5);
    expect(first.entry).toHaveLength(2);
    const next = first.link?.find((l) => l.relation === 'next')?.url ?? '';
    expect(next).toContain('_offset=2');
    const second = (await (await fetch(next)).json()) as Bundle;
    expect(second.entry?.map((e) => e.resource?.id)).not.toEqual(first.entry?.map((e) => e.resource?.id));
    expect(first.entry?.[0]?.fullUrl).toMatch(new RegExp(`^${t.sandbox.fhirBaseUrl}/Procedure/`));
  });

  it('when searching by date comparator and sorting, then only later visits come back, newest first', async () => {
    const all = (await (await fhir('/Procedure?patient=Patient/p-li-wei&_sort=date')).json()) as Bundle;
    const dates = all.entry?.map((e) => (e.resource as unknown as { performedDateTime: string }).performedDateTime) ?? [];
    expect(dates).toEqual([...dates].sort());
    const cutoff = dates[2]?.slice(0, 10) ?? '';
    const later = (await (await fhir(`/Procedure?patient=Patient/p-li-wei&date=ge${cutoff}&_sort=-date`)).json()) as Bundle;
    const laterDates = later.entry?.map((e) => (e.resource as unknown as { performedDateTime: string }).performedDateTime) ?? [];
    expect(laterDates).toEqual(dates.slice(2).reverse());
  });

  it("when the SMART launcher's encounter picker asks Encounter?patient=<bare id>&_sort:desc=date&_summary=true, then it gets the patient's encounters, newest first, as summaries marked SUBSETTED", async () => {
    const full = (await (await fhir('/Encounter?patient=Patient/p-maria-lopez&_count=100')).json()) as Bundle;
    const starts = new Map((full.entry ?? []).map((e) => [e.resource?.id ?? '', Date.parse((e.resource as unknown as { period: { start: string } }).period.start)]));
    expect(starts.size).toBeGreaterThan(1);
    const newestFirst = [...starts.keys()].sort((a, b) => (starts.get(b) ?? 0) - (starts.get(a) ?? 0));

    const res = await fhir('/Encounter?patient=p-maria-lopez&_sort:desc=date&_summary=true');
    expect(res.status).toBe(200);
    const picker = (await res.json()) as Bundle;
    expect(picker.total).toBe(starts.size);
    expect(picker.entry?.map((e) => e.resource?.id)).toEqual(newestFirst);
    for (const e of picker.entry ?? []) {
      expect(e.resource?.meta?.tag).toContainEqual(expect.objectContaining({ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' }));
      // In the R4 Encounter definition, type and participant are summary elements and period is not.
      expect(e.resource).toHaveProperty('type');
      expect(e.resource).toHaveProperty('participant');
      expect(e.resource).not.toHaveProperty('period');
    }
  });

  it('when a reference is written as a bare id, as Type/id or as an absolute URL on this server, then each finds the same encounters', async () => {
    const forms = ['p-maria-lopez', 'Patient/p-maria-lopez', `${t.sandbox.fhirBaseUrl}/Patient/p-maria-lopez`];
    const found = await Promise.all(forms.map(async (f) => ((await (await fhir(`/Encounter?patient=${encodeURIComponent(f)}&_sort=-date`)).json()) as Bundle).entry?.map((e) => e.resource?.id)));
    expect(found[0]?.length).toBeGreaterThan(1);
    expect(found[1]).toEqual(found[0]);
    expect(found[2]).toEqual(found[0]);
  });

  it("when the SMART launcher's patient picker searches by part of a name, sorted by family name, then the patient is listed as a summary", async () => {
    const res = await fhir('/Patient?name:contains=lop&_format=json&_summary=true&_count=10&_sort:desc=family&_sort:asc=');
    expect(res.status).toBe(200);
    const bundle = (await res.json()) as Bundle;
    expect(bundle.entry?.map((e) => e.resource?.id)).toContain('p-maria-lopez');
    expect(bundle.entry?.[0]?.resource?.meta?.tag).toContainEqual(expect.objectContaining({ code: 'SUBSETTED' }));
  });

  it('when a search names parameters the sandbox does not support, then 400 with an OperationOutcome naming each; with Prefer: handling=lenient, then they are ignored and reported', async () => {
    const query = '/Encounter?patient=p-maria-lopez&reason-code=x&_include=Encounter:subject';
    const refused = await fhir(query);
    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toMatch(/application\/fhir\+json/);
    expect(((await refused.json()) as OperationOutcome).issue.map((i) => [i.code, i.expression?.[0]])).toEqual([['not-supported', 'reason-code'], ['not-supported', '_include']]);

    const lenient = await fhir(query, { headers: { prefer: 'handling=lenient' } });
    expect(lenient.status).toBe(200);
    const bundle = (await lenient.json()) as Bundle;
    expect(bundle.entry?.filter((e) => e.search?.mode === 'match').length).toBe(bundle.total);
    expect(bundle.entry?.at(-1)).toMatchObject({ search: { mode: 'outcome' }, resource: { resourceType: 'OperationOutcome' } });
    expect(bundle.link?.find((l) => l.relation === 'self')?.url).not.toMatch(/reason-code|_include/);
  });

  it('when a batch holds a search the sandbox refuses, then that entry answers 400 with its OperationOutcome and the others answer 200', async () => {
    const batch = { resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url: 'Encounter?patient=p-maria-lopez' } }, { request: { method: 'GET', url: 'Encounter?colour=red' } }] };
    const res = (await (await fhir('/', { method: 'POST', body: JSON.stringify(batch) })).json()) as Bundle;
    expect(res.entry?.map((e) => e.response?.status)).toEqual(['200', '400']);
    expect(res.entry?.[1]?.response?.outcome).toMatchObject({ issue: [{ code: 'not-supported', expression: ['colour'] }] });
  });

  it('when a resource is updated, then vread and history return each version', async () => {
    const created = (await (await fhir('/Practitioner', { method: 'POST', body: JSON.stringify({ resourceType: 'Practitioner', name: [{ family: 'V1' }] }) })).json()) as { id: string; meta: { versionId: string } };
    const updated = (await (await fhir(`/Practitioner/${created.id}`, { method: 'PUT', headers: { 'if-match': `W/"${created.meta.versionId}"` }, body: JSON.stringify({ resourceType: 'Practitioner', id: created.id, name: [{ family: 'V2' }] }) })).json()) as { meta: { versionId: string } };
    const v1 = (await (await fhir(`/Practitioner/${created.id}/_history/${created.meta.versionId}`)).json()) as { name: { family: string }[] };
    expect(v1.name[0]?.family).toBe('V1');
    const history = (await (await fhir(`/Practitioner/${created.id}/_history`)).json()) as Bundle;
    expect(history.entry?.map((e) => e.resource?.meta?.versionId).sort()).toEqual([created.meta.versionId, updated.meta.versionId].sort());
  });

  it('when SMART discovery is asked before an authorization server is attached, then 404 OperationOutcome', async () => {
    expect((await fhir('/.well-known/smart-configuration')).status).toBe(404);
  });

  it('when an unknown path is asked, then an OperationOutcome error, not a crash', async () => {
    const res = await fhir('/NotAType/123');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(((await res.json()) as OperationOutcome).resourceType).toBe('OperationOutcome');
    expect((await fhir('/metadata')).status).toBe(200);
  });
});

describe('keeping the sandbox data (NEEDLECHART_SANDBOX_DATA)', () => {
  it('when the sandbox restarts on the same data file, then what was written is still there and nothing is seeded twice', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'nc-sandbox-')), 'data.json');
    const first = await startTestSandbox({ dataFile: file });
    const created = (await (await fetch(`${first.sandbox.fhirBaseUrl}/Practitioner`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify({ resourceType: 'Practitioner', name: [{ family: 'Kept' }] }) })).json()) as { id: string };
    const patientsBefore = (await first.gateway.searchAll('Patient', { _count: '100' })).length;
    await first.sandbox.close();

    const second = await startTestSandbox({ dataFile: file });
    try {
      const kept = await second.gateway.read('Practitioner', created.id);
      expect(kept).toMatchObject({ name: [{ family: 'Kept' }] });
      expect((await second.gateway.searchAll('Patient', { _count: '100' })).length).toBe(patientsBefore);
    } finally {
      await second.sandbox.close();
    }
  });

  /** `needlechart sandbox --open --data FILE` as its own process (the bin a developer runs). */
  function sandboxProcess(file: string): { child: ChildProcess; base: Promise<string>; exited: Promise<unknown> } {
    const bin = fileURLToPath(new URL('../../bin/needlechart.js', import.meta.url));
    const child = spawn(process.execPath, [bin, 'sandbox', '--port', '0', '--open', '--data', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const base = new Promise<string>((resolve, reject) => {
      child.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0] ?? '');
      });
      void exited.then(() => reject(new Error(`the sandbox exited before it listened:\n${out}\n${err}`)));
    });
    return { child, base, exited };
  }

  it('when the sandbox process is killed (SIGKILL) right after acknowledging writes, then on restart with the same data file every acknowledged write is there', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'nc-sandbox-')), 'data.json');
    const first = sandboxProcess(file);
    const base = await first.base;
    const write = (method: string, path: string, body: unknown) => fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(body) });
    const createdRes = await write('POST', '/Practitioner', { resourceType: 'Practitioner', name: [{ family: 'Acknowledged' }] });
    expect(createdRes.status).toBe(201);
    const created = (await createdRes.json()) as { id: string };
    expect((await write('PUT', `/Practitioner/${created.id}`, { resourceType: 'Practitioner', id: created.id, name: [{ family: 'Updated' }] })).status).toBe(200);
    const doomed = (await (await write('POST', '/Practitioner', { resourceType: 'Practitioner', name: [{ family: 'Deleted' }] })).json()) as { id: string };
    expect((await fetch(`${base}/Practitioner/${doomed.id}`, { method: 'DELETE' })).ok).toBe(true);
    const transaction = await write('POST', '/', { resourceType: 'Bundle', type: 'transaction', entry: [{ request: { method: 'PUT', url: 'Organization/org-durable' }, resource: { resourceType: 'Organization', id: 'org-durable', name: 'Written by a transaction' } }] });
    expect(transaction.status).toBe(200);
    first.child.kill('SIGKILL');
    await first.exited;

    const second = sandboxProcess(file);
    try {
      const read = async (path: string) => {
        const res = await fetch(`${await second.base}${path}`);
        return { status: res.status, body: (await res.json()) as { name?: unknown } };
      };
      expect(await read(`/Practitioner/${created.id}`)).toMatchObject({ status: 200, body: { name: [{ family: 'Updated' }] } });
      expect((await read(`/Practitioner/${doomed.id}`)).status).toBeGreaterThanOrEqual(404);
      expect(await read('/Organization/org-durable')).toMatchObject({ status: 200, body: { name: 'Written by a transaction' } });
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  }, 180_000);
});
