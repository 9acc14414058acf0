import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Bundle, Resource } from 'fhir/r4.js';
import yazl from 'yazl';
import type { FhirGateway } from '../fhir/client.js';
import type { Logger } from '../http/logger.js';
import type { BodyMapData } from '../notes/body-map-svg.js';
import type { Core } from '../service/core.js';
import { exportAuditEvent } from './audit-event.js';
import type { ExportFilters } from './export-filters.js';
import { csvField, exists, inPool, listFiles, readAhead, readJsonIfExists, sha256File, writeAtomic } from './packet-files.js';
import { writeCoverPdf } from './pdf/cover-pdf.js';
import { writeVisitPdf } from './pdf/visit-pdf.js';
import { codesLine, sourceHash, summariseVisit } from './visit-summary.js';
import { PatientFacts, visitPages } from './visit-source.js';

export interface ExportProgress {
  readonly phase: 'visits' | 'finishing' | 'done';
  readonly done: number;
  readonly total?: number;
  readonly reused: number;
  readonly skipped: number;
  readonly perSecond: number;
  readonly etaSeconds?: number;
}

export interface ExportOptions {
  readonly gateway: FhirGateway;
  readonly core: Core;
  readonly bodyMap: BodyMapData;
  readonly filters: ExportFilters;
  readonly out: string;
  readonly requestedBy: string;
  /** The client the export runs as (Backend Services client id). */
  readonly client: string;
  readonly logger: Logger;
  readonly pdf?: boolean;
  readonly zip?: boolean;
  readonly concurrency?: number;
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
}

/** A visit as kept in the packet (patients/<id>/visits/<date>_<procedure>.json): what aggregates are rebuilt from. */
interface VisitFile {
  readonly procedureId: string;
  readonly sourceHash: string;
  readonly pdf?: string;
  readonly index: readonly (string | number)[];
  readonly resources: readonly Resource[];
}

const INDEX_HEADER = ['date', 'patient', 'encounter', 'performer', 'muscle_count', 'codes', 'payer', 'readiness_score', 'pdf'];

/** Writes with back-pressure; stream errors surface at close(). */
const write = (stream: WriteStream, text: string): Promise<void> =>
  new Promise((resolve) => {
    if (stream.write(text)) resolve();
    else stream.once('drain', resolve);
  });
