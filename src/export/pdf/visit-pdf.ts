import PDFDocument from 'pdfkit';
import { writeCollectedAtomic, type Digest, type Directories } from '../packet-files.js';
import type { BodyMapData } from '../../notes/body-map-svg.js';
import type { Profiles } from '../../domain/profiles.js';
import { formatDay } from '../../domain/human-dates.js';
import type { VisitSummary } from '../visit-summary.js';
import { drawBodyMaps, drawPainTrend } from './figures.js';
import { FOOTER_SPACE, HEADER_SPACE, stampPages } from './page-furniture.js';
import { pdfText } from './pdf-text.js';

type Doc = InstanceType<typeof PDFDocument>;

/** What a visit's PDF shows: the summary without the FHIR resources (they go to the internal report, not the PDF). */
export type VisitPdfInput = Omit<VisitSummary, 'resources'>;

/** A written PDF: its digest, and its pages (the cover letter counts the packet's pages). */
export interface WrittenPdf extends Digest {
  readonly pages?: number;
}

/** The note and chart documents are set in 10-pt Helvetica: legible on paper and on a reviewer's screen (the issue asks for at least 9 pt). */
export const NOTE_FONT_SIZE = 10;

function heading(doc: Doc, text: string): void {
  doc.moveDown(0.6).font('Helvetica-Bold').fontSize(11).fillColor('#1d2733').text(pdfText(text), { width: doc.page.width - 100 }).font('Helvetica').fontSize(NOTE_FONT_SIZE);
}

function line(doc: Doc, text: string, options: PDFKit.Mixins.TextOptions = {}): void {
  doc.text(pdfText(text), { width: doc.page.width - 100, ...options });
}

/** The lines every page repeats: whose record, their identifiers, the date of service. */
export function visitHeader(visit: VisitPdfInput): string[] {
  const ids = [visit.birthDate ? `Date of birth: ${formatDay(visit.birthDate)}` : undefined, `MRN: ${visit.mrn ?? 'not recorded'}`, `Member ID: ${visit.memberId ?? 'not recorded'}`].filter(Boolean).join('   ');
  return [`Patient: ${visit.patientName}   ${ids}`, `Date of service: ${visit.dayDisplay ?? formatDay(visit.date)}   Payer: ${visit.payerName}`];
}

/**
 * One visit's pages of the payer packet: who, when, what was billed and why, the payer's coverage,
 * the outcome scores, the body map and pain trend (vector drawings), the record's history, then the
 * note in force with its attestation, each superseded version marked as such, and the plan of care,
 * consent, ABN or waiver documents of the chart. Every page carries the patient's name, date of
 * birth, MRN, member id, the date of service and "Page x of y"; an unsigned note is stamped DRAFT.
 * No internal quality material (readiness scores and findings) is printed: that goes to the internal
 * report. Written with pdfkit (pure JS, no browser); `dirs`, when given, makes the PDF's folder once per export.
 */
