import PDFDocument from 'pdfkit';
import { writeStreamAtomic, type Digest } from '../packet-files.js';
import type { ExportFilters } from '../export-filters.js';
import { formatDateTime, formatDay } from '../../domain/human-dates.js';
import { pdfText } from './pdf-text.js';

export interface CoverFacts {
  readonly requestedBy: string;
  readonly filters: ExportFilters;
  readonly visits: number;
  readonly patients: number;
  readonly skipped: number;
  readonly created: string;
  readonly auditEvent: string;
  readonly fhirBase: string;
  /** How the visits were read from the EHR (manifest.json `retrieval`). */
  readonly retrieval: string;
  readonly generator: string;
  /** The clinic's IANA time zone for the creation time; UTC when none is configured. */
  readonly timeZone?: string | undefined;
}

/** The packet's cover page: who asked, for what, how many visits and patients, when, and the AuditEvent that records it. */
export function writeCoverPdf(path: string, facts: CoverFacts): Promise<Digest> {
  const doc = new PDFDocument({ size: 'LETTER', margin: 60, info: { Title: 'Dry needling record packet', Author: 'NeedleChart' } });
  const written = writeStreamAtomic(path, doc);
  const f = facts.filters;
  doc.font('Helvetica-Bold').fontSize(20).text(pdfText('Dry needling record packet'));
  doc.moveDown(0.3).font('Helvetica').fontSize(11).fillColor('#5b6876').text(pdfText(`Prepared for a payer record request by ${facts.generator}`));
  doc.fillColor('#1d2733').moveDown(1.2).fontSize(11);
  const rows: [string, string][] = [
    ['Requested by', facts.requestedBy],
    ['Created', facts.timeZone ? formatDateTime(facts.created, { timeZone: facts.timeZone }) : `${formatDateTime(facts.created, { offsetMinutes: 0 })} UTC`],
    ['Dates of service', `${formatDay(f.from)} to ${formatDay(f.to)}`],
    ['Patient', f.patient ?? 'all'],
    ['Payer policy', f.payer ?? 'all'],
    ['Code', f.code ?? '20560 and 20561'],
    ['Performer', f.performer ?? 'all'],
    ['Visits in this packet', String(facts.visits)],
    ['Patients', String(facts.patients)],
    ['Dry-needling procedures not charted with NeedleChart (listed in not-included.csv)', String(facts.skipped)],
    ['Source EHR', facts.fhirBase],
    ['Read by', facts.retrieval],
    ['Audit record', facts.auditEvent],
  ];
  for (const [label, value] of rows) {
    doc.font('Helvetica-Bold').text(pdfText(`${label}: `), { continued: true }).font('Helvetica').text(pdfText(value));
    doc.moveDown(0.2);
  }
  doc.moveDown(1).fontSize(9).fillColor('#5b6876').text(pdfText('Contents: index.csv lists every visit; each visit has a PDF under patients/<id>/visits/; bundles per patient (FHIR collection) and resources.ndjson hold the source records; not-included.csv lists dry-needling procedures charted elsewhere, to add by hand; manifest.json lists the SHA-256 of every file.'));
  doc.end();
  return written;
}
