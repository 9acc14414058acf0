import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import type { Bundle, DocumentReference } from 'fhir/r4.js';
import { PDFParse } from 'pdf-parse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendGateway, generateBackendKey } from '../../src/export/backend-gateway.js';
import { previewExport } from '../../src/export/export-preview.js';
import { runExport, type ExportProgress, type ExportResult } from '../../src/export/run-export.js';
import type { ExportFilters } from '../../src/export/export-filters.js';
import type { FhirGateway } from '../../src/fhir/client.js';
import { EXT } from '../../src/fhir/systems.js';
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
const logger = createJsonLogger(() => {});
const today = new Date('2026-06-15T12:00:00Z');
const REASON = 'Corrected the count of needles in the left upper trapezius';

/** Each zip entry's name and bytes (stored or deflated, as yazl writes them), read from the central directory. */
function zipEntries(zip: Buffer): Map<string, Buffer> {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extra = zip.readUInt16LE(at + 30);
    const comment = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(start, start + size);
    entries.set(name, method === 8 ? inflateRawSync(raw) : raw);
    at += 46 + nameLength + extra + comment;
  }
  return entries;
}

/** The text of each page of a PDF. */
async function pagesOf(pdf: Buffer): Promise<string[]> {
  const parser = new PDFParse({ data: pdf });
  try {
    return (await parser.getText()).pages.map((p) => p.text);
  } finally {
    await parser.destroy();
  }
}

async function notesOf(patient: string): Promise<DocumentReference[]> {
  const [, bundle] = await sandbox.engine.execute({ method: 'GET', path: '/DocumentReference', query: { patient, type: 'http://loinc.org|11506-3', _count: '100' } });
  return ((bundle as Bundle).entry ?? []).map((e) => e.resource as DocumentReference).sort((a, b) => (a.date ?? '').localeCompare(b.date ?? ''));
}

beforeAll(async () => {
  core = await testCore();
  const key = await generateBackendKey();
  sandbox = await (
    await createSandbox({ core, logger, today, auth: { appUrl: () => 'http://127.0.0.1:1', clients: () => [{ clientId: 'needlechart-backend', redirectUris: [], auth: 'private_key_jwt', jwks: { keys: [key.publicJwk] }, scopes: manifestScopes }] } })
  ).listen(0, '127.0.0.1');
  const backend = new BackendServicesClient({ fhirBaseUrl: sandbox.fhirBaseUrl, clientId: 'needlechart-backend', privateKey: key.privateKey, keyId: key.publicJwk.kid, scopes: manifestScopes });
  gateway = backendGateway(sandbox.fhirBaseUrl, backend, logger);

  // Maria Lopez's first visit: its signed note replaced by an addendum (the signed version kept, superseded).
  const [signed] = await notesOf('Patient/p-maria-lopez');
  if (!signed?.id) throw new Error('no seeded note');
  const { id, meta: _meta, identifier: _identifier, ...rest } = signed;
  const text = `${Buffer.from(signed.content[0]?.attachment.data ?? '', 'base64').toString('utf8')}\nADDENDUM: two needles, not one, in the left upper trapezius.`;
  await sandbox.engine.execute({ method: 'PUT', path: `/DocumentReference/${id}`, body: { ...signed, status: 'superseded' } });
  const [, , status] = await sandbox.engine.execute({
    method: 'POST', path: '/DocumentReference',
    body: { ...rest, status: 'current', docStatus: 'amended', date: new Date(Date.parse(signed.date ?? '') + 86_400_000).toISOString(), relatesTo: [{ code: 'replaces', target: { reference: `DocumentReference/${id}` } }], extension: [...(signed.extension ?? []), { url: EXT.addendumReason, valueString: REASON }], content: [{ attachment: { contentType: 'text/plain', data: Buffer.from(text).toString('base64') } }] },
  });
  if (status >= 300) throw new Error(`addendum not written: ${status}`);

  // James Carter's last visit: its note back to a draft (never signed).
  const carter = await notesOf('Patient/p-james-carter');
  const last = carter[carter.length - 1];
  if (!last?.id) throw new Error('no seeded note');
  const { authenticator: _authenticator, ...draft } = last;
  await sandbox.engine.execute({ method: 'PUT', path: `/DocumentReference/${last.id}`, body: { ...draft, docStatus: 'preliminary' } });
}, 60_000);
afterAll(async () => {
  await sandbox?.close();
});

