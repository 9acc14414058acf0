import PDFDocument from 'pdfkit';
import { writeStreamAtomic, type Digest } from '../packet-files.js';
import type { BodyMapData } from '../../notes/body-map-svg.js';
import type { Profiles } from '../../domain/profiles.js';
import { formatDay } from '../../domain/human-dates.js';
import type { VisitSummary } from '../visit-summary.js';
import { drawBodyMaps, drawPainTrend } from './figures.js';
import { pdfText } from './pdf-text.js';

type Doc = InstanceType<typeof PDFDocument>;

/** What a visit's PDF shows: the summary without the FHIR resources (they go to the NDJSON and bundles, not the PDF). */
export type VisitPdfInput = Omit<VisitSummary, 'resources'>;

function heading(doc: Doc, text: string): void {
  doc.moveDown(0.6).font('Helvetica-Bold').fontSize(11).fillColor('#1d2733').text(pdfText(text)).font('Helvetica').fontSize(9);
}

function line(doc: Doc, text: string, options: PDFKit.Mixins.TextOptions = {}): void {
  doc.text(pdfText(text), { width: doc.page.width - 100, ...options });
}

/**
 * One visit's page(s) of the packet: who, when, what was billed and why, the payer policy, the
 * readiness findings, provenance and amendments, the body map and the pain trend (vector drawings),
 * then the note itself. Written with pdfkit (pure JS, no browser).
 */
export function writeVisitPdf(path: string, visit: VisitPdfInput, bodyMap: BodyMapData, profiles: Pick<Profiles, 'muscles'>): Promise<Digest> {
  const view = visit.view;
  const doc = new PDFDocument({ size: 'LETTER', margin: 50, info: { Title: pdfText(`Dry needling visit of ${formatDay(visit.date)} - ${visit.patientName}`), Author: 'NeedleChart', Subject: 'Payer record packet' } });
  const written = writeStreamAtomic(path, doc);
  doc.font('Helvetica-Bold').fontSize(15).text(pdfText('Dry needling visit record'));
  doc.font('Helvetica').fontSize(9).fillColor('#5b6876');
  line(doc, `${visit.patientName}${visit.birthDate ? `, born ${formatDay(visit.birthDate)}` : ''}`);
  line(doc, `Date of service: ${view.dateDisplay} - Performed by ${view.performer.display}`);
  line(doc, `Payer: ${visit.payerName} - ${view.billing}`);
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
  doc.fontSize(8).text(pdfText(`Muscles: ${visit.session.muscles.map((m) => `${profiles.muscles.get(m.muscle)?.display ?? m.muscle} (${m.side})`).join(', ')}`), 290, top + 130, { width: 260 });
  doc.x = 50;
  doc.y = top + 190;

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
  if (visit.coding.warnings.length) {
    heading(doc, 'Coding notes');
    for (const w of visit.coding.warnings) line(doc, `- ${w.message}${w.source ? ` (Source: ${w.source})` : ''}`);
  }
  heading(doc, "Sources for the payer's coverage");
  line(doc, `${visit.payerName}: ${visit.view.payer.coverage}`);
  line(doc, visit.payerPolicy ? `Sources: ${visit.payerPolicy}` : 'No source for this coverage was read: check it with the payer.');
  heading(doc, `Documentation readiness: ${visit.readiness.score}/100 (${view.readiness.summary})`);
  if (!view.readiness.findings.length) line(doc, 'No findings: the record carries everything a reviewer looks for.');
  for (const f of view.readiness.findings) line(doc, `- ${f.severityLabel}, ${f.field}: ${f.message}${f.source ? ` (Source: ${f.source})` : ''}`);
  heading(doc, 'Provenance');
  for (const p of visit.provenance) line(doc, `- ${p.recordedDisplay}: ${p.activity === 'UPDATE' ? 'amended' : 'written'} by ${p.author} with NeedleChart`);
  line(doc, `Amendments: ${visit.amendments}`);

  doc.addPage();
  doc.font('Helvetica-Bold').fontSize(12).text(pdfText('Treatment note as saved'));
  doc.moveDown(0.5).font('Courier').fontSize(8.5);
  line(doc, visit.noteText);
  doc.end();
  return written;
}
