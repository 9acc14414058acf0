import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
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

/**
 * Each text run of a PDF pdfkit wrote with the standard fonts (WinAnsi hex strings in TJ arrays), with
 * the font size in force: the page content streams are inflated and read operator by operator.
 */
function textRuns(pdf: Buffer): { size: number; text: string }[] {
  const runs: { size: number; text: string }[] = [];
  const source = pdf.toString('latin1');
  for (const m of source.matchAll(/stream\r?\n/g)) {
    const start = (m.index ?? 0) + m[0].length;
    const end = source.indexOf('endstream', start);
    let content: string;
    try {
      content = inflateSync(pdf.subarray(start, end)).toString('latin1');
    } catch {
      continue;
    }
    let size = 0;
    for (const op of content.matchAll(/\/F\d+ ([\d.]+) Tf|\[([^\]]*)\] TJ/g)) {
      if (op[1]) size = Number(op[1]);
      else runs.push({ size, text: [...(op[2] ?? '').matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => Buffer.from(h[1] ?? '', 'hex').toString('latin1')).join('') });
    }
  }
  return runs;
}

describe('the visit PDF', () => {
  it('when a visit record is written, then its note is set at 9 pt or more (it was 8.5-pt Courier)', async () => {
    const session = completeSession({ response: 'Tolerated the session well and walked out easier.', muscles: [muscle('piriformis', 'left')] });
    const a = analyseSession(session, core);
    const noteText = core.renderer.render('note', 'text', a.view);
    const summary: VisitSummary = {
      procedureId: 'p1', patient: 'Patient/p-1', patientId: 'p-1', patientName: 'Ana Silva', encounter: 'Encounter/e-1', date: session.date, performer: 'x', session,
      payerName: 'Acme', coding: a.coding, readiness: a.readiness, view: a.view, noteText, provenance: [], amendments: 0, painTrend: [], resources: [], sourceHash: 'h',
    };
    const file = join(mkdtempSync(join(tmpdir(), 'nc-visit-pdf-')), 'v.pdf');
    await writeVisitPdf(file, summary, loadBodyMap(), core.profiles);
    const runs = textRuns(readFileSync(file));
    const note = runs.filter((r) => /Tolerated the session|DRY NEEDLING TREATMENT NOTE/.test(r.text));
    expect(note.length).toBeGreaterThan(0);
    for (const run of note) expect(run.size, run.text).toBeGreaterThanOrEqual(9);
  });
});

describe('the visit PDF’s outcomes', () => {
  it('when mouth opening was measured in mm and an ODI answered item by item, then the outcomes read "28 mm" and the answers by section title; a total-only score shows no answers', async () => {
    const session = completeSession({
      outcomes: {
        rom: [{ movement: 'Mouth opening', unit: 'mm', pre: 28, post: 36 }],
        measures: [{ instrument: 'ODI', score: 32, answers: [2, 2, 1, 2, 1, 2, 1, 2, 1, 2] }, { instrument: 'NDI', score: 12 }],
      },
    });
    const a = analyseSession(session, core);
    const summary: VisitSummary = {
      procedureId: 'p1', patient: 'Patient/p-1', patientId: 'p-1', patientName: 'Ana Silva', encounter: 'Encounter/e-1', date: session.date, performer: 'x', session,
      payerName: 'Acme', coding: a.coding, readiness: a.readiness, view: a.view, noteText: core.renderer.render('note', 'text', a.view), provenance: [], amendments: 0, painTrend: [], resources: [], sourceHash: 'h',
    };
    const file = join(mkdtempSync(join(tmpdir(), 'nc-visit-pdf-')), 'v.pdf');
    await writeVisitPdf(file, summary, loadBodyMap(), core.profiles);
    const text = textRuns(readFileSync(file)).map((r) => r.text).join('\n');
    expect(text).toContain('Range of motion, Mouth opening: 28 mm before, 36 mm after (+8 mm)');
    expect(text).toMatch(/Oswestry Disability Index \(ODI\): 32 of 100 \(answers: Pain intensity: 2; Personal care: 2;/);
    expect(text).toContain('Neck Disability Index (NDI): 12 of 50');
    expect(text).not.toMatch(/Neck Disability Index \(NDI\): 12 of 50 \(answers/);
  });
});