async function exportPacket(filters: Partial<ExportFilters>, now?: Date): Promise<{ result: ExportResult; progress?: ExportProgress; payer: Map<string, Buffer>; internal: Map<string, Buffer> }> {
  const out = join(mkdtempSync(join(tmpdir(), 'nc-payer-')), 'packet');
  let progress: ExportProgress | undefined;
  const result = await runExport({ gateway, core, bodyMap: loadBodyMap(), filters: { from: '2026-01-01', to: '2026-12-31', ...filters }, out, requestedBy: 'Jordan Ellis', client: 'needlechart-backend', logger, zip: true, source: 'search', onProgress: (p) => (progress = p), ...(now ? { now: () => now } : {}) });
  return { result, ...(progress ? { progress } : {}), payer: zipEntries(readFileSync(result.zip ?? '')), internal: zipEntries(readFileSync(result.internalZip ?? '')) };
}

describe('the payer packet', () => {
  let maria: Awaited<ReturnType<typeof exportPacket>>;
  beforeAll(async () => {
    maria = await exportPacket({ patient: 'Patient/p-maria-lopez', requester: 'Medical Review Unit', requestReference: 'ADR-2026-0042' });
  }, 60_000);

  it('when a patient\'s visits are exported, then every page of every visit record carries the name, date of birth, MRN, member id, date of service and "Page x of y"', async () => {
    const visits = [...maria.payer.keys()].filter((name) => name.startsWith('visits/') && name.endsWith('.pdf'));
    expect(visits).toHaveLength(3);
    for (const name of visits) {
      const pages = await pagesOf(maria.payer.get(name) ?? Buffer.alloc(0));
      expect(pages.length, name).toBeGreaterThan(1);
      pages.forEach((page, i) => {
        expect(page, `${name} page ${i + 1}`).toMatch(/Patient: Maria Lopez/);
        expect(page).toContain('Date of birth: March 12, 1984');
        expect(page).toContain('MRN: MRN-MARIA-LOPEZ');
        expect(page).toContain('Member ID: SUB-MARIA-LOPEZ');
        expect(page).toMatch(/Date of service: \w+ \d{1,2}, 2026/);
        expect(page).toContain(`Page ${i + 1} of ${pages.length}`);
      });
    }
  });

  it('when the cover letter is read, then it names the requester, their reference, the dates, the payer, the visits and pages, and the clinic with its address and NPI', async () => {
    const [cover = ''] = await pagesOf(maria.payer.get('cover.pdf') ?? Buffer.alloc(0));
    expect(cover).toContain('Harbor Physical Therapy');
    expect(cover).toContain('1200 Harbor Way, Suite 3, Denver, CO 80202');
    expect(cover).toContain('NPI 1245319599');
    expect(cover).toContain('To: Medical Review Unit, Premera Blue Cross');
    expect(cover).toContain('Your reference: ADR-2026-0042');
    expect(cover.replace(/\s+/g, ' ')).toContain('records of 3 dry needling visits of Maria Lopez, with dates of service from January 1, 2026 to December 31, 2026, for Premera Blue Cross.');
    let pages = 0;
    for (const [name, bytes] of maria.payer) if (name.endsWith('.pdf')) pages += (await pagesOf(bytes)).length;
    expect(cover).toContain(`The packet has ${pages} pages in all`);
    expect(maria.result.pages).toBe(pages);
  });

  it('when the certification page is read, then it is for the custodian to complete (name, title, date, signature) and names the export\'s AuditEvent', async () => {
    const pages = await pagesOf(maria.payer.get('certification.pdf') ?? Buffer.alloc(0));
    expect(pages).toHaveLength(1);
    const [page = ''] = pages;
    expect(page).toContain('Certification of the custodian of records');
    expect(page).toMatch(/true and complete copies/);
    for (const label of ['Name:', 'Title:', 'Date:', 'Signature:']) expect(page).toContain(label);
    expect(page).toContain(`Export record number: ${maria.result.auditEvent.split('/')[1]}`);
    expect(page).toContain('Page 1 of 1');
  });

  it('when a note was amended, then its visit record prints the addendum with its reason and the superseded signed version, marked as such', async () => {
    const [first = ''] = [...maria.payer.keys()].filter((name) => name.endsWith('.pdf') && name.startsWith('visits/')).sort();
    const text = (await pagesOf(maria.payer.get(first) ?? Buffer.alloc(0))).join('\n');
    expect(text).toContain('Addendum');
    expect(text).toContain(REASON);
    expect(text).toContain('two needles, not one');
    expect(text).toMatch(/Signed note - superseded by a later version, kept as it was/);
    expect(text).toMatch(/Electronically signed by Alex Rivera/);
    const index = maria.payer.get('index.csv')?.toString('utf8') ?? '';
    expect(index).toContain('Signed, with addendum');
  });

  it('when the packet is read, then it holds the chart\'s plan of care and consent, the outcome scores, and no internal material at all', async () => {
    const all: string[] = [];
    for (const [name, bytes] of maria.payer) all.push(name.endsWith('.pdf') ? (await pagesOf(bytes)).join('\n') : bytes.toString('utf8'));
    const text = all.join('\n');
    expect(text).toContain('Documents from the chart');
    expect(text).toContain('Plan of care');
    expect(text).toContain('Consent to dry needling');
    expect(text).toContain('Outcome scores');
    expect(text).toMatch(/NDI/);
    expect(text).not.toMatch(/readiness|\/100\b|ERROR|consent\.obtained|\w+\.\w+\[\d+\]/i);
    expect(text).not.toMatch(/AuditEvent\/|Patient\/|Procedure\/|Encounter\/|Practitioner\//);
    expect(text).not.toMatch(/Bulk Data|Source EHR|127\.0\.0\.1|Payer policy|commercial-investigational|self-pay\b/);
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
  });

  it('when the packet is zipped, then the payer\'s zip holds only the letter, certification, index, manifest and visit PDFs, and the internal report is a zip of its own', () => {
    const names = [...maria.payer.keys()].sort();
    expect(names.filter((n) => !/^visits\/[^/]+\.pdf$/.test(n))).toEqual(['certification.pdf', 'cover.pdf', 'index.csv', 'manifest.json']);
    expect(names.some((n) => n.startsWith('internal/'))).toBe(false);
    const internal = [...maria.internal.keys()];
    expect(internal.every((n) => n.startsWith('internal/'))).toBe(true);
    expect(internal).toEqual(expect.arrayContaining(['internal/index.csv', 'internal/manifest.json', 'internal/resources.ndjson', 'internal/not-included.csv', 'internal/patients/p-maria-lopez/bundle.json']));
    expect(internal.filter((n) => /^internal\/visits\/p-maria-lopez\/.+\.json$/.test(n))).toHaveLength(3);
    expect(maria.internal.get('internal/index.csv')?.toString('utf8')).toContain('readiness_score');
  });
});

describe('unsigned notes', () => {
  it('when a visit\'s note was never signed, then it is left out of the packet and the cover letter says so', async () => {
    const { result, payer, progress } = await exportPacket({ patient: 'Patient/p-james-carter' });
    expect(result).toMatchObject({ visits: 1, unsigned: 1 });
    // The visit left out still counts towards the progress, which reaches the end.
    expect(progress).toMatchObject({ phase: 'done', done: 1, excluded: 1, total: 2 });
    const [cover = ''] = await pagesOf(payer.get('cover.pdf') ?? Buffer.alloc(0));
    expect(cover).toMatch(/1 visit in these dates has a note that is not yet signed and is not included/);
    expect([...payer.keys()].filter((n) => n.endsWith('.pdf') && n.startsWith('visits/'))).toHaveLength(1);
  });

  it('when drafts are asked for, then the unsigned visit is in the packet with DRAFT on every page, and the Medicare patient\'s ABN is in it', async () => {
    const { result, payer } = await exportPacket({ patient: 'Patient/p-james-carter', includeDrafts: true });
    expect(result).toMatchObject({ visits: 2, unsigned: 0 });
    const visits = [...payer.keys()].filter((n) => n.endsWith('.pdf') && n.startsWith('visits/')).sort();
    const draft = await pagesOf(payer.get(visits[1] ?? '') ?? Buffer.alloc(0));
    for (const page of draft) expect(page).toContain('DRAFT - NOT SIGNED');
    const signed = await pagesOf(payer.get(visits[0] ?? '') ?? Buffer.alloc(0));
    for (const page of signed) expect(page).not.toContain('DRAFT');
    expect(signed.join('\n')).toContain('Advance Beneficiary Notice of Noncoverage (ABN)');
    expect(payer.get('index.csv')?.toString('utf8')).toContain('Draft, not signed');
  });
});

describe('file names a reviewer recognises', () => {
  it('when a packet of every patient is zipped, then each visit PDF is named by date of service, family name and MRN, and no file name carries a FHIR id', async () => {
    const { payer, result } = await exportPacket({});
    const names = [...payer.keys()];
    const visits = names.filter((n) => n.startsWith('visits/')).sort();
    expect(visits).toHaveLength(result.visits);
    for (const name of visits) expect(name).toMatch(/^visits\/\d{4}-\d{2}-\d{2}_[A-Za-z-]+_MRN-[A-Z-]+(_\d+)?\.pdf$/);
    expect(visits).toContain(visits.find((n) => /_Lopez_MRN-MARIA-LOPEZ\.pdf$/.test(n)));
    expect(new Set(visits).size).toBe(visits.length);
    const ids = /[0-9a-f]{8}-|p-maria-lopez|p-james-carter|Patient\/|Procedure\//i;
    for (const name of names) expect(name).not.toMatch(ids);
    const index = payer.get('index.csv')?.toString('utf8') ?? '';
    expect(index).not.toMatch(ids);
    expect(index).toContain('Maria Lopez,1984-03-12,MRN-MARIA-LOPEZ');
  });
});

describe('the count shown before an export', () => {
  it.each([
    ['every patient', {}],
    ['one patient with an unsigned note', { patient: 'Patient/p-james-carter' }],
    ['one patient, drafts asked for', { patient: 'Patient/p-james-carter', includeDrafts: true }],
    ['one payer', { payer: 'medicare' }],
    ['one code', { code: '20561' as const }],
    ['one performer', { performer: 'Practitioner/pt-rivera' }],
  ])('when the filters ask for %s, then the preview counts exactly the visits and patients the packet holds', async (_what, filters: Partial<ExportFilters>) => {
    const full: ExportFilters = { from: '2026-01-01', to: '2026-12-31', ...filters };
    const preview = await previewExport(gateway, full, core);
    const { result, payer } = await exportPacket(filters);
    expect(preview.visits).toBeGreaterThan(0);
    expect(preview).toMatchObject({ visits: result.visits, patients: result.patients, unsigned: result.unsigned, notIncluded: result.skipped });
    const days = (payer.get('index.csv')?.toString('utf8') ?? '').trim().split('\n').slice(1).map((row) => row.slice(0, 10)).sort();
    expect(preview.firstDay).toBe(days[0]);
    expect(preview.lastDay).toBe(days[days.length - 1]);
  });
});

describe('the cover letter date', () => {
  it('when no clinic time zone is configured, then the letter is dated in the visits\' own offset, as the notes are, not in UTC', async () => {
    // 03:00 UTC on June 16 is 20:00 on June 15 at the sandbox clinic's -07:00.
    const { payer } = await exportPacket({ patient: 'Patient/p-maria-lopez' }, new Date('2026-06-16T03:00:00Z'));
    const [cover = ''] = await pagesOf(payer.get('cover.pdf') ?? Buffer.alloc(0));
    expect(cover).toContain('June 15, 2026');
    expect(cover).not.toContain('June 16, 2026');
  });

  it('when the clinic time zone is configured, then the letter is dated in it', async () => {
    const zoned = { ...core, timeZone: 'Pacific/Kiritimati' };
    const out = join(mkdtempSync(join(tmpdir(), 'nc-payer-')), 'packet');
    // 12:00 UTC on June 15 is already June 16 at UTC+14.
    const result = await runExport({ gateway, core: zoned, bodyMap: loadBodyMap(), filters: { from: '2026-01-01', to: '2026-12-31', patient: 'Patient/p-maria-lopez' }, out, requestedBy: 'Jordan Ellis', client: 'needlechart-backend', logger, zip: true, source: 'search', now: () => new Date('2026-06-15T12:00:00Z') });
    const [cover = ''] = await pagesOf(zipEntries(readFileSync(result.zip ?? '')).get('cover.pdf') ?? Buffer.alloc(0));
    expect(cover).toContain('June 16, 2026');
  });
});
