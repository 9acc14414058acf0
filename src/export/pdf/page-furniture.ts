import type PDFDocument from 'pdfkit';
import { pdfText } from './pdf-text.js';

type Doc = InstanceType<typeof PDFDocument>;

/** What every page of a packet document repeats, so a page read on its own still says whose record it is. */
export interface PageFurniture {
  /** Top lines: who the record is about and the date of service (patient name, date of birth, MRN, member id). */
  readonly header: readonly string[];
  /** Left of the footer ("Dry needling visit record"); the page number ("Page 2 of 3") goes to its right. */
  readonly footer: string;
  /** An unsigned note: "DRAFT - NOT SIGNED" across every page. */
  readonly draft?: boolean;
}

/** The top margin a document leaves for its header (two lines and a rule). */
export const HEADER_SPACE = 78;
/** The bottom margin a document leaves for its footer. */
export const FOOTER_SPACE = 56;

/**
 * Writes the header and the "Page x of y" footer on every page of a document made with
 * `bufferPages: true`, once its content is complete (only then is y known). The bottom margin is set
 * aside while the footer is written, or pdfkit would start a new page for text below it.
 */
export function stampPages(doc: Doc, furniture: PageFurniture): number {
  const range = doc.bufferedPageRange();
  const total = range.count;
  for (let i = range.start; i < range.start + total; i++) {
    doc.switchToPage(i);
    const { width, height, margins } = doc.page;
    const bottom = margins.bottom;
    doc.page.margins.bottom = 0;
    doc.save();
    doc.font('Helvetica-Bold').fontSize(9).fillColor('#1d2733');
    furniture.header.forEach((text, n) => {
      doc.font(n === 0 ? 'Helvetica-Bold' : 'Helvetica').text(pdfText(text), margins.left, 24 + n * 12, { width: width - margins.left - margins.right, lineBreak: false });
    });
    doc.moveTo(margins.left, HEADER_SPACE - 14).lineTo(width - margins.right, HEADER_SPACE - 14).lineWidth(0.5).strokeColor('#9aa7b4').stroke();
    doc.font('Helvetica').fontSize(9).fillColor('#5b6876');
    doc.text(pdfText(furniture.footer), margins.left, height - 36, { width: (width - margins.left - margins.right) / 2, lineBreak: false });
    doc.text(pdfText(`Page ${i - range.start + 1} of ${total}`), width / 2, height - 36, { width: width / 2 - margins.right, align: 'right', lineBreak: false });
    if (furniture.draft) {
      doc.font('Helvetica-Bold').fontSize(11).fillColor('#b4441d').text(pdfText('DRAFT - NOT SIGNED'), margins.left, height - 50, { width: width - margins.left - margins.right, align: 'center', lineBreak: false });
      doc.rotate(-35, { origin: [width / 2, height / 2] }).fontSize(90).fillOpacity(0.12).text(pdfText('DRAFT'), width / 2 - 160, height / 2 - 45, { width: 320, align: 'center', lineBreak: false });
    }
    doc.restore();
    doc.page.margins.bottom = bottom;
  }
  return total;
}
