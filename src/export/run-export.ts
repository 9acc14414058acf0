import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import yazl from 'yazl';
import type { FhirGateway } from '../fhir/client.js';
import type { Logger } from '../infra/logger.js';
import type { BodyMapData } from '../notes/body-map-svg.js';
import type { Core } from '../service/core.js';
import { exportAuditEvent } from './audit-event.js';
import type { ExportFilters } from './export-filters.js';
import { bulkVisitPages } from './bulk-visit-source.js';
import { assemblePacket, readVisitFile, type VisitFile } from './packet-assembly.js';
import { csvRow } from './csv-cell.js';
import { Directories, exists, inPool, PRIVATE_DIR, PRIVATE_FILE, readAhead, sha256File, writeAtomic } from './packet-files.js';
import { writeCoverPdf } from './pdf/cover-pdf.js';
import { defaultPdfWorkers, PdfPool } from './pdf/pdf-pool.js';
import { codesLine, sourceHash, summariseVisit } from './visit-summary.js';
import { PatientFacts, visitPages, type VisitPage, type VisitRecord } from './visit-source.js';

export interface ExportProgress {
  /** `waiting`: the EHR is preparing a Bulk Data export (`note` carries its X-Progress). */
  readonly phase: 'waiting' | 'visits' | 'finishing' | 'done';
  readonly note?: string;
  readonly done: number;
  readonly total?: number;
  readonly reused: number;
  readonly skipped: number;
  /** Visits of other payers than the payer filter asks for: read, and not in this packet. */
  readonly excluded: number;
  readonly perSecond: number;
  readonly etaSeconds?: number;
}

export interface ExportOptions {
  readonly gateway: FhirGateway;
  readonly core: Core;
  readonly bodyMap: BodyMapData;
  readonly filters: ExportFilters;
  readonly out: string;
  /** Who asked for the packet, as a person reads it (their name): on the cover, in the manifest and the AuditEvent. */
  readonly requestedBy: string;
  /** The verified fhirUser who asked (`Practitioner/<id>`), when a signed-in user did: the AuditEvent's requesting agent. */
  readonly requestedByReference?: string;
  /** Where the Bulk Data work files are kept while the export runs (default: the OS temp folder). */
  readonly tempDir?: string;
  /** The client the export runs as (Backend Services client id). */
  readonly client: string;
  readonly logger: Logger;
  readonly pdf?: boolean;
  readonly zip?: boolean;
  /** Visits worked on at once (default: twice the PDF workers, at least 4). */
  readonly concurrency?: number;
  /** Worker threads that render the visit PDFs (default: the machine's cores). */
  readonly pdfWorkers?: number;
  /** Visits per page of the Procedure search (default 50): one page and its related resources are held at a time. */
  readonly pageSize?: number;
  /**
   * How visits are read: `bulk`, FHIR Bulk Data `$export`; `search`, paged searches; `auto` (default),
   * Bulk Data when the EHR advertises it and the export is not for one patient (a few searches then).
   */
  readonly source?: 'auto' | 'search' | 'bulk';
  readonly onProgress?: (progress: ExportProgress) => void;
}

export interface ExportResult {
  readonly out: string;
  readonly visits: number;
  readonly patients: number;
  readonly reused: number;
  readonly skipped: number;
  readonly auditEvent: string;
  readonly files: number;
  readonly zip?: string;
  /** How the visits were read from the EHR. */
  readonly via: 'bulk' | 'search';
}

/**
 * Streams matching visits from the EHR into an audit-ready packet folder: one PDF and one record per
 * visit (written atomically as each completes), then index.csv, resources.ndjson and a FHIR
 * collection Bundle per patient rebuilt from those records, an AuditEvent written to the EHR, a cover
 * PDF and manifest.json with the SHA-256 of every file. Rerunning into the same folder skips visits
 * whose source digest is unchanged, so an interrupted export is completed without duplicates.
 */
