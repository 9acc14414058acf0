import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEvent, Bundle } from 'fhir/r4.js';
import { PDFParse } from 'pdf-parse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendGateway, generateBackendKey } from '../../src/export/backend-gateway.js';
import { listFiles, sha256File } from '../../src/export/packet-files.js';
import { runExport, type ExportProgress } from '../../src/export/run-export.js';
import type { FhirGateway } from '../../src/fhir/client.js';
import { createJsonLogger } from '../../src/infra/logger.js';
import { loadBodyMap } from '../../src/profiles/load-body-map.js';
import { createSandbox, type RunningSandbox } from '../../src/sandbox/sandbox-server.js';
import { BackendServicesClient } from '../../src/smart/backend-services.js';
import type { Core } from '../../src/service/core.js';
import { testCore } from '../support/fixtures.js';

const manifestScopes = (await import('../../manifest.json', { with: { type: 'json' } })).default.scopes.backendServices;

let core: Core;
let sandbox: RunningSandbox;
let gateway: FhirGateway;
const logLines: string[] = [];
const today = new Date('2026-06-15T12:00:00Z');

beforeAll(async () => {
  core = await testCore();
  const key = await generateBackendKey();
  sandbox = await (
    await createSandbox({ core, logger: createJsonLogger(() => {}), today, auth: { appUrl: () => 'http://127.0.0.1:1', clients: () => [{ clientId: 'needlechart-backend', redirectUris: [], auth: 'private_key_jwt', jwks: { keys: [key.publicJwk] }, scopes: manifestScopes }] } })
  ).listen(0, '127.0.0.1');
  const backend = new BackendServicesClient({ fhirBaseUrl: sandbox.fhirBaseUrl, clientId: 'needlechart-backend', privateKey: key.privateKey, keyId: key.publicJwk.kid, scopes: manifestScopes });
  gateway = backendGateway(sandbox.fhirBaseUrl, backend, createJsonLogger((l) => logLines.push(l)));
}, 60_000);
afterAll(async () => {
  await sandbox?.close();
});

const packetDir = () => mkdtempSync(join(tmpdir(), 'nc-packet-'));
const logger = createJsonLogger((l) => logLines.push(l));

async function pdfText(path: string): Promise<string> {
  const parser = new PDFParse({ data: readFileSync(path) });
  try {
    return (await parser.getText()).text;
  } finally {
    await parser.destroy();
  }
}

