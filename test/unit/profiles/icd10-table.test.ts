import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildIcd10Table, generateIcd10, ICD10_BLOCKS_PATH, ICD10_TABLE_PATH, ICD10_YEARS, parseYear } from '../../../scripts/generate-icd10.js';
import type { Icd10TableFile } from '../../../src/domain/types.generated.js';

let table: Icd10TableFile;
beforeAll(() => {
  table = JSON.parse(readFileSync(ICD10_TABLE_PATH, 'utf8')) as Icd10TableFile;
});
const entry = (code: string) => table.codes.find((c) => c.code === code);
const inBlock = (id: string) => table.codes.filter((c) => c.block === id);

describe('profiles/icd10.json, generated from the CMS / CDC code lists of fiscal years 2021 and 2025', () => {
  it('when the code lists are generated again, then profiles/icd10.json is unchanged (run npx tsx scripts/generate-icd10.ts if not)', async () => {
    expect(readFileSync(ICD10_TABLE_PATH, 'utf8')).toBe(await generateIcd10());
  });

  it('when the table is read, then it names the files it was generated from and the fiscal years read', () => {
    expect(table.generatedFrom).toEqual([ICD10_BLOCKS_PATH, ...ICD10_YEARS.map((y) => y.path)]);
    expect(table.fiscalYearsRead).toEqual([2021, 2025]);
  });

  it('when the blocks are counted, then each holds the number of codes read for it (categories, billable codes and 7th-character bases)', () => {
    const counts = Object.fromEntries(table.blocks.map((b) => [b.id, inBlock(b.id).length]));
    expect(counts).toEqual({ 'M26.6': 32, 'M40-M54': 613, 'M60-M79': 1530, 'G43-G44': 142, G89: 13, S13: 44, S16: 9, S23: 57, S33: 36, S39: 37, R52: 1 });
    expect(inBlock('M40-M54').filter((c) => c.billable)).toHaveLength(482);
    expect(inBlock('M60-M79').filter((c) => c.billable)).toHaveLength(1152);
    expect(inBlock('G43-G44').filter((c) => c.billable)).toHaveLength(88);
  });

  it('when a block was read for one fiscal year only, then it says so (R52: fiscal year 2025)', () => {
    const read = Object.fromEntries(table.blocks.map((b) => [b.id, b.fiscalYearsRead]));
    expect(read.R52).toEqual([2025]);
    expect(read.S33).toEqual([2021, 2025]);
    expect(read['M40-M54']).toEqual([2021, 2025]);
    expect(table.blocks.find((b) => b.id === 'R52')?.source).toMatch(/Only that year was read/);
    for (const block of table.blocks) expect(block.citations).toContain(block.fiscalYearsRead.length === 1 ? 'cms-icd10cm-fy2025-code-list' : 'cms-icd10cm-fy2021-code-list');
  });

  it('when M26.6 is read, then every TMJ subcategory is there with its children, M26.64x and M26.65x included since fiscal year 2021', () => {
    expect(entry('M26.6')?.children).toEqual(['M26.60', 'M26.61', 'M26.62', 'M26.63', 'M26.64', 'M26.65', 'M26.69']);
    expect(entry('M26.60')).toEqual({ code: 'M26.60', billable: false, block: 'M26.6', children: ['M26.601', 'M26.602', 'M26.603', 'M26.609'] });
    expect(entry('M26.641')).toEqual({ code: 'M26.641', billable: true, block: 'M26.6' });
  });

  it('when M54.5 is read, then it is billable through fiscal year 2021 and a category from 2022, dated by the cited source', () => {
    expect(entry('M54.5')).toMatchObject({ billable: false, billableThrough: 2021, categoryFrom: 2022, children: ['M54.50', 'M54.51', 'M54.59'] });
    expect(entry('M54.5')?.citations).toContain('acupuncture-today-2021-12');
    expect(entry('M54.50')).toMatchObject({ billable: true, validFrom: 2022 });
    expect(entry('M54.50')?.absentThrough).toBeUndefined();
  });

  it('when a code was added between the two years read and no source dates it, then the table keeps both years (M62.85, G44.86, M51.36x)', () => {
    expect(entry('M62.85')).toEqual({ code: 'M62.85', billable: true, block: 'M60-M79', validFrom: 2025, absentThrough: 2021 });
    expect(entry('G44.86')).toMatchObject({ validFrom: 2025, absentThrough: 2021 });
    expect(entry('M51.36')).toMatchObject({ billable: false, billableThrough: 2021, categoryFrom: 2025, children: ['M51.360', 'M51.361', 'M51.362', 'M51.369'] });
  });

  it('when M79.1 is read, then its four codes are in both years read (the expansion is at or before fiscal year 2021)', () => {
    expect(entry('M79.1')).toEqual({ code: 'M79.1', billable: false, block: 'M60-M79', children: ['M79.10', 'M79.11', 'M79.12', 'M79.18'] });
    expect(entry('M79.10')).toEqual({ code: 'M79.10', billable: true, block: 'M60-M79' });
  });

  it('when an injury or fracture base is read, then it is stored at 6 characters with the 7th characters it takes, and its block says what they mean', () => {
    expect(entry('S39.012')).toEqual({ code: 'S39.012', billable: false, block: 'S39', seventhCharacters: 'ADS' });
    expect(entry('S16.1XX')).toMatchObject({ seventhCharacters: 'ADS' });
    expect(entry('M48.50X')).toMatchObject({ seventhCharacters: 'ADGS' });
    expect(table.blocks.find((b) => b.id === 'S39')?.seventhCharacters?.map((s) => s.character)).toEqual(['A', 'D', 'S']);
    expect(table.codes.some((c) => c.code.length > 7)).toBe(false);
  });

  it('when a code list line is not a code, then generation stops and names the file and line', () => {
    expect(() => parseYear('# header\nM54.50\n', 'fy.txt')).toThrow(/fy\.txt line 2: 'M54\.50' is not a code/);
  });

  it('when a boundary line names a code that did not change, then generation stops', () => {
    const blocks = '@block R52 | R52 | R52 | Pain, unspecified | read=2021,2025\n@boundary R52 | 2022 | cite=acupuncture-today-2021-12 | nothing';
    expect(() => buildIcd10Table(blocks, new Map([[2021, 'R52'], [2025, 'R52']]))).toThrow(/boundary R52 matched no change/);
  });

  it('when a code of a block is missing from the latest year read, then generation stops rather than guess a deletion', () => {
    const blocks = '@block R52 | R52 | R52 | Pain, unspecified | read=2021,2025';
    expect(() => buildIcd10Table(blocks, new Map([[2021, 'R52'], [2025, '# none']]))).toThrow(/R52 is not in the latest fiscal year read/);
  });
});
