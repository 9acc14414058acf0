import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFParse } from 'pdf-parse';
import { beforeAll, describe, expect, it } from 'vitest';
import type { VisitFile } from '../../../src/export/packet-assembly.js';
import { Directories } from '../../../src/export/packet-files.js';
import { VisitPool } from '../../../src/export/visit-pool.js';
import { writeVisit, type VisitTask } from '../../../src/export/write-visit.js';
import { loadBodyMap } from '../../../src/profiles/load-body-map.js';
import { coreData, type Core } from '../../../src/service/core.js';
import { completeSession, muscle, testCore } from '../../support/fixtures.js';
import { signedVisitRecord } from '../../support/visit-records.js';

let core: Core;
beforeAll(async () => {
  core = await testCore();
});

/** One signed visit of `name`, to be written into `out` (its record and, unless `pdf` is false, its PDF). */
function task(out: string, name: string, i: number, pdf = true): VisitTask {
  const session = completeSession({ muscles: [muscle('piriformis', 'left')] });
  const [given = name, family = name] = name.split(' ');
  return {
    out,
    recordPath: `internal/visits/p-1/v${i}.json`,
    ...(pdf ? { pdfPath: `visits/v${i}.pdf` } : {}),
    record: signedVisitRecord(core, session),
    facts: { patient: { resourceType: 'Patient', name: [{ given: [given], family }] }, pain: [], mrn: `MRN-${i}`, documents: [] },
    session,
  };
}

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
const record = (out: string, i: number): VisitFile => JSON.parse(readFileSync(join(out, `internal/visits/p-1/v${i}.json`), 'utf8')) as VisitFile;

describe('VisitPool', () => {
  it('when more visits are asked for than there are workers, then every PDF and record is written whole, the record holding the digest of the PDF on disk', async () => {
    const out = mkdtempSync(join(tmpdir(), 'nc-visit-pool-'));
    const pool = new VisitPool({ size: 2, bodyMap: loadBodyMap(), core: coreData(core) });
    try {
      const names = ['Ana Silva', 'Ben Okafor', 'Cleo Park', 'Dev Rao', 'Eli Stone'];
      const written = await Promise.all(names.map((name, i) => pool.write(task(out, name, i))));
      expect(readdirSync(join(out, 'visits')).sort()).toEqual(names.map((_, i) => `v${i}.pdf`));
      expect(readdirSync(join(out, 'internal/visits/p-1')).sort()).toEqual(names.map((_, i) => `v${i}.json`));
      for (const [i, visit] of written.entries()) {
        const file = join(out, `visits/v${i}.pdf`);
        expect(visit.pdf).toEqual({ sha256: sha256(file), bytes: readFileSync(file).length, pages: expect.any(Number) as number });
        expect(visit.patientName).toBe(names[i]);
        expect(record(out, i)).toMatchObject({ pdf: `visits/v${i}.pdf`, pdfSha256: visit.pdf?.sha256, pdfBytes: visit.pdf?.bytes, payerIndex: expect.arrayContaining([names[i], `MRN-${i}`]) as unknown });
        const parser = new PDFParse({ data: readFileSync(file) });
        const text = (await parser.getText()).text;
        await parser.destroy();
        expect(text).toContain(names[i]);
        expect(text).toContain(`MRN: MRN-${i}`);
      }
    } finally {
      await pool.close();
    }
  });

  it('when a worker writes a visit, then its record is the same as the export writes in its own thread', async () => {
    const inPool = mkdtempSync(join(tmpdir(), 'nc-visit-pool-'));
    const inThread = mkdtempSync(join(tmpdir(), 'nc-visit-pool-'));
    const pool = new VisitPool({ size: 1, bodyMap: loadBodyMap(), core: coreData(core) });
    try {
      const [fromPool, fromThread] = [await pool.write(task(inPool, 'Ana Silva', 0, false)), await writeVisit(task(inThread, 'Ana Silva', 0, false), { core, bodyMap: loadBodyMap(), dirs: new Directories() })];
      expect(fromPool).toEqual(fromThread);
      expect(record(inPool, 0)).toEqual(record(inThread, 0));
      expect(record(inPool, 0).pdf).toBeUndefined();
    } finally {
      await pool.close();
    }
  });

  it('when a worker cannot write its visit, then that visit fails with a plain error, nothing of it is left, and the pool writes the next one', async () => {
    const out = mkdtempSync(join(tmpdir(), 'nc-visit-pool-'));
    const pool = new VisitPool({ size: 1, bodyMap: loadBodyMap(), core: coreData(core) });
    try {
      // A folder where the PDF should go: the PDF cannot be put in place.
      mkdirSync(join(out, 'visits/v0.pdf'), { recursive: true });
      await expect(pool.write(task(out, 'Ana Silva', 0))).rejects.toThrow(/The visit's PDF and record could not be written/);
      expect(existsSync(join(out, 'internal'))).toBe(false);
      const visit = await pool.write(task(out, 'Ana Silva', 1));
      expect(visit.pdf?.sha256).toBe(sha256(join(out, 'visits/v1.pdf')));
    } finally {
      await pool.close();
    }
  });

  it('when the pool is closed with visits still waiting, then they fail instead of hanging', async () => {
    const out = mkdtempSync(join(tmpdir(), 'nc-visit-pool-'));
    const pool = new VisitPool({ size: 1, bodyMap: loadBodyMap(), core: coreData(core) });
    const waiting = [0, 1, 2].map((i) => pool.write(task(out, 'Ana Silva', i)).then(() => 'written', (e: Error) => e.message));
    await pool.close();
    const outcomes = await Promise.all(waiting);
    expect(outcomes).toContain('The visit pool was closed');
    await expect(pool.write(task(out, 'Ana Silva', 3))).rejects.toThrow(/closed/);
  });
});