const close = (stream: WriteStream): Promise<void> => new Promise((resolve, reject) => stream.end(() => resolve()).once('error', reject));

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
  await mkdir(join(out, 'patients'), { recursive: true });
  const facts = new PatientFacts(options.gateway);
  const seen = new Set<string>();
  let done = 0;
  let reused = 0;
  let skipped = 0;
  let total: number | undefined;
  const started = performance.now();
  const report = (phase: ExportProgress['phase']): void => {
    const elapsed = (performance.now() - started) / 1000;
    const perSecond = elapsed > 0 ? done / elapsed : 0;
    options.onProgress?.({ phase, done, reused, skipped, perSecond, ...(total !== undefined ? { total } : {}), ...(total !== undefined && perSecond > 0 ? { etaSeconds: Math.max(0, (total - done - skipped) / perSecond) } : {}) });
  };

  for await (const page of readAhead(visitPages(options.gateway, filters))) {
    total ??= page.total;
    await inPool(page.visits, options.concurrency ?? 4, async (record) => {
      const patientId = (record.procedure.subject.reference ?? '').split('/')[1] ?? 'unknown';
      const base = `${(record.procedure.performedDateTime ?? '').slice(0, 10)}_${record.procedure.id}`;
      const dir = join(out, 'patients', patientId, 'visits');
      const recordPath = join(dir, `${base}.json`);
      const previous = resuming ? await readJsonIfExists<VisitFile>(recordPath) : undefined;
      if (previous && previous.sourceHash === sourceHash(record) && (!pdf || (previous.pdf && (await exists(join(out, previous.pdf)))))) {
        seen.add(recordPath);
        done += 1;
        reused += 1;
        report('visits');
        return;
      }
      const summary = summariseVisit(record, await facts.get(record.procedure.subject.reference ?? ''), core);
      if (!summary || (filters.payer && summary.session.payer !== filters.payer)) {
        if (!summary) skipped += 1;
        report('visits');
        return;
      }
      const pdfPath = pdf ? join('patients', patientId, 'visits', `${base}.pdf`) : undefined;
      if (pdfPath) {
        await mkdir(dir, { recursive: true });
        const temp = join(out, `${pdfPath}.${process.pid}.part`);
        await writeVisitPdf(temp, summary, options.bodyMap, core.profiles);
        await rename(temp, join(out, pdfPath));
      }
      const file: VisitFile = {
        procedureId: summary.procedureId,
        sourceHash: summary.sourceHash,
        ...(pdfPath ? { pdf: pdfPath } : {}),
        index: [summary.date, summary.patient, summary.encounter, summary.performer, summary.session.muscles.length, codesLine(summary.coding), summary.payerName, summary.readiness.score, pdfPath ?? ''],
        resources: summary.resources,
      };
      await writeAtomic(recordPath, JSON.stringify(file));
      seen.add(recordPath);
      done += 1;
      report('visits');
    });
  }

  report('finishing');
  const index = createWriteStream(join(out, 'index.csv'));
  const ndjson = createWriteStream(join(out, 'resources.ndjson'));
  await write(index, `${INDEX_HEADER.join(',')}\r\n`);
  let patients = 0;
  let visits = 0;
  const fhirBase = options.gateway.baseUrl;
  for (const patientId of (await readdir(join(out, 'patients'))).sort()) {
    const dir = join(out, 'patients', patientId, 'visits');
    const names = (await exists(dir)) ? (await readdir(dir)).filter((n) => n.endsWith('.json')).sort() : [];
    const entries: Bundle['entry'] = [];
    for (const name of names) {
      const path = join(dir, name);
      if (!seen.has(path)) {
        // From an earlier export with other filters: not part of this packet.
        const stale = await readJsonIfExists<VisitFile>(path);
        await rm(path, { force: true });
        if (stale?.pdf) await rm(join(out, stale.pdf), { force: true });
        continue;
      }
      const file = await readJsonIfExists<VisitFile>(path);
      if (!file) continue;
      visits += 1;
      await write(index, `${file.index.map(csvField).join(',')}\r\n`);
      for (const resource of file.resources) {
        await write(ndjson, `${JSON.stringify(resource)}\n`);
        entries.push({ fullUrl: `${fhirBase}/${resource.resourceType}/${resource.id ?? ''}`, resource });
      }
    }
    if (!entries.length) {
      await rm(join(out, 'patients', patientId), { recursive: true, force: true });
      continue;
    }
    patients += 1;
    const bundle: Bundle = { resourceType: 'Bundle', type: 'collection', timestamp: new Date().toISOString(), entry: entries };
    await writeAtomic(join(out, 'patients', patientId, 'bundle.json'), JSON.stringify(bundle, null, 1));
  }
  await close(index);
  await close(ndjson);

  const created = new Date().toISOString();
  const audit = await options.gateway.create(exportAuditEvent({ requestedBy: options.requestedBy, client: options.client, filters, visits, patients, recorded: created, version: core.version }));
  const auditRef = `AuditEvent/${audit.id ?? ''}`;
  await writeCoverPdf(join(out, 'cover.pdf'), { requestedBy: options.requestedBy, filters, visits, patients, skipped, created, auditEvent: auditRef, fhirBase, generator: core.generator });

  const files = (await listFiles(out)).filter((f) => f !== 'manifest.json');
  const hashed = [];
  for (const path of files) hashed.push({ path, sha256: await sha256File(join(out, path)), bytes: (await stat(join(out, path))).size });
  await writeAtomic(join(out, 'manifest.json'), JSON.stringify({ packet: 'NeedleChart dry-needling record packet', generator: core.generator, created, requestedBy: options.requestedBy, filters, visits, patients, skipped, auditEvent: auditRef, sourceEhr: fhirBase, files: hashed }, null, 2));
  options.logger.info('export finished', { visits, patients, reused, skipped, files: hashed.length + 1 });

  let zipPath: string | undefined;
  if (options.zip) {
    zipPath = `${out.replace(/\/+$/, '')}.zip`;
    const zip = new yazl.ZipFile();
    for (const path of [...files, 'manifest.json']) zip.addFile(join(out, path), path);
    zip.end();
    await new Promise<void>((resolve, reject) => {
      const stream = createWriteStream(zipPath ?? '');
      zip.outputStream.pipe(stream).on('close', () => resolve()).on('error', reject);
    });
  }
  report('done');
  return { out, visits, patients, reused, skipped, auditEvent: auditRef, files: hashed.length + 1, ...(zipPath ? { zip: zipPath } : {}) };
}
