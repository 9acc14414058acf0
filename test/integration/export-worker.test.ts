import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateBackendKey } from '../../src/export/backend-gateway.js';
import { runExportInWorker } from '../../src/export/run-export-in-worker.js';
import { createJsonLogger } from '../../src/infra/logger.js';
import { createSandbox, type RunningSandbox } from '../../src/sandbox/sandbox-server.js';
import { BackendServicesClient } from '../../src/smart/backend-services.js';
import { testCore } from '../support/fixtures.js';

const manifestScopes = (await import('../../manifest.json', { with: { type: 'json' } })).default.scopes.backendServices;

let sandbox: RunningSandbox;
let backend: BackendServicesClient;
beforeAll(async () => {
  const core = await testCore();
  const key = await generateBackendKey();
  sandbox = await (
    await createSandbox({ core, logger: createJsonLogger(() => {}), today: new Date('2026-06-15T12:00:00Z'), auth: { appUrl: () => 'http://127.0.0.1:1', clients: () => [{ clientId: 'needlechart-backend', redirectUris: [], auth: 'private_key_jwt', jwks: { keys: [key.publicJwk] }, scopes: manifestScopes }] } })
  ).listen(0, '127.0.0.1');
  backend = new BackendServicesClient({ fhirBaseUrl: sandbox.fhirBaseUrl, clientId: 'needlechart-backend', privateKey: key.privateKey, keyId: key.publicJwk.kid, scopes: manifestScopes });
}, 60_000);
afterAll(async () => {
  await sandbox?.close();
});

describe('the export in a worker thread (web app exports)', () => {
  it('when an export runs in the worker, then it asks this thread for each token, reports progress and logs here, and writes the whole packet', async () => {
    let tokenRequests = 0;
    const credentials = { accessToken: () => ((tokenRequests += 1), backend.accessToken()), invalidate: () => backend.invalidate() };
    const lines: string[] = [];
    const phases = new Set<string>();
    const out = join(mkdtempSync(join(tmpdir(), 'nc-worker-')), 'packet');
    const result = await runExportInWorker({
      fhirBaseUrl: sandbox.fhirBaseUrl,
      timeoutMs: 30_000,
      coreOptions: {},
      credentials,
      logger: createJsonLogger((l) => lines.push(l)),
      export: { filters: { from: '2026-01-01', to: '2026-12-31' }, out, requestedBy: 'Jordan Compliance', client: 'needlechart-backend', zip: true },
      onProgress: (p) => phases.add(p.phase),
    });
    expect(result).toMatchObject({ visits: 17, patients: 5, via: 'bulk' });
    expect(tokenRequests).toBeGreaterThan(0);
    expect([...phases]).toEqual(expect.arrayContaining(['visits', 'finishing', 'done']));
    expect(existsSync(`${out}.zip`)).toBe(true);
    expect(readFileSync(join(out, 'index.csv'), 'utf8').trim().split('\r\n')).toHaveLength(18);
    const log = lines.join('\n');
    expect(log).toContain('export finished');
    expect(log).not.toMatch(/Maria|Lopez|Bearer|eyJ/);
  });

  it('when the export outgrows the worker\'s memory limit, then it fails with a clear error and this thread carries on', async () => {
    const error = await runExportInWorker({
      fhirBaseUrl: sandbox.fhirBaseUrl,
      timeoutMs: 30_000,
      coreOptions: {},
      credentials: backend,
      logger: createJsonLogger(() => {}),
      export: { filters: { from: '2026-01-01', to: '2026-12-31' }, out: join(mkdtempSync(join(tmpdir(), 'nc-worker-')), 'packet'), requestedBy: 'x', client: 'needlechart-backend' },
      heapMb: 4,
    }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/ran out of its 4 MB of memory|stopped unexpectedly/);
    expect(await (await fetch(`${sandbox.fhirBaseUrl}/metadata`)).json()).toMatchObject({ resourceType: 'CapabilityStatement' });
  });

  it('when the export is stopped (NeedleChart shutting down), then the worker is ended before the promise settles and writes nothing more', async () => {
    const stop = new AbortController();
    const out = join(mkdtempSync(join(tmpdir(), 'nc-worker-')), 'packet');
    const error = await runExportInWorker({
      fhirBaseUrl: sandbox.fhirBaseUrl,
      timeoutMs: 30_000,
      coreOptions: {},
      credentials: backend,
      logger: createJsonLogger(() => {}),
      signal: stop.signal,
      export: { filters: { from: '2026-01-01', to: '2026-12-31' }, out, requestedBy: 'x', client: 'needlechart-backend', zip: true, source: 'search' },
      onProgress: (p) => {
        if (p.phase === 'visits') stop.abort();
      },
    }).catch((e: unknown) => e as Error);
    expect((error as Error).message).toBe('The export was stopped because NeedleChart is shutting down');
    const files = () => (existsSync(out) ? readdirSync(out, { recursive: true }).length : 0);
    const now = files();
    await new Promise((r) => setTimeout(r, 500));
    expect(files()).toBe(now);
    expect(existsSync(`${out}.zip`)).toBe(false);
  });

  it('when the EHR refuses the export, then the worker\'s failure comes back as the EHR\'s reason', async () => {
    const error = await runExportInWorker({
      fhirBaseUrl: sandbox.fhirBaseUrl,
      timeoutMs: 30_000,
      coreOptions: {},
      credentials: { accessToken: async () => 'not-a-token', invalidate: () => {} },
      logger: createJsonLogger(() => {}),
      export: { filters: { from: '2026-01-01', to: '2026-12-31' }, out: join(mkdtempSync(join(tmpdir(), 'nc-worker-')), 'packet'), requestedBy: 'x', client: 'needlechart-backend' },
    }).catch((e: unknown) => e as Error);
    expect((error as Error).message).toMatch(/access token is not valid/);
  });
});
