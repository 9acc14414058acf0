import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Patient } from 'fhir/r4.js';
import { displayZone } from '../domain/human-dates.js';
import type { FhirGateway } from '../fhir/client.js';
import type { Logger } from '../infra/logger.js';
import type { BodyMapData } from '../notes/body-map-svg.js';
import { coreData, type Core } from '../service/core.js';
import { exportAuditEvent } from './audit-event.js';
import type { ExportFilters } from './export-filters.js';
import { bulkVisitPages } from './bulk-visit-source.js';
import { assemblePacket, INTERNAL_DIR, readVisitFile, VISITS_DIR, type VisitFile } from './packet-assembly.js';
import { byPath, readClinic, writeZip } from './packet-finish.js';
import { writeCertificationPdf } from './pdf/certification-pdf.js';
import { csvRow } from './csv-cell.js';
import { Directories, exists, inPool, PRIVATE_DIR, readAhead, sha256File, writeAtomic } from './packet-files.js';
import { COVER_PAGES, letterDate, writeCoverPdf } from './pdf/cover-pdf.js';
import { sourceHash } from './visit-summary.js';
import { defaultVisitWorkers, VisitPool } from './visit-pool.js';
import { writeVisit, type VisitTask } from './write-visit.js';
import { visitFileStem, VisitFileNames } from './visit-file-name.js';
import { serviceDay } from './service-day.js';
import { selectVisit } from './visit-selection.js';
import { PatientFacts, visitPages, type VisitPage, type VisitRecord } from './visit-source.js';

export interface ExportProgress {
  /** `waiting`: the EHR is preparing a Bulk Data export (`note` carries its X-Progress). */
  readonly phase: 'waiting' | 'visits' | 'finishing' | 'done';
  readonly note?: string;
  readonly done: number;
  readonly total?: number;
  readonly reused: number;
  readonly skipped: number;
  /** Visits of other payers than the payer filter asks for, and visits whose note is not signed (unless drafts are asked for): read, and not in this packet. */
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
  /** Visits worked on at once (default: twice the visit workers, at least 4). */
  readonly concurrency?: number;
  /** Worker threads that summarise the visits and render their PDFs, when the export makes PDFs (default: the machine's cores). */
  readonly visitWorkers?: number;
  /** Visits per page of the Procedure search (default 50): one page and its related resources are held at a time. */
  readonly pageSize?: number;
  /**
   * How visits are read: `bulk`, FHIR Bulk Data `$export`; `search`, paged searches; `auto` (default),
   * Bulk Data when the EHR advertises it and the export is not for one patient (a few searches then).
   */
  readonly source?: 'auto' | 'search' | 'bulk';
  readonly onProgress?: (progress: ExportProgress) => void;
  /** When the packet is made (default: now): the cover letter's date and the manifests' time. */
  readonly now?: () => Date;
}

export interface ExportResult {
  readonly out: string;
  readonly visits: number;
  readonly patients: number;
  readonly reused: number;
  readonly skipped: number;
  readonly auditEvent: string;
  readonly files: number;
  /** The payer packet's zip: no internal/ material in it. */
  readonly zip?: string;
  /** The internal report's zip (internal/), for compliance staff only. */
  readonly internalZip?: string;
  /** Visits left out because their note is not signed. */
  readonly unsigned: number;
  /** Pages of the payer packet (cover letter, certification and visit records). */
  readonly pages: number;
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
  const resuming = await exists(join(out, INTERNAL_DIR, 'visits'));
  await mkdir(join(out, VISITS_DIR), { recursive: true, mode: PRIVATE_DIR });
  await mkdir(join(out, INTERNAL_DIR, 'visits'), { recursive: true, mode: PRIVATE_DIR });
  const dirs = new Directories();
  const facts = new PatientFacts(options.gateway);
  /** Packet-relative paths of the visit records that belong to this packet. */
  const current = new Set<string>();
  /** The visit PDFs' names in this packet, each held by one visit. */
  const fileNames = new VisitFileNames();
  let done = 0;
  let reused = 0;
  let skipped = 0;
  let excluded = 0;
  let unsigned = 0;
  /** The payers (by name) and clinic of the visits in the packet, for the cover letter. */
  const payerNames = new Set<string>();
  let clinicRef: string | undefined;
  let patientName: string | undefined;
  /** The latest visit's date-time as charted: without a clinic time zone, the cover letter is dated in its offset, as the notes are. */
  let latestVisit: string | undefined;
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

  const noteForCover = (payerDisplay: string | undefined, clinic: string | undefined, name: string | number | undefined, date: string | number | undefined): void => {
    if (payerDisplay) payerNames.add(payerDisplay);
    if (typeof date === 'string' && (!latestVisit || date > latestVisit)) latestVisit = date;
    clinicRef ??= clinic;
    if (filters.patient && typeof name === 'string') patientName = name;
  };

