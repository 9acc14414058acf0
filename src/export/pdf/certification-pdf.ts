import { formatDay } from '../../domain/human-dates.js';
import type { ClinicFacts } from './cover-pdf.js';
import { openLetterPdf } from './letter-pdf.js';
import { stampPages } from './page-furniture.js';
import { pdfText } from './pdf-text.js';
import type { WrittenPdf } from './visit-pdf.js';

export interface CertificationFacts {
  readonly clinic: ClinicFacts;
  readonly requestReference?: string | undefined;
  readonly from: string;
  readonly to: string;
  readonly visits: number;
  /** Pages of the packet, this certification and the cover letter included. */
  readonly pages: number;
  /** The id of the AuditEvent that records this export in the EHR: the custodian can show which release it certifies. */
  readonly exportRecord: string;
}

/**
 * The custodian-of-records certification, for the clinic's custodian to complete by hand: that the
 * enclosed records are true copies kept in the regular course of business, made at or near the time
 * by people with knowledge of the care. Blank lines for the name, title, date and signature; the
 * export's record number ties the certification to this release.
 */
export async function writeCertificationPdf(path: string, facts: CertificationFacts): Promise<WrittenPdf> {
  const { doc, written, width, para } = openLetterPdf(path, 'Certification of the custodian of records', facts.clinic.name, 0.8);
  doc.font('Helvetica-Bold').fontSize(15).text(pdfText('Certification of the custodian of records'));
  doc.moveDown(1).font('Helvetica').fontSize(11);
  para(`I certify that I am a custodian of the records of ${facts.clinic.name}${facts.clinic.address ? `, ${facts.clinic.address}` : ''}${facts.clinic.npi ? ` (NPI ${facts.clinic.npi})` : ''}, or am otherwise qualified to make this certification, and that:`);
  para(`1. The enclosed records of ${facts.visits} dry needling ${facts.visits === 1 ? 'visit' : 'visits'}, with dates of service from ${formatDay(facts.from)} to ${formatDay(facts.to)}, ${facts.pages} pages in all, are true and complete copies of the records we hold${facts.requestReference ? `, released in answer to request ${facts.requestReference}` : ''}.`, 0.4);
  para('2. The records were made at or near the time of the care they describe, by, or from information given by, a person with knowledge of that care.', 0.4);
  para('3. The records were kept in the regular course of our business, and making them is our regular practice.', 1);
  para(`Export record number: ${facts.exportRecord}`, 1.6);
  for (const label of ['Name', 'Title', 'Date', 'Signature']) {
    const y = doc.y + 18;
    doc.text(pdfText(`${label}:`), 60, y - 12, { width: 80, lineBreak: false });
    doc.moveTo(140, y).lineTo(60 + width, y).lineWidth(0.7).strokeColor('#1d2733').stroke();
    doc.x = 60;
    doc.y = y + 14;
  }
  const pages = stampPages(doc, { header: [`${facts.clinic.name} - records of dry needling visits`, `Your reference: ${facts.requestReference ?? 'none given'}`], footer: 'Certification of the custodian of records' });
  doc.end();
  return { ...(await written), pages };
}