export async function runExport(options: ExportOptions): Promise<ExportResult> {
  const { core, filters, out } = options;
  const pdf = options.pdf ?? true;
  // A fresh folder has nothing to resume, so the per-visit look-up of an earlier record (a failed open per visit) is skipped.
  const resuming = await exists(join(out, 'patients'));
  await mkdir(join(out, 'patients'), { recursive: true, mode: PRIVATE_DIR });
  const dirs = new Directories();
  const facts = new PatientFacts(options.gateway);
  /** Packet-relative paths of the visit records that belong to this packet. */
  const current = new Set<string>();
  let done = 0;
  let reused = 0;
  let skipped = 0;
  let excluded = 0;
  /** Dry-needling Procedures NeedleChart cannot read back (written by another system): listed so staff add them by hand. Few, so kept in memory. */
  const notIncluded: (string | number)[][] = [];
  let total: number | undefined;
  const started = performance.now();
  const report = (phase: ExportProgress['phase'], note?: string): void => {
    const elapsed = (performance.now() - started) / 1000;
    const perSecond = elapsed > 0 ? done / elapsed : 0;
    const left = total !== undefined ? Math.max(0, total - done - skipped - excluded) : undefined;
    options.onProgress?.({ phase, done, reused, skipped, excluded, perSecond, ...(note ? { note } : {}), ...(total !== undefined ? { total } : {}), ...(left !== undefined && perSecond > 0 ? { etaSeconds: left / perSecond } : {}) });
  };

  const source = options.source ?? 'auto';
  const via = source === 'bulk' || (source === 'auto' && !filters.patient && (await options.gateway.offersBulkExport())) ? 'bulk' : 'search';
  const pages =
    via === 'bulk'
      ? bulkVisitPages(options.gateway, filters, { ...(options.pageSize ? { pageSize: options.pageSize } : {}), ...(options.tempDir ? { tempParent: options.tempDir } : {}), onWaiting: (note) => report('waiting', note) })
      : visitPages(options.gateway, filters, options.pageSize);
  // PDFs are rendered on every core (PdfPool): pdfkit's work is synchronous and was the export's bottleneck.
  const pool = pdf ? new PdfPool({ size: options.pdfWorkers ?? defaultPdfWorkers(), bodyMap: options.bodyMap, profiles: core.profiles }) : undefined;
  const concurrency = options.concurrency ?? Math.max(4, 2 * (pool?.size ?? 0));
  try {
    for await (const page of readAhead(withPatientFacts(pages, facts))) {
      total ??= page.total;
      await inPool(page.visits, concurrency, async (record) => {
        const patientId = (record.procedure.subject.reference ?? '').split('/')[1] ?? 'unknown';
        const visitsDir = `patients/${patientId}/visits`;
        const base = `${visitsDir}/${(record.procedure.performedDateTime ?? '').slice(0, 10)}_${record.procedure.id}`;
        const recordPath = `${base}.json`;
        const previous = resuming ? await readVisitFile(join(out, recordPath)) : undefined;
        if (previous && (await reusable(previous, record, out, pdf))) {
          if (!filters.payer || previous.payer === filters.payer) {
            current.add(recordPath);
            done += 1;
            reused += 1;
          } else excluded += 1;
          report('visits');
          return;
        }
        const summary = summariseVisit(record, await facts.get(record.procedure.subject.reference ?? ''), core);
        if (!summary || (filters.payer && summary.session.payer !== filters.payer)) {
          if (!summary) {
            skipped += 1;
            notIncluded.push([record.procedure.performedDateTime ?? record.procedure.performedPeriod?.start ?? '', record.procedure.subject.reference ?? '', record.procedure.encounter?.reference ?? '', `Procedure/${record.procedure.id}`, NOT_INCLUDED_REASON]);
          } else excluded += 1;
          report('visits');
          return;
        }
        await dirs.make(join(out, visitsDir));
        const pdfPath = pdf ? `${base}.pdf` : undefined;
        const { resources: _resources, ...shown } = summary;
        const pdfDigest = pdfPath && pool ? await pool.render(join(out, pdfPath), shown) : undefined;
        const file: VisitFile = {
          procedureId: summary.procedureId,
          sourceHash: summary.sourceHash,
          payer: summary.session.payer,
          ...(pdfPath && pdfDigest ? { pdf: pdfPath, pdfSha256: pdfDigest.sha256, pdfBytes: pdfDigest.bytes } : {}),
          index: [summary.date, summary.patient, summary.encounter, summary.performer, summary.session.muscles.length, codesLine(summary.coding), summary.payerName, summary.readiness.score, pdfPath ?? ''],
          resources: summary.resources,
        };
        await writeAtomic(join(out, recordPath), JSON.stringify(file), dirs);
        current.add(recordPath);
        done += 1;
        report('visits');
      });
    }
  } finally {
    await pool?.close();
  }

  report('finishing');
  const fhirBase = options.gateway.baseUrl;
  const packet = await assemblePacket(out, current, fhirBase);
  const { visits, patients } = packet;

  const created = new Date().toISOString();
  const audit = await options.gateway.create(exportAuditEvent({ requestedBy: options.requestedBy, ...(options.requestedByReference ? { requestedByReference: options.requestedByReference } : {}), client: options.client, filters, visits, patients, recorded: created, version: core.version }));
  const auditRef = `AuditEvent/${audit.id ?? ''}`;

  const retrieval = via === 'bulk' ? 'FHIR Bulk Data $export' : 'FHIR searches (paged)';
  const cover = await writeCoverPdf(join(out, 'cover.pdf'), { requestedBy: options.requestedBy, filters, visits, patients, skipped, created, auditEvent: auditRef, fhirBase, retrieval, generator: core.generator, timeZone: core.timeZone });
  const notIncludedCsv = [NOT_INCLUDED_HEADER, ...notIncluded.sort((a, b) => String(a[0]).localeCompare(String(b[0])))].map(csvRow).join('');
  const notIncludedFile = { path: 'not-included.csv', ...(await writeAtomic(join(out, 'not-included.csv'), notIncludedCsv)) };
  const hashed = [...packet.files, { path: 'cover.pdf', ...cover }, notIncludedFile].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  await writeAtomic(join(out, 'manifest.json'), JSON.stringify({ packet: 'NeedleChart dry-needling record packet', generator: core.generator, created, requestedBy: options.requestedBy, ...(options.requestedByReference ? { requestedByReference: options.requestedByReference } : {}), filters, visits, patients, skipped, auditEvent: auditRef, sourceEhr: fhirBase, retrieval, files: hashed }, null, 2));
  options.logger.info('export finished', { visits, patients, reused, skipped, via, files: hashed.length + 1 });

  let zipPath: string | undefined;
  if (options.zip) {
    zipPath = `${out.replace(/\/+$/, '')}.zip`;
    const zip = new yazl.ZipFile();
    for (const { path } of [...hashed, { path: 'manifest.json' }]) zip.addFile(join(out, path), path);
    zip.end();
    await new Promise<void>((resolve, reject) => {
      const stream = createWriteStream(zipPath ?? '', { mode: PRIVATE_FILE });
      zip.outputStream.pipe(stream).on('close', () => resolve()).on('error', reject);
    });
  }
  report('done');
  return { out, visits, patients, reused, skipped, auditEvent: auditRef, files: hashed.length + 1, via, ...(zipPath ? { zip: zipPath } : {}) };
}