export async function writeVisitPdf(path: string, visit: VisitPdfInput, bodyMap: BodyMapData, profiles: Pick<Profiles, 'muscles'>, dirs?: Directories): Promise<WrittenPdf> {
  const view = visit.view;
  const doc = new PDFDocument({ size: 'LETTER', bufferPages: true, margins: { top: HEADER_SPACE, bottom: FOOTER_SPACE, left: 50, right: 50 }, info: { Title: pdfText(`Dry needling visit of ${visit.dayDisplay ?? formatDay(visit.date)} - ${visit.patientName}`), Author: 'NeedleChart', Subject: 'Payer record packet' } });
  const written = writeCollectedAtomic(path, doc, dirs);
  doc.font('Helvetica-Bold').fontSize(15).text(pdfText(visit.draft ? 'Dry needling visit record - DRAFT, not signed' : 'Dry needling visit record'));
  doc.font('Helvetica').fontSize(NOTE_FONT_SIZE).fillColor('#5b6876');
  line(doc, `Date and time of service: ${view.dateDisplay}. Performed by ${view.performer.display}.`);
  line(doc, `Payer: ${visit.payerName}. ${view.billing}.`);
  doc.fillColor('#1d2733');

  const top = doc.y + 8;
  drawBodyMaps(
    doc,
    bodyMap,
    visit.session.muscles.map((m) => ({ muscle: m.muscle, side: m.side, risk: profiles.muscles.get(m.muscle)?.pneumothoraxRisk.risk === true, label: `${profiles.muscles.get(m.muscle)?.display ?? m.muscle} (${m.side})` })),
    50,
    top,
    170,
  );
  drawPainTrend(doc, visit.painTrend, 290, top + 20, 250, 90);
  doc.fontSize(9).text(pdfText(`Muscles: ${visit.session.muscles.map((m) => `${profiles.muscles.get(m.muscle)?.display ?? m.muscle} (${m.side})`).join(', ')}`), 290, top + 130, { width: 260 });
  doc.x = 50;
  doc.y = top + 190;

  heading(doc, 'Outcome scores');
  const o = view.outcomes;
  if (o.pain) line(doc, `Pain (0-10): ${o.pain.pre} before, ${o.pain.post} after (${o.pain.change})`);
  for (const r of o.rom) line(doc, `Range of motion, ${r.movement}: ${r.pre} before, ${r.post} after (${r.change})`);
  for (const m of o.measures) line(doc, `${m.instrument}: ${m.score}${m.answers ? ` (answers: ${m.answers})` : ''}`);
  if (!o.pain && !o.rom.length && !o.measures.length) line(doc, 'No outcome scores were recorded at this visit.');
  if (visit.painTrend.length > 1) line(doc, `Pain over the course: ${visit.painTrend.map((p) => `${formatDay(p.date)}: ${p.pre ?? '-'} before, ${p.post ?? '-'} after`).join('; ')}`);

  heading(doc, 'Codes and reasons');
  for (const c of visit.coding.codes) {
    doc.font('Helvetica-Bold').text(pdfText(`${[c.code, ...c.modifiers].join('-')} x${c.units}${c.billable ? '' : ' (not billed to the payer)'} - ${c.display}`), { width: doc.page.width - 100 });
    doc.font('Helvetica');
    line(doc, c.rationale);
    for (const m of c.modifierRationale) line(doc, m.rationale);
  }
  if (view.codeSources.length) {
    heading(doc, 'Sources for the codes');
    for (const s of view.codeSources) line(doc, `- ${s.text}${s.url ? ` <${s.url}>` : ''}`);
  }
  heading(doc, "Sources for the payer's coverage");
  line(doc, `${visit.payerName}: ${visit.view.payer.coverage}`);
  line(doc, visit.payerPolicy ? `Sources: ${visit.payerPolicy}` : 'No source for this coverage was read: check it with the payer.');
  heading(doc, 'History of this record');
  for (const p of visit.provenance) line(doc, `- ${p.recordedDisplay}: ${p.activity === 'UPDATE' ? 'changed' : 'written'} by ${p.author} with NeedleChart`);
  for (const n of visit.notes ?? []) line(doc, `- ${n.heading}: ${n.byline}`);

  const notes = visit.notes?.filter((n) => n.text) ?? [];
  if (!notes.length) notes.push({ heading: visit.draft ? 'Draft note (not signed)' : 'Note', byline: '', text: visit.noteText, superseded: false });
  for (const n of notes) {
    doc.addPage();
    doc.font('Helvetica-Bold').fontSize(12).text(pdfText(n.heading));
    if (n.byline) doc.font('Helvetica').fontSize(NOTE_FONT_SIZE).fillColor('#5b6876').text(pdfText(n.byline), { width: doc.page.width - 100 }).fillColor('#1d2733');
    doc.moveDown(0.5).font('Helvetica').fontSize(NOTE_FONT_SIZE);
    line(doc, n.text);
  }

  const documents = visit.chartDocuments ?? [];
  if (documents.length) {
    doc.addPage();
    doc.font('Helvetica-Bold').fontSize(12).text(pdfText('Documents from the chart'));
    for (const d of documents) {
      heading(doc, `${d.title}${d.dateDisplay ? `, ${d.dateDisplay}` : ''}${d.author ? ` - ${d.author}` : ''}`);
      line(doc, d.text ?? 'The EHR holds this document in a form that cannot be printed here: see the chart.');
    }
  }

  const pages = stampPages(doc, { header: visitHeader(visit), footer: `Dry needling visit record - ${visit.patientName}`, ...(visit.draft ? { draft: true } : {}) });
  doc.end();
  return { ...(await written), pages };
}
