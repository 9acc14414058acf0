import type { Procedure } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateBackendKey } from '../../src/export/backend-gateway.js';
import { bulkVisitPages } from '../../src/export/bulk-visit-source.js';
import { runExport } from '../../src/export/run-export.js';
import { FhirGateway, type BulkManifest } from '../../src/fhir/client.js';
import { loadBodyMap } from '../../src/profiles/load-body-map.js';
import { silentLogger } from '../../src/infra/logger.js';
import { createSandbox, type RunningSandbox } from '../../src/sandbox/sandbox-server.js';
import { BackendServicesClient } from '../../src/smart/backend-services.js';
import type { Core } from '../../src/service/core.js';
import { testCore } from '../support/fixtures.js';

const manifestScopes = (await import('../../manifest.json', { with: { type: 'json' } })).default.scopes.backendServices;

let core: Core;
let sandbox: RunningSandbox;
let token: string;
let narrowToken: string;

beforeAll(async () => {
  core = await testCore();
  const key = await generateBackendKey();
  sandbox = await (
    await createSandbox({ core, logger: silentLogger, today: new Date('2026-06-15T12:00:00Z'), auth: { appUrl: () => 'http://127.0.0.1:1', clients: () => [{ clientId: 'backend', redirectUris: [], auth: 'private_key_jwt', jwks: { keys: [key.publicJwk] }, scopes: manifestScopes }] } })
  ).listen(0, '127.0.0.1');
  const client = (scopes: readonly string[]) => new BackendServicesClient({ fhirBaseUrl: sandbox.fhirBaseUrl, clientId: 'backend', privateKey: key.privateKey, keyId: key.publicJwk.kid, scopes });
  token = await client(manifestScopes).accessToken();
  narrowToken = await client(['system/Procedure.rs']).accessToken();
}, 60_000);
afterAll(async () => {
  await sandbox?.close();
});

const kickOff = (query: string, headers: Record<string, string> = { prefer: 'respond-async', accept: 'application/fhir+json' }, bearer = token) =>
  fetch(`${sandbox.fhirBaseUrl}/$export${query}`, { headers: { ...headers, authorization: `Bearer ${bearer}` } });

