import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PDFParse } from 'pdf-parse';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeCoverPdf } from '../../../src/export/pdf/cover-pdf.js';
import { pdfText } from '../../../src/export/pdf/pdf-text.js';
import { writeVisitPdf } from '../../../src/export/pdf/visit-pdf.js';
import type { VisitSummary } from '../../../src/export/visit-summary.js';
import { loadBodyMap } from '../../../src/profiles/load-body-map.js';
import type { Core } from '../../../src/service/core.js';
import { analyseSession } from '../../../src/service/preview-session.js';
import { completeSession, muscle, testCore } from '../../support/fixtures.js';

let core: Core;
beforeAll(async () => {
  core = await testCore();
});

async function textOf(file: string): Promise<string> {
  const parser = new PDFParse({ data: readFileSync(file) });
  try {
    return (await parser.getText()).text;
  } finally {
    await parser.destroy();
  }
}

const pdfFile = (name: string): string => join(mkdtempSync(join(tmpdir(), 'nc-pdf-text-')), name);

describe('pdfText: text the standard fonts (WinAnsi) can show', () => {
  it('when text holds a TAB, then it becomes spaces', () => {
    expect(pdfText('Felt\tbetter')).toBe('Felt    better');
  });

  it('when text holds C0 or C1 control characters or DEL, then they are dropped and newlines kept (CR LF and CR become a newline)', () => {
    expect(pdfText('a\u0000b\u0001c\u001bd\u007fe\u0080f\u0085g\u009fh')).toBe('abcdefgh');
    expect(pdfText('one\r\ntwo\rthree\nfour')).toBe('one\ntwo\nthree\nfour');
  });

  it('when text holds characters of WinAnsi beyond Latin-1 (€, ‚, ƒ, „, …, †, ‰, Š, ‹, Œ, Ž, ‘, ’, “, ”, •, –, —, ˜, ™, š, ›, œ, ž, Ÿ, ˆ), then they are kept', () => {
    const winAnsi = '\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178';
    expect(pdfText(`M\u00fcller ${winAnsi}`)).toBe(`M\u00fcller ${winAnsi}`);
  });

  it('when text holds characters the font cannot encode (emoji, CJK, a lone surrogate, a bidi override), then each shows as ?, and Unicode spaces as spaces', () => {
    expect(pdfText('a\u{1F600}b\u5f20c\ud800d\u202ee')).toBe('a?b?c?d?e');
    expect(pdfText('a\u2007b\u3000c\u2028d')).toBe('a b c d');
  });

  it('when every character a JavaScript string can hold goes through, then only newline and WinAnsi-encodable characters come out', () => {
    const all = Array.from({ length: 0x10000 }, (_, i) => String.fromCharCode(i)).join('');
    const out = pdfText(all);
    for (const ch of out) {
      const c = ch.codePointAt(0) ?? 0;
      expect(c === 0x0a || (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xff) || '\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178'.includes(ch), `U+${c.toString(16)}`).toBe(true);
    }
  });
});

describe('PDF text as the packet writes it', () => {
  it('when a visit note holds a TAB and control characters, then the words around them read intact in the PDF', async () => {
    const session = completeSession({ response: 'Felt\tbetter after the session, pain eased.', plan: 'Repeat\u0001 in one\u0085 week, then review.', muscles: [muscle('piriformis', 'left', { notes: 'Local\ttwitch twice, good release.' })] });
    const a = analyseSession(session, core);
    const summary: VisitSummary = {
      procedureId: 'p1', patient: 'Patient/p-1', patientId: 'p-1', patientName: 'Ana\tSilva', encounter: 'Encounter/e-1', date: session.date, performer: 'x', session,
      payerName: 'Acme', coding: a.coding, readiness: a.readiness, view: a.view, noteText: core.renderer.render('note', 'text', a.view), provenance: [], amendments: 0, painTrend: [], resources: [], sourceHash: 'h',
    };
    const file = pdfFile('visit.pdf');
    await writeVisitPdf(file, summary, loadBodyMap(), core.profiles);
    const text = await textOf(file);
    expect(text).toMatch(/Ana\s+Silva/);
    expect(text).toMatch(/Felt\s+better after the session, pain eased\./);
    expect(text).toMatch(/Local\s+twitch\s+twice,\s+good\s+release\./);
    expect(text).toContain('Repeat in one week, then review.');
  });

  it('when the cover names a requester with a TAB, then the rest of the cover reads intact', async () => {
    const file = pdfFile('cover.pdf');
    await writeCoverPdf(file, { requestedBy: 'Jordan\tCompliance', requester: 'Records\tunit', from: '2026-01-01', to: '2026-03-31', payerNames: ['Acme Health PPO'], visits: 3, patients: 2, pages: 9, unsigned: 0, skipped: 0, created: '2026-04-01T10:00:00Z', clinic: { name: 'Harbor Physical Therapy' } });
    const text = await textOf(file);
    expect(text).toMatch(/Jordan\s+Compliance/);
    expect(text).toMatch(/To: Records\s+unit, Acme Health PPO/);
    expect(text).toContain('The packet has 9 pages in all');
  });

  it('when the PDF writers are read, then every text call passes its text through pdfText', () => {
    const dir = fileURLToPath(new URL('../../../src/export/pdf/', import.meta.url));
    const offenders = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && f !== 'pdf-text.ts')
      .flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/\.text\((?!pdfText\()([^,)]*)/g)].map((m) => `${f}: .text(${m[1] ?? ''}`));
    expect(offenders).toEqual([]);
  });
});
