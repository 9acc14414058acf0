import PDFDocument from 'pdfkit';
import { writeCollectedAtomic } from '../packet-files.js';
import { FOOTER_SPACE, HEADER_SPACE } from './page-furniture.js';
import { pdfText } from './pdf-text.js';

/** A letter-size page of the packet's own letters (cover, certification): room for the page header and footer, 60-pt side margins. */
export interface LetterPdf {
  readonly doc: PDFKit.PDFDocument;
  /** Resolves when the file is written whole (atomically). */
  readonly written: ReturnType<typeof writeCollectedAtomic>;
  /** The text width between the margins. */
  readonly width: number;
  /** One paragraph of plain text across the width, then `gap` lines of space. */
  readonly para: (text: string, gap?: number) => void;
}

export function openLetterPdf(path: string, title: string, author: string, defaultGap: number): LetterPdf {
  const doc = new PDFDocument({ size: 'LETTER', bufferPages: true, margins: { top: HEADER_SPACE, bottom: FOOTER_SPACE, left: 60, right: 60 }, info: { Title: title, Author: author } });
  const written = writeCollectedAtomic(path, doc);
  const width = doc.page.width - 120;
  const para = (text: string, gap = defaultGap): void => {
    doc.text(pdfText(text), { width });
    doc.moveDown(gap);
  };
  return { doc, written, width, para };
}