describe('compliance export', () => {
  it.each(['search', 'bulk'] as const)('when every visit in a date range is exported (read by %s), then the packet holds a PDF and index row for each, the internal report a bundle, and both manifests hash every file', async (source) => {
    const out = packetDir();
    const result = await runExport({ gateway, core, bodyMap: loadBodyMap(), filters: { from: '2026-01-01', to: '2026-12-31' }, out, requestedBy: 'Jordan Compliance', client: 'needlechart-backend', logger, source });
    // 3 + 2 + 4 + 3 + 0 + 5 seeded earlier visits
    expect(result).toMatchObject({ visits: 17, patients: 5, skipped: 0, via: source });

    const payerIndex = readFileSync(join(out, 'index.csv'), 'utf8').trim().split('\r\n');
    expect(payerIndex[0]).toBe('date_of_service,patient_name,date_of_birth,mrn,member_id,performed_by,codes,payer,note_status,pages,pdf');
    expect(payerIndex).toHaveLength(18);
    expect(payerIndex.filter((row) => row.startsWith('20') && row.includes(',Maria Lopez,1984-03-12,MRN-MARIA-LOPEZ,SUB-MARIA-LOPEZ,"Alex Rivera, PT, DPT",'))).toHaveLength(3);
    expect(payerIndex.join('\n')).not.toMatch(/Patient\/|Encounter\/|readiness|[+-]\d{2}:\d{2}|T\d{2}:\d{2}/);
    const index = readFileSync(join(out, 'internal', 'index.csv'), 'utf8').trim().split('\r\n');
    expect(index[0]).toBe('date,patient,encounter,performer,muscle_count,codes,payer,readiness_score,pdf');
    expect(index).toHaveLength(18);
    const maria = index.filter((row) => row.includes('Patient/p-maria-lopez'));
    expect(maria).toHaveLength(3);
    expect(maria[0]).toContain(',3,20561-GP x1 (not billed); 97014-GP x1 (not billed),Commercial plan (dry needling investigational),');
    expect(maria[0]).toMatch(/,visits\/\d{4}-\d{2}-\d{2}_Lopez_MRN-MARIA-LOPEZ[^,]*\.pdf$/);
    const medicare = index.find((row) => row.includes('Patient/p-james-carter'));
    expect(medicare).toContain('20561-GP-GX x1');

    const bundle = JSON.parse(readFileSync(join(out, 'internal', 'patients', 'p-li-wei', 'bundle.json'), 'utf8')) as Bundle;
    expect(bundle.type).toBe('collection');
    expect(bundle.entry?.filter((e) => e.resource?.resourceType === 'Procedure')).toHaveLength(5);
    const ndjson = readFileSync(join(out, 'internal', 'resources.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { resourceType: string });
    expect(ndjson.filter((r) => r.resourceType === 'Procedure')).toHaveLength(17);

    const manifest = JSON.parse(readFileSync(join(out, 'internal', 'manifest.json'), 'utf8')) as { files: { path: string; sha256: string; bytes: number }[]; auditEvent: string; visits: number; retrieval: string };
    expect(manifest.visits).toBe(17);
    expect(manifest.retrieval).toBe(source === 'bulk' ? 'FHIR Bulk Data $export' : 'FHIR searches (paged)');
    // 17 visit records, the cover letter and the certification.
    expect(manifest.files.filter((f) => f.path.endsWith('.pdf'))).toHaveLength(19);
    // Every file of the folder but the two manifests is listed, once, with its hash and size as on disk.
    expect(manifest.files.map((f) => f.path)).toEqual((await listFiles(out)).filter((f) => f !== 'manifest.json' && f !== 'internal/manifest.json'));
    // The payer's manifest lists the payer's files only: nothing under internal/.
    const payerManifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { files: { path: string; sha256: string }[] };
    expect(payerManifest.files.map((f) => f.path)).toEqual((await listFiles(out)).filter((f) => f !== 'manifest.json' && !f.startsWith('internal/')));
    for (const file of payerManifest.files) expect(await sha256File(join(out, file.path)), file.path).toBe(file.sha256);
    for (const file of manifest.files) {
      expect(await sha256File(join(out, file.path)), file.path).toBe(file.sha256);
      expect(statSync(join(out, file.path)).size, file.path).toBe(file.bytes);
    }

    // The export's token may create AuditEvents but not read them: read it as the EHR sees it.
    const [, stored] = await sandbox.engine.execute({ method: 'GET', path: `/${manifest.auditEvent}` });
    const audit = stored as AuditEvent;
    expect(audit.type.code).toBe('110106');
    expect(audit.entity?.[0]?.detail?.find((d) => d.type === 'visits')?.valueString).toBe('17');
    expect(audit.agent[0]?.who?.display).toBe('Jordan Compliance');
  });

  it('when a visit PDF is read, then it shows the patient, codes with reasons, the policy, the record\'s history and the note, and no readiness findings', async () => {
    const out = packetDir();
    await runExport({ gateway, core, bodyMap: loadBodyMap(), filters: { from: '2026-01-01', to: '2026-12-31', patient: 'Patient/p-maria-lopez' }, out, requestedBy: 'Jordan Compliance', client: 'needlechart-backend', logger });
    const dir = join(out, 'visits');
    const pdf = readdirSync(dir).filter((f) => f.endsWith('.pdf')).sort()[0] ?? '';
    const text = await pdfText(join(dir, pdf));
    expect(text).toContain('Maria Lopez');
    expect(text).toContain('20561-GP x1');
    expect(text).toMatch(/distinct muscles? needled/);
    expect(text).toContain('2.01.100');
    expect(text).not.toMatch(/readiness|\/100/i);
    expect(text).toContain('History of this record');
    expect(text).toContain('Alex Rivera');
    expect(text).toContain('DRY NEEDLING TREATMENT NOTE');
    // Words for a payer reviewer: dates in words, fields by name, sources beside the reasons.
    expect(text).toMatch(/Date and time of service: \w+day, \w+ \d{1,2}, 2026, \d{1,2}:\d{2} [AP]M/);
    expect(text).toContain('Sources for the codes');
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    expect(text).not.toMatch(/\w+\[\d+\]|bill-payer|DOMAIN\.md|\bseed \d/);
    const cover = await pdfText(join(out, 'cover.pdf'));
    expect(cover).toContain('Jordan Compliance');
    expect(cover).toContain('of Maria Lopez');
    expect(cover).not.toMatch(/AuditEvent|Patient\/|FHIR|http/);
  });

  it.each([
    [{ code: '20560' as const }, 'search', 0],
    [{ code: '20561' as const }, 'bulk', 17],
    [{ payer: 'medicare' }, 'search', 7],
    [{ payer: 'medicare' }, 'bulk', 7],
    [{ performer: 'Practitioner/pt-chen' }, 'bulk', 0],
  ] as const)('when the export is filtered by %j (read by %s), then only matching visits are in it and the progress still reaches the end', async (filter, source, visits) => {
    const out = packetDir();
    let last: ExportProgress | undefined;
    const result = await runExport({ gateway, core, bodyMap: loadBodyMap(), filters: { from: '2026-01-01', to: '2026-12-31', ...filter }, out, requestedBy: 'x', client: 'needlechart-backend', logger, pdf: false, source, onProgress: (p) => (last = p) });
    expect(result.visits).toBe(visits);
    expect(readFileSync(join(out, 'index.csv'), 'utf8').trim().split('\r\n')).toHaveLength(visits + 1);
    expect(last?.phase).toBe('done');
    if (last?.total) expect(last.done + last.skipped + last.excluded).toBe(last.total);
    if ('payer' in filter) expect(last?.excluded).toBe(17 - visits);
  });

  it('when an export fails midway, then rerunning into the same folder completes it without duplicates and reuses finished visits', async () => {
    const out = packetDir();
    let seen = 0;
    const failing = runExport({
      gateway, core, bodyMap: loadBodyMap(), filters: { from: '2026-01-01', to: '2026-12-31' }, out, requestedBy: 'x', client: 'needlechart-backend', logger, concurrency: 1,
      onProgress: (p) => {
        seen = p.done;
        if (p.phase === 'visits' && p.done === 6) throw new Error('simulated crash');
      },
    });
    await expect(failing).rejects.toThrow('simulated crash');
    expect(seen).toBe(6);
    expect(existsSync(join(out, 'manifest.json'))).toBe(false);
    const result = await runExport({ gateway, core, bodyMap: loadBodyMap(), filters: { from: '2026-01-01', to: '2026-12-31' }, out, requestedBy: 'x', client: 'needlechart-backend', logger });
    expect(result.visits).toBe(17);
    expect(result.reused).toBe(6);
    const rows = readFileSync(join(out, 'index.csv'), 'utf8').trim().split('\r\n').slice(1);
    expect(new Set(rows).size).toBe(17);
    expect(rows).toHaveLength(17);
  });

  it.each([
    ['the whole year', { from: '2026-01-01', to: '2026-12-31' }],
    ['one month', { from: '2026-06-01', to: '2026-06-30' }],
    ['one payer', { from: '2026-01-01', to: '2026-12-31', payer: 'wa-lni' }],
  ])('when %s is read by Bulk Data and by searches, then both packets hold the same index rows, bundles and resources', async (_label, filters) => {
    const packets = [];
    for (const source of ['bulk', 'search'] as const) {
      const out = packetDir();
      const result = await runExport({ gateway, core, bodyMap: loadBodyMap(), filters, out, requestedBy: 'x', client: 'needlechart-backend', logger, pdf: false, source });
      expect(result.via).toBe(source);
      const bundles = readdirSync(join(out, 'internal', 'patients')).sort().map((id) => (JSON.parse(readFileSync(join(out, 'internal', 'patients', id, 'bundle.json'), 'utf8')) as Bundle).entry?.map((e) => e.fullUrl));
      packets.push({ payerIndex: readFileSync(join(out, 'index.csv'), 'utf8'), index: readFileSync(join(out, 'internal', 'index.csv'), 'utf8'), ndjson: readFileSync(join(out, 'internal', 'resources.ndjson'), 'utf8').split('\n').sort(), bundles });
    }
    expect(packets[0]).toEqual(packets[1]);
  });

  it('when a page of visits is exported by searches, then its patients cost one batch, not two requests each', async () => {
    const before = sandbox.requestLog.length;
    const result = await runExport({ gateway, core, bodyMap: loadBodyMap(), filters: { from: '2026-01-01', to: '2026-12-31' }, out: packetDir(), requestedBy: 'x', client: 'needlechart-backend', logger, pdf: false, source: 'search' });
    const log = sandbox.requestLog.slice(before).map((r) => `${r.method} ${r.path}`);
    expect(result.patients).toBe(5);
    // One Procedure page, one batch for its notes, observations and provenance, one for its five patients, the AuditEvent.
    expect(log.filter((l) => l.startsWith('GET /Patient') || l.startsWith('GET /Observation'))).toEqual([]);
    expect(log.filter((l) => l === 'POST /')).toHaveLength(2);
    expect(log.filter((l) => l.startsWith('GET /Procedure'))).toHaveLength(1);
  });

  it('when a rerun into a folder of all payers is filtered to one payer, then the packet holds only that payer\'s visits', async () => {
    const out = packetDir();
    await runExport({ gateway, core, bodyMap: loadBodyMap(), filters: { from: '2026-01-01', to: '2026-12-31' }, out, requestedBy: 'x', client: 'needlechart-backend', logger, pdf: false });
    const result = await runExport({ gateway, core, bodyMap: loadBodyMap(), filters: { from: '2026-01-01', to: '2026-12-31', payer: 'medicare' }, out, requestedBy: 'x', client: 'needlechart-backend', logger, pdf: false });
    expect(result).toMatchObject({ visits: 7, reused: 7 });
    const rows = readFileSync(join(out, 'index.csv'), 'utf8').trim().split('\r\n').slice(1);
    expect(rows).toHaveLength(7);
    expect(rows.every((r) => r.includes('Medicare'))).toBe(true);
    const records = (await listFiles(out)).filter((f) => f.endsWith('.json') && f.includes('/visits/'));
    expect(records).toHaveLength(7);
  });

  it('when a packet PDF was altered and leftovers lie in the folder, then a rerun remakes that PDF, removes the leftovers, and the manifest matches every file', async () => {
    const out = packetDir();
    const filters = { from: '2026-01-01', to: '2026-12-31', patient: 'Patient/p-li-wei' };
    await runExport({ gateway, core, bodyMap: loadBodyMap(), filters, out, requestedBy: 'x', client: 'needlechart-backend', logger });
    const dir = join(out, 'visits');
    const [first = ''] = readdirSync(dir).filter((f) => f.endsWith('.pdf')).sort();
    appendFileSync(join(dir, first), 'tampered');
    writeFileSync(join(dir, 'orphan_0000.pdf'), '%PDF-1.7 left by a crash before its record');
    writeFileSync(join(dir, 'x.json.123.part'), '{"half":');
    writeFileSync(join(out, 'request-letter.txt'), 'Payer request #42');
    const result = await runExport({ gateway, core, bodyMap: loadBodyMap(), filters, out, requestedBy: 'x', client: 'needlechart-backend', logger });
    expect(result).toMatchObject({ visits: 5, reused: 4 });
    expect(readFileSync(join(dir, first)).includes(Buffer.from('tampered'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith('orphan') || f.endsWith('.part'))).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(out, 'internal', 'manifest.json'), 'utf8')) as { files: { path: string; sha256: string }[] };
    expect(manifest.files.map((f) => f.path)).toEqual((await listFiles(out)).filter((f) => f !== 'manifest.json' && f !== 'internal/manifest.json'));
    expect(manifest.files.map((f) => f.path)).toContain('request-letter.txt');
    for (const file of manifest.files) expect(await sha256File(join(out, file.path)), file.path).toBe(file.sha256);
  });

  it('when the export runs, then the logs carry no patient name and no note text', () => {
    const log = logLines.join('\n');
    expect(log).toContain('export finished');
    expect(log).not.toMatch(/Maria|Lopez|Tolerated|trapezius|M79\.12/);
  });

  it('when the zip option is set, then a zip with every file is written beside the folder', async () => {
    const out = packetDir();
    const result = await runExport({ gateway, core, bodyMap: loadBodyMap(), filters: { from: '2026-01-01', to: '2026-12-31', patient: 'Patient/p-james-carter' }, out, requestedBy: 'x', client: 'needlechart-backend', logger, zip: true });
    expect(result.zip).toBe(`${out}.zip`);
    const zip = readFileSync(`${out}.zip`);
    expect(zip.subarray(0, 2).toString()).toBe('PK');
    expect(zip.includes(Buffer.from('manifest.json'))).toBe(true);
    expect(zip.includes(Buffer.from('cover.pdf'))).toBe(true);
  });

  it.each(['search', 'bulk'] as const)('when a dry-needling Procedure was charted by another system (read by %s), then it is listed in the internal not-included.csv and counted on the cover letter, not silently dropped', async (source) => {
    await sandbox.engine.execute({ method: 'PUT', path: '/Patient/p-elsewhere', body: { resourceType: 'Patient', id: 'p-elsewhere', name: [{ family: 'Elsewhere' }] } });
    await sandbox.engine.execute({ method: 'PUT', path: '/Procedure/pr-elsewhere', body: { resourceType: 'Procedure', id: 'pr-elsewhere', status: 'completed', subject: { reference: 'Patient/p-elsewhere' }, performedDateTime: '2026-05-05T10:00:00Z', code: { coding: [{ system: 'https://needlechart.dev/fhir/CodeSystem/procedure', code: 'dry-needling' }] } } });
    const out = packetDir();
    const result = await runExport({ gateway, core, bodyMap: loadBodyMap(), filters: { from: '2026-01-01', to: '2026-12-31' }, out, requestedBy: 'x', client: 'needlechart-backend', logger, source });
    expect(result).toMatchObject({ visits: 17, skipped: 1 });
    const rows = readFileSync(join(out, 'internal', 'not-included.csv'), 'utf8').trim().split('\r\n');
    expect(rows[0]).toBe('date,patient,encounter,procedure,reason');
    expect(rows.slice(1)).toHaveLength(1);
    expect(rows[1]).toMatch(/^2026-05-05T10:00:00Z,Patient\/p-elsewhere,,Procedure\/pr-elsewhere,Not charted with NeedleChart/);
    expect(await pdfText(join(out, 'cover.pdf'))).toMatch(/1 dry needling visit was documented outside this system; we will send its record\s+separately/);
    const manifest = JSON.parse(readFileSync(join(out, 'internal', 'manifest.json'), 'utf8')) as { files: { path: string }[] };
    expect(manifest.files.filter((f) => f.path === 'internal/not-included.csv')).toHaveLength(1);
  });

  it('when a Procedure charted by another system holds text starting with a formula character, then not-included.csv writes it as text a spreadsheet will not run', async () => {
    await sandbox.engine.execute({ method: 'PUT', path: '/Patient/p-formula', body: { resourceType: 'Patient', id: 'p-formula', name: [{ family: 'Formula' }] } });
    const procedure = { resourceType: 'Procedure', id: 'pr-formula', status: 'completed', subject: { reference: 'Patient/p-formula' }, encounter: { reference: '=HYPERLINK("http://evil.example","x")' }, performedDateTime: '2026-05-06T10:00:00Z', code: { coding: [{ system: 'https://needlechart.dev/fhir/CodeSystem/procedure', code: 'dry-needling' }] } };
    const [, , status] = await sandbox.engine.execute({ method: 'PUT', path: '/Procedure/pr-formula', body: procedure });
    expect(status).toBeLessThan(300);
    try {
      const out = packetDir();
      await runExport({ gateway, core, bodyMap: loadBodyMap(), filters: { from: '2026-01-01', to: '2026-12-31', patient: 'Patient/p-formula' }, out, requestedBy: 'x', client: 'needlechart-backend', logger, source: 'search' });
      const rows = readFileSync(join(out, 'internal', 'not-included.csv'), 'utf8').trim().split('\r\n');
      expect(rows[1]).toMatch(/^2026-05-06T10:00:00Z,Patient\/p-formula,"'=HYPERLINK\(""http:\/\/evil\.example"",""x""\)",Procedure\/pr-formula,Not charted/);
    } finally {
      await sandbox.engine.execute({ method: 'DELETE', path: '/Procedure/pr-formula' });
    }
  });
});
