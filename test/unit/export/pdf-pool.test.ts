import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFParse } from 'pdf-parse';
import { beforeAll, describe, expect, it } from 'vitest';
import { PdfPool } from '../../../src/export/pdf/pdf-pool.js';
import type { VisitPdfInput } from '../../../src/export/pdf/visit-pdf.js';
import { loadBodyMap } from '../../../src/profiles/load-body-map.js';
import type { Core } from '../../../src/service/core.js';
import { analyseSession } from '../../../src/service/preview-session.js';
import { completeSession, muscle, testCore } from '../../support/fixtures.js';

let core: Core;
beforeAll(async () => {
  core = await testCore();
});

function visit(name: string): VisitPdfInput {
  const session = completeSession({ muscles: [muscle('piriformis', 'left')] });
  const a = analyseSession(session, core);
  return {
    procedureId: name, patient: 'Patient/p-1', patientId: 'p-1', patientName: name, encounter: 'Encounter/e-1', date: session.date, performer: 'x', session,
    payerName: 'Acme', coding: a.coding, readiness: a.readiness, view: a.view, noteText: core.renderer.render('note', 'text', a.view), provenance: [], amendments: 0, painTrend: [], sourceHash: 'h',
  };
}

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('PdfPool', () => {
  it('when more PDFs are asked for than there are workers, then every one is written whole, with the digest of the bytes on disk, and none is left half-written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nc-pdf-pool-'));
    const pool = new PdfPool({ size: 2, bodyMap: loadBodyMap(), profiles: core.profiles });
    try {
      const names = ['Ana Silva', 'Ben Okafor', 'Cleo Park', 'Dev Rao', 'Eli Stone'];
      const digests = await Promise.all(names.map((name, i) => pool.render(join(dir, `v${i}.pdf`), visit(name))));
      expect(readdirSync(dir).sort()).toEqual(names.map((_, i) => `v${i}.pdf`));
      for (const [i, digest] of digests.entries()) {
        const file = join(dir, `v${i}.pdf`);
        expect(digest).toEqual({ sha256: sha256(file), bytes: readFileSync(file).length, pages: expect.any(Number) as number });
        const parser = new PDFParse({ data: readFileSync(file) });
        expect((await parser.getText()).text).toContain(names[i]);
        await parser.destroy();
      }
    } finally {
      await pool.close();
    }
  });

  it('when a worker cannot write its PDF, then that PDF fails with a plain error and the pool renders the next one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nc-pdf-pool-'));
    const pool = new PdfPool({ size: 1, bodyMap: loadBodyMap(), profiles: core.profiles });
    try {
      await expect(pool.render(join(dir, 'missing-folder', 'v.pdf'), visit('Ana Silva'))).rejects.toThrow(/The visit's PDF could not be written/);
      const digest = await pool.render(join(dir, 'v.pdf'), visit('Ana Silva'));
      expect(digest.sha256).toBe(sha256(join(dir, 'v.pdf')));
    } finally {
      await pool.close();
    }
  });

  it('when the pool is closed with PDFs still waiting, then they fail instead of hanging', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nc-pdf-pool-'));
    const pool = new PdfPool({ size: 1, bodyMap: loadBodyMap(), profiles: core.profiles });
    const waiting = [0, 1, 2].map((i) => pool.render(join(dir, `v${i}.pdf`), visit('Ana Silva')).then(() => 'written', (e: Error) => e.message));
    await pool.close();
    const outcomes = await Promise.all(waiting);
    expect(outcomes).toContain('The PDF pool was closed');
    await expect(pool.render(join(dir, 'late.pdf'), visit('Ana Silva'))).rejects.toThrow(/closed/);
  });
});
