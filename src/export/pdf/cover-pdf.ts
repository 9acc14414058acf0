import { formatDay, type DisplayZone } from '../../domain/human-dates.js';
import { openLetterPdf } from './letter-pdf.js';
import { stampPages } from './page-furniture.js';
import { pdfText } from './pdf-text.js';
import type { WrittenPdf } from './visit-pdf.js';

/** The clinic as the EHR's Organization describes it: the letter is from it, the certification is about its records. */
export interface ClinicFacts {
  readonly name: string;
  /** One line: "1200 Harbor Way, Suite 3, Denver, CO 80202". */
  readonly address?: string;
  readonly npi?: string;
}

export interface CoverFacts {
  /** The staff member who prepared the packet (their name). */
  readonly requestedBy: string;
  /** Who at the payer asked, and the payer's reference for the request. */
  readonly requester?: string | undefined;
  readonly requestReference?: string | undefined;
  /** First and last dates of service asked for (YYYY-MM-DD). */
  readonly from: string;
  readonly to: string;
  /** The payers whose visits are in the packet, by name. */
  readonly payerNames: readonly string[];
  /** Set when the packet was narrowed to one patient: their name. */
  readonly patientName?: string | undefined;
  readonly visits: number;
  readonly patients: number;
  /** Pages of the whole packet: this letter, the certification and every visit record. */
  readonly pages: number;
  /** Visits left out because their note is not signed. */
  readonly unsigned: number;
  /** Dry-needling procedures charted in another system, which staff add by hand. */
  readonly skipped: number;
  /** Unsigned notes are in the packet, stamped DRAFT. */
  readonly includeDrafts?: boolean | undefined;
  readonly created: string;
  readonly clinic: ClinicFacts;
  /**
   * Where the letter is dated: the clinic's time zone when configured, else the offset the visits
   * carry (displayZone, as the notes show their dates); UTC when neither is known.
   */
  readonly zone?: DisplayZone | undefined;
}

/** "November 20, 2026": the day `created` falls on in the clinic's zone (`zone`), in UTC when none is given. */
export function letterDate(created: string, zone: DisplayZone | undefined): string {
  return formatDay(created, zone ?? { offsetMinutes: 0 });
}

/** The pages the cover letter takes (it is written last, when the count of every other page is known). */
export const COVER_PAGES = 1;

/**
 * The packet's cover letter, in plain language for the payer's reviewer: from the clinic (name,
 * address, NPI), to the requester, about their request (reference, dates of service, payer), what is
 * enclosed (visits, patients, pages) and what each visit record holds. No internal references: the
 * AuditEvent, the EHR's address and how the records were read stay in the internal report.
 */
export async function writeCoverPdf(path: string, facts: CoverFacts): Promise<WrittenPdf> {
  const { doc, written, para } = openLetterPdf(path, 'Dry needling records - cover letter', facts.clinic.name, 0.6);
  doc.font('Helvetica-Bold').fontSize(16).text(pdfText(facts.clinic.name));
  doc.font('Helvetica').fontSize(10).fillColor('#5b6876');
  if (facts.clinic.address) doc.text(pdfText(facts.clinic.address));
  if (facts.clinic.npi) doc.text(pdfText(`NPI ${facts.clinic.npi}`));
  doc.fillColor('#1d2733').fontSize(11).moveDown(1.2);
  para(letterDate(facts.created, facts.zone));
  para(`To: ${facts.requester ?? 'the records reviewer'}${facts.payerNames.length ? `, ${facts.payerNames.join(', ')}` : ''}`, 0.2);
  para(`Your reference: ${facts.requestReference ?? 'none given'}`, 1);
  doc.font('Helvetica-Bold');
  para('Re: Records of dry needling visits');
  doc.font('Helvetica');
  para(`As you asked, we enclose the records of ${facts.visits} dry needling ${facts.visits === 1 ? 'visit' : 'visits'} ${facts.patientName ? `of ${facts.patientName}` : `of ${facts.patients} ${facts.patients === 1 ? 'patient' : 'patients'}`}, with dates of service from ${formatDay(facts.from)} to ${formatDay(facts.to)}${facts.payerNames.length ? `, for ${facts.payerNames.join(', ')}` : ''}.`);
  para(`The packet has ${facts.pages} ${facts.pages === 1 ? 'page' : 'pages'} in all: this letter, the certification of our custodian of records, and one record per visit. Every page carries the patient's name, date of birth, medical record number, member ID, the date of service and its page number.`);
  para("Each visit record holds the signed treatment note with its electronic signature, any addendum (with every earlier version, marked as superseded), the codes billed and the reasons for them, the muscles treated on a body map, the patient's pain and function scores over the course of care, and the plan of care, consent and Advance Beneficiary Notice or waiver documents the chart holds. The file index.csv lists every visit.");
  if (facts.includeDrafts && facts.unsigned) para(`${facts.unsigned} ${facts.unsigned === 1 ? 'visit has' : 'visits have'} a note not yet signed: ${facts.unsigned === 1 ? 'its record is' : 'their records are'} included as asked and stamped DRAFT on every page.`);
  else if (facts.unsigned) para(`${facts.unsigned} ${facts.unsigned === 1 ? 'visit in these dates has a note that is' : 'visits in these dates have notes that are'} not yet signed and ${facts.unsigned === 1 ? 'is' : 'are'} not included. We will send ${facts.unsigned === 1 ? 'it' : 'them'} once signed.`);
  if (facts.skipped) para(`${facts.skipped} dry needling ${facts.skipped === 1 ? 'visit was' : 'visits were'} documented outside this system; we will send ${facts.skipped === 1 ? 'its record' : 'their records'} separately.`);
  para(`If you have questions about these records, please contact ${facts.clinic.name} and quote your reference.`, 1.2);
  para('Sincerely,', 0.2);
  para(facts.requestedBy, 0.2);
  para(`for ${facts.clinic.name}`);
  const pages = stampPages(doc, { header: [`${facts.clinic.name} - records of dry needling visits`, `Your reference: ${facts.requestReference ?? 'none given'}`], footer: 'Cover letter' });
  doc.end();
  return { ...(await written), pages };
}