const NOT_INCLUDED_HEADER = ['date', 'patient', 'encounter', 'procedure', 'reason'];
const NOT_INCLUDED_REASON = 'Not charted with NeedleChart (or its payer policy is unknown here): add the EHR\'s own record of this visit by hand';

/**
 * Whether an earlier run's record of this visit can stand: the EHR's resources are unchanged (same
 * digest of ids and versions), and the PDF is there and still hashes to what was written when this
 * run makes PDFs, or there is none when it does not.
 */
async function reusable(previous: VisitFile, record: VisitRecord, out: string, pdf: boolean): Promise<boolean> {
  if (previous.sourceHash !== sourceHash(record) || previous.payer === undefined) return false;
  if (!pdf) return previous.pdf === undefined;
  if (!previous.pdf || !previous.pdfSha256) return false;
  return (await sha256File(join(out, previous.pdf)).catch(() => undefined)) === previous.pdfSha256;
}

/** Passes pages through once the facts of their patients are loaded, in one batch per page (PatientFacts.prefetch). */
async function* withPatientFacts(pages: AsyncIterable<VisitPage>, facts: PatientFacts): AsyncGenerator<VisitPage> {
  for await (const page of pages) {
    await facts.prefetch(page.visits.map((v) => v.procedure.subject.reference ?? ''));
    yield page;
  }
}