  const source = options.source ?? 'auto';
  const via = source === 'bulk' || (source === 'auto' && !filters.patient && (await options.gateway.offersBulkExport())) ? 'bulk' : 'search';
  const pages =
    via === 'bulk'
      ? bulkVisitPages(options.gateway, filters, { ...(options.pageSize ? { pageSize: options.pageSize } : {}), ...(options.tempDir ? { tempParent: options.tempDir } : {}), onWaiting: (note) => report('waiting', note) })
      : visitPages(options.gateway, filters, options.pageSize);
  // Visits with PDFs are written on every core (VisitPool): pdfkit's work and the summaries are synchronous and were the export's bottleneck.
  const pool = pdf ? new VisitPool({ size: options.visitWorkers ?? defaultVisitWorkers(), bodyMap: options.bodyMap, core: coreData(core) }) : undefined;
  const concurrency = options.concurrency ?? Math.max(4, 2 * (pool?.size ?? 0));
  try {
    for await (const page of readAhead(withPatientFacts(pages, facts))) {
      total ??= page.total;
      await inPool(page.visits, concurrency, async (record) => {
        const patientId = (record.procedure.subject.reference ?? '').split('/')[1] ?? 'unknown';
        const name = `${(record.procedure.performedDateTime ?? '').slice(0, 10)}_${record.procedure.id}`;
        const recordPath = `${INTERNAL_DIR}/visits/${patientId}/${name}.json`;
        const previous = resuming ? await readVisitFile(join(out, recordPath)) : undefined;
        // An earlier record is reused only with its PDF in the visits folder under a name no other visit of this packet holds.
        if (previous && (!previous.pdf || (previous.pdf.startsWith(`${VISITS_DIR}/`) && fileNames.claim(previous.pdf, record.procedure.id))) && (await reusable(previous, record, out, pdf))) {
          if (previous.draft && !filters.includeDrafts) {
            unsigned += 1;
            excluded += 1;
          }
          else if (!filters.payer || previous.payer === filters.payer) {
            current.add(recordPath);
            done += 1;
            reused += 1;
            noteForCover(previous.payerDisplay, previous.clinic, previous.payerIndex[1], previous.index[0]);
          } else excluded += 1;
          report('visits');
          return;
        }
        // Which visits the packet holds is decided by selectVisit alone, as the count shown before the export (export-preview.ts) is.
        const verdict = selectVisit(record, filters, core);
        const patientFacts = verdict.included ? await facts.get(record.procedure.subject.reference ?? '') : undefined;
        if (!verdict.included || !patientFacts) {
          if (!verdict.included && verdict.reason === 'other-payer') excluded += 1;
          else if (!verdict.included && verdict.reason === 'unsigned') {
            unsigned += 1;
            excluded += 1;
          } else {
            skipped += 1;
            notIncluded.push([record.procedure.performedDateTime ?? record.procedure.performedPeriod?.start ?? '', record.procedure.subject.reference ?? '', record.procedure.encounter?.reference ?? '', `Procedure/${record.procedure.id}`, NOT_INCLUDED_REASON]);
          }
          report('visits');
          return;
        }
        const pdfPath = pdf ? fileNames.next(VISITS_DIR, visitFileStem(serviceDay(verdict.session.date, core.timeZone), familyName(patientFacts.patient), patientFacts.mrn), record.procedure.id) : undefined;
        const task: VisitTask = { out, recordPath, ...(pdfPath ? { pdfPath } : {}), record, facts: patientFacts, session: verdict.session };
        // The summary, the PDF and the record are written by a worker when there are PDFs to render; otherwise here.
        const written = pool ? await pool.write(task) : await writeVisit(task, { core, bodyMap: options.bodyMap, dirs });
        noteForCover(written.payerDisplay, written.clinic, written.patientName, written.date);
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

  const created = (options.now?.() ?? new Date()).toISOString();
  const letterZone = displayZone(core.timeZone, latestVisit ?? created);
  const audit = await options.gateway.create(exportAuditEvent({ requestedBy: options.requestedBy, ...(options.requestedByReference ? { requestedByReference: options.requestedByReference } : {}), client: options.client, filters, visits, patients, recorded: created, version: core.version }));
  const auditRef = `AuditEvent/${audit.id ?? ''}`;

  // The payer packet: cover letter, certification, index.csv and the visit PDFs. Both letters state the packet's pages,
  // which count their own: each takes one page unless a long name or reference wraps, then both are written again.
  const clinic = await readClinic(options.gateway, clinicRef);
  const pdfPages = pdf ? packet.pages : 0;
  let letterPages = COVER_PAGES + 1;
  let cover: Awaited<ReturnType<typeof writeCoverPdf>>;
  let certification: Awaited<ReturnType<typeof writeCertificationPdf>>;
  for (let attempt = 0; ; attempt++) {
    const pages = pdfPages + letterPages;
    certification = await writeCertificationPdf(join(out, 'certification.pdf'), { clinic, requestReference: filters.requestReference, from: filters.from, to: filters.to, visits, pages, exportRecord: audit.id ?? '' });
    cover = await writeCoverPdf(join(out, 'cover.pdf'), { requestedBy: options.requestedBy, requester: filters.requester, requestReference: filters.requestReference, from: filters.from, to: filters.to, payerNames: [...payerNames].sort(), patientName, visits, patients, pages, unsigned, skipped, includeDrafts: filters.includeDrafts, created, clinic, zone: letterZone });
    const actual = (cover.pages ?? 1) + (certification.pages ?? 1);
    if (actual === letterPages || attempt > 0) break;
    letterPages = actual;
  }
  const payerFiles = byPath([...packet.payerFiles, { path: 'cover.pdf', sha256: cover.sha256, bytes: cover.bytes }, { path: 'certification.pdf', sha256: certification.sha256, bytes: certification.bytes }]);
  await writeAtomic(join(out, 'manifest.json'), JSON.stringify({ packet: `Records of dry needling visits from ${clinic.name}`, prepared: letterDate(created, letterZone), ...(filters.requestReference ? { requestReference: filters.requestReference } : {}), visits, pages: pdfPages + letterPages, files: payerFiles }, null, 2));

  // The internal report, for compliance staff only: what the payer never receives.
  const retrieval = via === 'bulk' ? 'FHIR Bulk Data $export' : 'FHIR searches (paged)';
  const notIncludedCsv = [NOT_INCLUDED_HEADER, ...notIncluded.sort((a, b) => String(a[0]).localeCompare(String(b[0])))].map(csvRow).join('');
  const notIncludedFile = { path: `${INTERNAL_DIR}/not-included.csv`, ...(await writeAtomic(join(out, INTERNAL_DIR, 'not-included.csv'), notIncludedCsv)) };
  const internalFiles = byPath([...packet.internalFiles, notIncludedFile]);
  const hashed = byPath([...payerFiles, ...internalFiles]);
  await writeAtomic(join(out, INTERNAL_DIR, 'manifest.json'), JSON.stringify({ packet: 'NeedleChart dry-needling record packet (internal report)', generator: core.generator, created, requestedBy: options.requestedBy, ...(options.requestedByReference ? { requestedByReference: options.requestedByReference } : {}), filters, visits, patients, unsigned, skipped, pages: pdfPages + letterPages, auditEvent: auditRef, sourceEhr: fhirBase, retrieval, files: hashed }, null, 2));
  options.logger.info('export finished', { visits, patients, reused, skipped, unsigned, via, files: hashed.length + 2 });

  let zipPath: string | undefined;
  let internalZip: string | undefined;
  if (options.zip) {
    zipPath = `${out.replace(/\/+$/, '')}.zip`;
    internalZip = `${out.replace(/\/+$/, '')}-internal.zip`;
    await writeZip(out, [...payerFiles.map((f) => f.path), 'manifest.json'], zipPath);
    await writeZip(out, [...internalFiles.map((f) => f.path), `${INTERNAL_DIR}/manifest.json`], internalZip);
  }
  report('done');
  return { out, visits, patients, reused, skipped, unsigned, pages: pdfPages + letterPages, auditEvent: auditRef, files: hashed.length + 2, via, ...(zipPath ? { zip: zipPath } : {}), ...(internalZip ? { internalZip } : {}) };
}

const NOT_INCLUDED_HEADER = ['date', 'patient', 'encounter', 'procedure', 'reason'];
const NOT_INCLUDED_REASON = 'Not charted with NeedleChart (or its payer policy is unknown here): add the EHR\'s own record of this visit by hand';

/**
 * Whether an earlier run's record of this visit can stand: the EHR's resources are unchanged (same
 * digest of ids and versions), and the PDF is there and still hashes to what was written when this
 * run makes PDFs, or there is none when it does not.
 */
async function reusable(previous: VisitFile, record: VisitRecord, out: string, pdf: boolean): Promise<boolean> {
  if (previous.sourceHash !== sourceHash(record) || previous.payer === undefined || previous.payerIndex === undefined) return false;
  if (!pdf) return previous.pdf === undefined;
  if (!previous.pdf || !previous.pdfSha256) return false;
  return (await sha256File(join(out, previous.pdf)).catch(() => undefined)) === previous.pdfSha256;
}

/** The patient's family name as the chart holds it (the official name first), for the visit PDF's file name. */
function familyName(patient: Patient): string | undefined {
  const name = patient.name?.find((n) => n.use === 'official') ?? patient.name?.[0];
  return name?.family ?? name?.text?.split(/\s+/).pop();
}

/** Passes pages through once the facts of their patients are loaded, in one batch per page (PatientFacts.prefetch). */
async function* withPatientFacts(pages: AsyncIterable<VisitPage>, facts: PatientFacts): AsyncGenerator<VisitPage> {
  for await (const page of pages) {
    await facts.prefetch(page.visits.map((v) => v.procedure.subject.reference ?? ''));
    yield page;
  }
}
