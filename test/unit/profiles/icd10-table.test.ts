import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildIcd10Table, generateIcd10, ICD10_SOURCE_PATH, ICD10_TABLE_PATH } from '../../../scripts/generate-icd10.js';
import type { Icd10TableFile } from '../../../src/domain/types.generated.js';

let table: Icd10TableFile;
beforeAll(() => {
  table = JSON.parse(readFileSync(ICD10_TABLE_PATH, 'utf8')) as Icd10TableFile;
});
const entry = (code: string) => table.codes.find((c) => c.code === code);

describe('profiles/icd10.json, generated from scripts/data/icd10cm-blocks.txt', () => {
  it('when the source rows are generated again, then profiles/icd10.json is unchanged (run npx tsx scripts/generate-icd10.ts if not)', async () => {
    expect(readFileSync(ICD10_TABLE_PATH, 'utf8')).toBe(await generateIcd10());
  });

  it('when the table is read, then it has every block a dry-needling visit is linked to, each with its source and whether it was confirmed', () => {
    const ids = table.blocks.map((b) => b.id);
    for (const id of ['M26.6', 'M40-M53', 'M54', 'M60-M79', 'M62.83', 'M79.1', 'G43', 'G44', 'G44.2', 'G89', 'S13', 'S16', 'S23', 'S33', 'S39', 'R52']) expect(ids).toContain(id);
    for (const block of table.blocks) {
      expect(block.source.length).toBeGreaterThan(0);
      expect(typeof block.confirmed).toBe('boolean');
    }
  });

  it('when M26.6 is read, then every TMJ subcategory M26.60 to M26.69 is there with its children, not only M26.62x', () => {
    expect(entry('M26.6')?.children).toEqual(['M26.60', 'M26.61', 'M26.62', 'M26.63', 'M26.64', 'M26.65', 'M26.69']);
    expect(entry('M26.60')).toMatchObject({ billable: false, children: ['M26.601', 'M26.602', 'M26.603', 'M26.609'] });
    expect(entry('M26.621')).toMatchObject({ billable: true, validFrom: 2017 });
  });

  it('when the fiscal-year changes are read, then M54.5 is billable through FY2021 only and M79.1 expanded (date unconfirmed)', () => {
    expect(entry('M54.5')).toMatchObject({ billable: false, billableThrough: 2021, children: ['M54.50', 'M54.51', 'M54.59'] });
    expect(entry('M54.50')).toMatchObject({ billable: true, validFrom: 2022 });
    expect(entry('M79.1')).toMatchObject({ billable: false, children: ['M79.10', 'M79.11', 'M79.12', 'M79.18'], verified: false });
    expect(table.blocks.find((b) => b.id === 'M79.1')?.confirmed).toBe(false);
  });

  it('when an injury code is read, then the 6-character base carries the 7th-character rule of its block', () => {
    expect(entry('S39.012')).toMatchObject({ billable: true, seventhCharacter: true, block: 'S39' });
    expect(table.blocks.find((b) => b.id === 'S39')?.seventhCharacters?.map((s) => s.character)).toEqual(['A', 'D', 'S']);
  });

  it('when a source row has a status that is not B, B7, H or X, then generation stops and names the line', () => {
    expect(() => buildIcd10Table('@block R52 | R52 | R52 | Pain | complete | confirmed=false | test\nR52 | Q | Pain, unspecified')).toThrow(/line 2: status 'Q'/);
  });

  it('when the source file is read, then it is the compact row file the table names', () => {
    expect(ICD10_SOURCE_PATH.endsWith(table.generatedFrom ?? 'missing')).toBe(true);
  });
});