async function completed(statusUrl: string): Promise<BulkManifest> {
  for (let i = 0; i < 50; i++) {
    const res = await fetch(statusUrl, { headers: { authorization: `Bearer ${token}` } });
    if (res.status === 200) return (await res.json()) as BulkManifest;
    expect(res.status).toBe(202);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('export did not complete');
}

const lines = async (url: string): Promise<{ resourceType: string; id: string }[]> => {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  expect(res.headers.get('content-type')).toContain('application/fhir+ndjson');
  return (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as { resourceType: string; id: string });
};

describe('the sandbox EHR as a Bulk Data 2.0 server', () => {
  it('when a client reads the CapabilityStatement, then it learns that system-level $export is offered', async () => {
    const caps = await (await fetch(`${sandbox.fhirBaseUrl}/metadata`)).json() as { instantiates?: string[]; rest: { operation?: { name: string }[] }[] };
    expect(caps.instantiates).toContain('http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data');
    expect(caps.rest[0]?.operation?.map((o) => o.name)).toContain('export');
  });

  it('when an export is kicked off, polled and read, then the manifest lists one NDJSON file per type with every resource of it, behind the token', async () => {
    const res = await kickOff('?_type=Procedure,Provenance');
    expect(res.status).toBe(202);
    const statusUrl = res.headers.get('content-location') ?? '';
    expect(statusUrl).toMatch(/\/\$export-status\//);
    const manifest = await completed(statusUrl);
    expect(manifest).toMatchObject({ requiresAccessToken: true, error: [] });
    expect(manifest.request).toContain('$export?_type=Procedure,Provenance');
    expect(Date.parse(manifest.transactionTime)).not.toBeNaN();
    expect(manifest.output.map((o) => o.type)).toEqual(['Procedure', 'Provenance']);
    const procedures = manifest.output[0];
    const [, all] = await sandbox.engine.execute({ method: 'GET', path: '/Procedure', query: { _count: '1000' } });
    const ids = ((all as { entry?: { resource: Procedure }[] }).entry ?? []).map((e) => e.resource.id).sort();
    const exported = await lines(procedures?.url ?? '');
    expect(exported.every((r) => r.resourceType === 'Procedure')).toBe(true);
    expect(exported.map((r) => r.id).sort()).toEqual(ids);
    expect(procedures?.count).toBe(ids.length);

    expect((await fetch(procedures?.url ?? '')).status).toBe(401);
    expect((await fetch(statusUrl, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } })).status).toBe(202);
    expect((await fetch(statusUrl, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
    expect((await fetch(procedures?.url ?? '', { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
  });

  it('when _typeFilter and _since are given, then only matching resources are exported', async () => {
    const filter = encodeURIComponent('Procedure?date=ge2026-06-01&patient=Patient/p-li-wei');
    const manifest = await completed((await kickOff(`?_type=Procedure&_typeFilter=${filter}`)).headers.get('content-location') ?? '');
    const exported = await lines(manifest.output[0]?.url ?? '');
    expect(exported.length).toBeGreaterThan(0);
    const [, found] = await sandbox.engine.execute({ method: 'GET', path: '/Procedure', query: { date: 'ge2026-06-01', patient: 'Patient/p-li-wei', _count: '1000' } });
    expect(exported.map((r) => r.id).sort()).toEqual(((found as { entry?: { resource: Procedure }[] }).entry ?? []).map((e) => e.resource.id).sort());
    const later = await completed((await kickOff(`?_type=Procedure&_since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).headers.get('content-location') ?? '');
    expect(later.output).toEqual([]);
  });

  it.each([
    ['no Prefer: respond-async', '?_type=Procedure', { accept: 'application/fhir+json' }, 400, /Prefer: respond-async/],
    ['an unsupported parameter', '?_type=Procedure&_elements=id', undefined, 400, /'_elements' is not supported/],
    ['a type it does not export', '?_type=Binary', undefined, 400, /_type 'Binary'/],
    ['an _outputFormat other than NDJSON', '?_outputFormat=text/csv', undefined, 400, /_outputFormat/],
    ['a _since that is not an instant', '?_since=yesterday', undefined, 400, /_since must be a FHIR instant/],
    ['a _typeFilter the server cannot run', `?_type=Procedure&_typeFilter=${encodeURIComponent('Procedure?reason-code=x')}`, undefined, 'later', /_typeFilter/],
  ])('when the kick-off has %s, then it is refused with an OperationOutcome naming the rule', async (_label, query, headers, status, rule) => {
    const res = await kickOff(query, headers);
    if (status === 'later') {
      // Refused once the job runs: the status URL answers with the error.
      const statusUrl = res.headers.get('content-location') ?? '';
      let poll = await fetch(statusUrl, { headers: { authorization: `Bearer ${token}` } });
      for (let i = 0; poll.status === 202 && i < 50; i++) poll = await fetch(statusUrl, { headers: { authorization: `Bearer ${token}` } });
      expect(poll.status).toBe(500);
      expect(JSON.stringify(await poll.json())).toMatch(rule);
      return;
    }
    expect(res.status).toBe(status);
    const body = (await res.json()) as { resourceType: string; issue: { diagnostics: string }[] };
    expect(body.resourceType).toBe('OperationOutcome');
    expect(body.issue[0]?.diagnostics).toMatch(rule);
  });

  it('when the token does not allow reading every exported type, then the kick-off is refused with 403', async () => {
    const res = await kickOff('?_type=Procedure,Observation', undefined, narrowToken);
    expect(res.status).toBe(403);
    expect(JSON.stringify(await res.json())).toMatch(/Observation/);
    expect((await kickOff('?_type=Procedure', undefined, narrowToken)).status).toBe(202);
    expect((await fetch(`${sandbox.fhirBaseUrl}/$export?_type=Procedure`, { headers: { prefer: 'respond-async' } })).status).toBe(401);
  });

  it('when NeedleChart exports through Bulk Data, then it sends no Procedure search and deletes the job when done', async () => {
    const gateway = new FhirGateway({ baseUrl: sandbox.fhirBaseUrl, logger: silentLogger, accessToken: () => token });
    expect(await gateway.offersBulkExport()).toBe(true);
    const before = sandbox.requestLog.length;
    const result = await runExport({ gateway, core, bodyMap: loadBodyMap(), filters: { from: '2026-01-01', to: '2026-12-31' }, out: mkdtempSync(join(tmpdir(), 'nc-bulk-packet-')), requestedBy: 'x', client: 'backend', logger: silentLogger, pdf: false });
    expect(result).toMatchObject({ via: 'bulk', visits: 17 });
    const log = sandbox.requestLog.slice(before).map((r) => `${r.method} ${r.path}`);
    expect(log.filter((l) => l.startsWith('GET /Procedure'))).toEqual([]);
    expect(log.filter((l) => l === 'GET /$export')).toHaveLength(1);
    const deleted = log.find((l) => l.startsWith('DELETE /$export-status/'));
    expect(deleted).toBeDefined();
    expect((await fetch(`${sandbox.fhirBaseUrl}${deleted?.slice('DELETE '.length) ?? ''}`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
  });

  it('when the export is for one patient, then NeedleChart uses a few searches instead of a Bulk Data job', async () => {
    const gateway = new FhirGateway({ baseUrl: sandbox.fhirBaseUrl, logger: silentLogger, accessToken: () => token });
    const before = sandbox.requestLog.length;
    const result = await runExport({ gateway, core, bodyMap: loadBodyMap(), filters: { from: '2026-01-01', to: '2026-12-31', patient: 'Patient/p-li-wei' }, out: mkdtempSync(join(tmpdir(), 'nc-bulk-packet-')), requestedBy: 'x', client: 'backend', logger: silentLogger, pdf: false });
    expect(result).toMatchObject({ via: 'search', visits: 5 });
    expect(sandbox.requestLog.slice(before).some((r) => r.path.startsWith('/$export'))).toBe(false);
  });

  it.each([
    ['read to the end', undefined],
    ['stopped by a failure after the first page', 'stop'],
  ])('when the Bulk Data source is %s, then its downloaded files and buckets are removed', async (_label, stop) => {
    const gateway = new FhirGateway({ baseUrl: sandbox.fhirBaseUrl, logger: silentLogger, accessToken: () => token });
    const parent = mkdtempSync(join(tmpdir(), 'nc-bulk-parent-'));
    const seen: string[] = [];
    const reading = (async () => {
      for await (const page of bulkVisitPages(gateway, { from: '2026-01-01', to: '2026-12-31' }, { pageSize: 4, tempParent: parent })) {
        seen.push(...page.visits.map((v) => v.procedure.id));
        expect(readdirSync(parent)).toHaveLength(1);
        if (stop) throw new Error('stopped');
      }
    })();
    if (stop) await expect(reading).rejects.toThrow('stopped');
    else await reading;
    expect(seen).toHaveLength(stop ? 4 : 17);
    expect(new Set(seen).size).toBe(seen.length);
    expect(readdirSync(parent)).toEqual([]);
  });

  it('when the join needs more buckets than it may open at once, then it reads the files in rounds and yields the same visits with the same resources', async () => {
    const gateway = new FhirGateway({ baseUrl: sandbox.fhirBaseUrl, logger: silentLogger, accessToken: () => token });
    const read = async (options: Parameters<typeof bulkVisitPages>[2]) => {
      const visits = new Map<string, string[]>();
      for await (const page of bulkVisitPages(gateway, { from: '2026-01-01', to: '2026-12-31' }, options)) {
        for (const v of page.visits) visits.set(v.procedure.id, [...v.observations, ...v.documents, ...v.provenance].map((r) => `${r.resourceType}/${r.id ?? ''}`).sort());
      }
      return visits;
    };
    const whole = await read({});
    // 17 visits, 2 a bucket: 9 buckets, 3 open at once: 3 rounds.
    const rounds = await read({ visitsPerBucket: 2, maxOpenBuckets: 3 });
    expect(whole.size).toBe(17);
    expect(new Map([...rounds].sort())).toEqual(new Map([...whole].sort()));
    expect([...whole.values()].every((resources) => resources.some((r) => r.startsWith('DocumentReference/')) && resources.some((r) => r.startsWith('Provenance/')))).toBe(true);
  });
});
