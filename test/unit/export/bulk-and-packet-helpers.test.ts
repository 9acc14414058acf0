import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Procedure } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { Directories, HashedFileWriter, mapInOrder, sha256File, writeAtomic, writeCollectedAtomic } from '../../../src/export/packet-files.js';
import { procedureIdOf, procedureMatches } from '../../../src/export/visit-source.js';
import { retryAfterMs } from '../../../src/fhir/client.js';
import { DRY_NEEDLING_CODE, PROCEDURE_SYSTEM } from '../../../src/fhir/systems.js';

const visit = (over: Partial<Procedure> = {}): Procedure => ({
  resourceType: 'Procedure',
  id: 'v-1',
  status: 'completed',
  subject: { reference: 'Patient/p-1' },
  performedDateTime: '2026-03-31T18:30:00-05:00',
  performer: [{ actor: { reference: 'Practitioner/pt-rivera' } }],
  code: { coding: [{ system: PROCEDURE_SYSTEM, code: DRY_NEEDLING_CODE }, { system: 'http://www.ama-assn.org/go/cpt', code: '20561' }] },
  ...over,
});
const q1 = { from: '2026-01-01', to: '2026-03-31' };

describe('the Procedure filter applied to Bulk Data output (servers may ignore _typeFilter)', () => {
  it.each([
    ['a visit inside the range', visit(), q1, true],
    ['a visit on the last day, late in its own time zone (23:30 UTC)', visit(), q1, true],
    ['a visit after the range in UTC', visit({ performedDateTime: '2026-03-31T19:30:00-05:00' }), q1, false],
    ['a visit before the range', visit({ performedDateTime: '2025-12-31T12:00:00Z' }), q1, false],
    ['a visit entered in error', visit({ status: 'entered-in-error' }), q1, false],
    ['a procedure that is not dry needling', visit({ code: { coding: [{ system: 'http://snomed.info/sct', code: '229064008' }] } }), q1, false],
    ['a 20561 visit asked for 20560', visit(), { ...q1, code: '20560' as const }, false],
    ['a 20561 visit asked for 20561', visit(), { ...q1, code: '20561' as const }, true],
    ['another patient', visit(), { ...q1, patient: 'Patient/p-2' }, false],
    ['another performer', visit(), { ...q1, performer: 'Practitioner/pt-chen' }, false],
    ['its performer', visit(), { ...q1, performer: 'Practitioner/pt-rivera' }, true],
  ])('when it is %s, then it matches: %s', (_label, procedure, filters, expected) => {
    expect(procedureMatches(procedure, filters)).toBe(expected);
  });

  it.each([
    ['Procedure/abc', 'abc'],
    ['https://ehr.example.org/fhir/Procedure/abc', 'abc'],
    ['Procedure/abc/_history/3', 'abc'],
    ['Observation/abc', undefined],
    ['Procedure/', undefined],
    [undefined, undefined],
  ])('when a reference is %s, then its visit id is %s', (reference, id) => {
    expect(procedureIdOf(reference)).toBe(id);
  });
});

describe('Retry-After', () => {
  it('when it is delta-seconds, an HTTP-date, or junk, then it reads as milliseconds or nothing', () => {
    expect(retryAfterMs('5')).toBe(5000);
    expect(retryAfterMs('Wed, 02 Dec 2026 10:00:30 GMT', Date.parse('2026-12-02T10:00:00Z'))).toBe(30_000);
    expect(retryAfterMs('Wed, 02 Dec 2026 09:00:00 GMT', Date.parse('2026-12-02T10:00:00Z'))).toBe(0);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });
});

describe('packet files', () => {
  it('when files are written atomically, by stream or piece by piece, then each digest is the SHA-256 and size of the file on disk and no temp file is left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nc-files-'));
    const dirs = new Directories();
    const a = await writeAtomic(join(dir, 'deep', 'a.json'), '{"é":1}', dirs);
    const b = await writeCollectedAtomic(join(dir, 'b.pdf'), Readable.from([Buffer.from('%PDF-'), Buffer.from('1.7\n')]));
    const writer = new HashedFileWriter(join(dir, 'c.csv'));
    for (let i = 0; i < 5000; i++) await writer.write(`row ${i},"x"\r\n`);
    const c = await writer.close();
    for (const [name, digest] of [['deep/a.json', a], ['b.pdf', b], ['c.csv', c]] as const) {
      expect(digest.sha256, name).toBe(await sha256File(join(dir, name)));
      expect(digest.bytes, name).toBe(readFileSync(join(dir, name)).length);
    }
    expect(readdirSync(dir).sort()).toEqual(['b.pdf', 'c.csv', 'deep']);
  });

  it('when loads run ahead, then results still come in order, at most depth at a time, and a failure surfaces at its place', async () => {
    let running = 0;
    let peak = 0;
    const load = async (n: number) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, (7 - n) * 2));
      running -= 1;
      if (n === 5) throw new Error('load 5 failed');
      return n * 10;
    };
    const seen: number[] = [];
    await expect((async () => {
      for await (const value of mapInOrder([0, 1, 2, 3, 4, 5, 6], 3, load)) seen.push(value);
    })()).rejects.toThrow('load 5 failed');
    expect(seen).toEqual([0, 10, 20, 30, 40]);
    expect(peak).toBe(3);
  });
});
