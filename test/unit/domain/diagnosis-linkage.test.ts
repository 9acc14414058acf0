import { beforeAll, describe, expect, it } from 'vitest';
import { linkDiagnoses, type DiagnosisLinkage } from '../../../src/domain/diagnosis-linkage.js';
import { fiscalYearOf, fiscalYearStart } from '../../../src/domain/icd10-fiscal-year.js';
import type { Core } from '../../../src/service/core.js';
import { testCore } from '../../support/fixtures.js';

let core: Core;
beforeAll(async () => {
  core = await testCore();
});

const dx = (code: string) => ({ system: 'http://hl7.org/fhir/sid/icd-10-cm' as const, code, display: code });
const link = (codes: readonly string[], date = '2026-11-20'): DiagnosisLinkage => linkDiagnoses(codes.map(dx), date, core.profiles);
const linkedCodes = (l: DiagnosisLinkage) => l.linked.map((d) => d.code);

describe('fiscal years (October 1)', () => {
  it.each([
    ['2021-09-30', 2021],
    ['2021-10-01', 2022],
    ['2022-01-15', 2022],
  ])('when the date of service is %s, then it falls in fiscal year %i', (date, fy) => {
    expect(fiscalYearOf(date)).toBe(fy);
  });

  it('when fiscal year 2022 starts, then it starts on 2021-10-01', () => {
    expect(fiscalYearStart(2022)).toBe('2021-10-01');
  });
});

describe('a category on a claim line', () => {
  it('when M26.60 is linked, then it is refused as a category with its billable children listed', () => {
    const result = link(['M26.60']);
    expect(linkedCodes(result)).toEqual([]);
    expect(result.refused).toHaveLength(1);
    expect(result.refused[0]).toMatchObject({ index: 0, code: 'M26.60', children: ['M26.601', 'M26.602', 'M26.603', 'M26.609'] });
    expect(result.refused[0]?.message).toBe('M26.60 is a category, not billable on a claim line: choose M26.601, M26.602, M26.603 or M26.609.');
  });

  it('when M54 (a 3-character category) is linked, then it is refused with every billable code below it on the date, nested subcategories included', () => {
    const refused = link(['M54']).refused[0];
    expect(refused?.message).toMatch(/^M54 is a category, not billable on a claim line: choose M54\.00, /);
    expect(refused?.children).toContain('M54.2');
    expect(refused?.children).toContain('M54.50');
    expect(refused?.children).toContain('M54.81');
    expect(refused?.children).not.toContain('M54.5');
    expect(refused?.children).not.toContain('M54.1');
  });

  it('when M54 is linked on a visit before October 1, 2021, then M54.5 is among the codes to choose and its children are not', () => {
    const refused = link(['M54'], '2021-09-30').refused[0];
    expect(refused?.children).toContain('M54.5');
    expect(refused?.children).not.toContain('M54.50');
  });

  it('when M26.6 is linked, then the children listed include every TMJ subcategory, not only M26.62x', () => {
    const children = link(['M26.6']).refused[0]?.children ?? [];
    for (const code of ['M26.601', 'M26.611', 'M26.621', 'M26.631', 'M26.641', 'M26.651', 'M26.69']) expect(children).toContain(code);
  });
});

describe('the soft tissue codes dry needling is linked to (M62.8, M79.x)', () => {
  it('when M62.8 is linked, then the muscle spasm codes below M62.83 are among the codes to choose', () => {
    const children = link(['M62.8']).refused[0]?.children ?? [];
    expect(children).toEqual(['M62.81', 'M62.82', 'M62.830', 'M62.831', 'M62.838', 'M62.84', 'M62.85', 'M62.89']);
  });

  it('when M79.66 is linked, then it is refused with the three lower-leg codes', () => {
    expect(link(['M79.66']).refused[0]?.message).toBe('M79.66 is a category, not billable on a claim line: choose M79.661, M79.662 or M79.669.');
  });

  it('when M79.7 or M79.604 is linked, then it is billable', () => {
    expect(linkedCodes(link(['M79.7', 'M79.604']))).toEqual(['M79.7', 'M79.604']);
  });
});

describe('headache codes (G43, G44.2)', () => {
  it('when G43.90 is linked, then it is refused with the two migraine codes to choose', () => {
    expect(link(['G43.90']).refused[0]?.children).toEqual(['G43.901', 'G43.909']);
  });

  it('when G43.909 or G44.209 is linked, then it is billable', () => {
    expect(linkedCodes(link(['G43.909', 'G44.209']))).toEqual(['G43.909', 'G44.209']);
  });

  it('when G43.E09 (in the fiscal year 2025 code set, not in 2021) is linked on a visit in fiscal year 2025 or later, then it is billable without a note', () => {
    const result = link(['G43.E09']);
    expect(linkedCodes(result)).toEqual(['G43.E09']);
    expect(result.unknown).toEqual([]);
  });

  it('when G44.2 is linked, then it is refused with the tension-type headache codes', () => {
    expect(link(['G44.2']).refused[0]?.children).toEqual(['G44.201', 'G44.209', 'G44.211', 'G44.219', 'G44.221', 'G44.229']);
  });
});

describe('codes the table does not list', () => {
  it('when a code inside a block listed in full is not in the table (M54.7), then it is refused as unknown', () => {
    const result = link(['M54.7', 'M54.2']);
    expect(linkedCodes(result)).toEqual(['M54.2']);
    expect(result.refused[0]).toMatchObject({ index: 0, code: 'M54.7', children: [] });
    expect(result.refused[0]?.message).toBe('M54.7 is not an ICD-10-CM code: NeedleChart lists every code of Dorsopathies (M40 to M54), read from the code sets in force until September 30, 2025, and this is not one of them; check the code.');
  });

  it('when a made-up TMJ code (M26.604) is linked, then it is refused as unknown', () => {
    expect(link(['M26.604']).refused.map((r) => r.code)).toEqual(['M26.604']);
  });

  it('when a code is outside every block NeedleChart checks (J06.9), then it is linked with a note that NeedleChart did not check it, not refused', () => {
    const result = link(['J06.9']);
    expect(linkedCodes(result)).toEqual(['J06.9']);
    expect(result.refused).toEqual([]);
    expect(result.unchecked).toEqual([{ index: 0, code: 'J06.9', message: 'J06.9 is not checked by NeedleChart (its table covers the diagnoses dry-needling visits are usually linked to): it is linked as entered; check that it is billable on November 20, 2026.' }]);
  });

  it.each(['M75.104', 'M64.1', 'G44.87', 'G89.5', 'S16.3XXA', 'R52.1'])('when %s (inside a block, not in the code files read) is linked, then it is refused as unknown', (code) => {
    const result = link([code]);
    expect(linkedCodes(result)).toEqual([]);
    expect(result.refused.map((r) => r.code)).toEqual([code]);
  });

  it('when a code inside a block is refused as unknown, then its sources are the code lists read for the block', () => {
    const sources = link(['M54.7']).refused[0]?.sources;
    expect(sources?.citations.map((c) => c.id)).toEqual(['cms-icd10cm-fy2021-code-list', 'cms-icd10cm-fy2025-code-list', 'icd10cm-guidelines-2026']);
    expect(sources?.verified).toBe(true);
  });
});

describe('injury codes and their 7th character (S13, S16, S23, S33, S39)', () => {
  it.each(['S39.012A', 'S39.012D', 'S39.012S', 'S13.4XXA', 'S16.1XXD', 'S23.3XXA', 'S33.5XXS'])('when %s is linked, then it is billable', (code) => {
    const result = link([code]);
    expect(linkedCodes(result)).toEqual([code]);
    expect(result.refused).toEqual([]);
  });

  it('when S39.012 is linked without its 7th character, then it is refused with the three full codes', () => {
    const refused = link(['S39.012']).refused[0];
    expect(refused?.children).toEqual(['S39.012A', 'S39.012D', 'S39.012S']);
    expect(refused?.message).toBe('S39.012 needs a 7th character: choose S39.012A (initial encounter), S39.012D (subsequent encounter) or S39.012S (sequela).');
  });

  it('when S39.012 takes a 7th character its block does not have (S39.012B), then it is refused', () => {
    expect(link(['S39.012B']).refused.map((r) => r.code)).toEqual(['S39.012B']);
  });

  it('when the category S13.4 is linked, then the full 7-character codes are the ones to choose', () => {
    expect(link(['S13.4']).refused[0]?.children).toEqual(['S13.4XXA', 'S13.4XXD', 'S13.4XXS']);
  });
});

describe('validity on the date of service, on both sides of each fiscal-year boundary used', () => {
  it.each([
    // M54.5: billable through FY2021, a category from 2021-10-01 (M54.50, M54.51, M54.59; dated by a cited source).
    ['M54.5', '2021-09-30', true],
    ['M54.5', '2021-10-01', false],
    ['M54.50', '2021-09-30', false],
    ['M54.50', '2021-10-01', true],
    // M79.1 is a category, M79.11 billable, in both years read (FY2021 and FY2025).
    ['M79.1', '2020-10-01', false],
    ['M79.11', '2020-10-01', true],
    ['M79.1', '2026-11-20', false],
    // Codes added between the years read: refused while the FY2021 code set was in force, billable from FY2025.
    ['M62.85', '2021-09-30', false],
    ['M62.85', '2024-10-01', true],
    ['G44.86', '2021-09-30', false],
    ['G44.86', '2024-10-01', true],
    // M51.36: billable in FY2021, a category in FY2025.
    ['M51.36', '2021-09-30', true],
    ['M51.36', '2024-10-01', false],
    ['M51.361', '2024-10-01', true],
  ])('when %s is linked on %s, then linked is %s', (code, date, ok) => {
    const result = link([code], date);
    expect(linkedCodes(result)).toEqual(ok ? [code] : []);
    expect(result.refused.map((r) => r.code)).toEqual(ok ? [] : [code]);
    expect(result.unknown).toEqual([]);
  });

  it('when M54.5 is linked on 2021-10-01, then the refusal says since when and lists the new codes', () => {
    expect(link(['M54.5'], '2021-10-01').refused[0]?.message).toBe('M54.5 is a category since October 1, 2021, not billable on a claim line: choose M54.50, M54.51 or M54.59.');
  });

  it('when M54.50 is linked on 2021-09-30, then the refusal names the first day it is valid', () => {
    expect(link(['M54.50'], '2021-09-30').refused[0]?.message).toBe('M54.50 is not valid before October 1, 2021: pick a code valid on September 30, 2021.');
  });

  it('when M62.85 is linked on 2021-09-30, then the refusal says it is not in the code set then in force', () => {
    expect(link(['M62.85'], '2021-09-30').refused[0]?.message).toBe('M62.85 is not in the code set in force until September 30, 2021: pick a code valid on September 30, 2021.');
  });

  it('when M62.85 is linked on a visit between the two years read (2023-03-01), then it is linked as entered with a note that NeedleChart cannot tell', () => {
    const result = link(['M62.85'], '2023-03-01');
    expect(linkedCodes(result)).toEqual(['M62.85']);
    expect(result.refused).toEqual([]);
    expect(result.unknown).toEqual([{ index: 0, code: 'M62.85', message: 'M62.85 was added to ICD-10-CM after September 30, 2021 and is in the code set in force from October 1, 2024; NeedleChart did not read the code sets in between, so it cannot tell whether M62.85 was valid on March 1, 2023: it is linked as entered; check that it is billable on that date.' }]);
  });

  it('when M51.36 is linked between the two years read (2023-03-01), then it is linked as entered with a note, not refused as a category', () => {
    const result = link(['M51.36'], '2023-03-01');
    expect(linkedCodes(result)).toEqual(['M51.36']);
    expect(result.unknown[0]?.message).toMatch(/^M51\.36 was billable until September 30, 2021 and is a category from October 1, 2024; NeedleChart did not read the code sets in between/);
  });

  it('when M51.3 is linked on 2024-10-01, then the codes to choose are the M51.36x and M51.37x codes, not M51.36 and M51.37', () => {
    const children = link(['M51.3'], '2024-10-01').refused[0]?.children ?? [];
    expect(children).toEqual(['M51.34', 'M51.35', 'M51.360', 'M51.361', 'M51.362', 'M51.369', 'M51.370', 'M51.371', 'M51.372', 'M51.379']);
  });

  it('when M51.3 is linked on 2021-09-30, then M51.36 and M51.37 are the codes to choose, without the codes added later', () => {
    expect(link(['M51.3'], '2021-09-30').refused[0]?.children).toEqual(['M51.34', 'M51.35', 'M51.36', 'M51.37']);
  });

  it('when a code is linked on a visit before the first fiscal year read (2020-09-30), then it is linked as entered with a note that the table starts later', () => {
    const result = link(['M79.1'], '2020-09-30');
    expect(linkedCodes(result)).toEqual(['M79.1']);
    expect(result.unknown[0]?.message).toBe("NeedleChart's table of Soft tissue disorders (M60 to M79) starts with the code set in force from October 1, 2020, so it cannot judge M79.1 on September 30, 2020: it is linked as entered; check that it is billable on that date.");
  });

  it('when R52 (read for fiscal year 2025 only) is linked on 2024-09-30, then it is linked with a note; on 2024-10-01 it is billable without one', () => {
    expect(link(['R52'], '2024-09-30').unknown.map((u) => u.code)).toEqual(['R52']);
    const later = link(['R52'], '2024-10-01');
    expect(linkedCodes(later)).toEqual(['R52']);
    expect(later.unknown).toEqual([]);
  });

  it('when S33.5XXA is linked on 2020-10-01 (fiscal year 2021, read), then it is billable without a note', () => {
    const result = link(['S33.5XXA'], '2020-10-01');
    expect(linkedCodes(result)).toEqual(['S33.5XXA']);
    expect(result.unknown).toEqual([]);
  });
});

describe('fracture codes that take a 7th character (M48.4, M48.5)', () => {
  it('when M48.50X is linked without its 7th character, then it is refused with the four full codes and what each means', () => {
    const refused = link(['M48.50X']).refused[0];
    expect(refused?.children).toEqual(['M48.50XA', 'M48.50XD', 'M48.50XG', 'M48.50XS']);
    expect(refused?.message).toContain('M48.50XG (subsequent encounter for fracture with delayed healing)');
  });

  it('when M48.50XG is linked, then it is billable, and M48.50XB (not one of its 7th characters) is refused', () => {
    expect(linkedCodes(link(['M48.50XG']))).toEqual(['M48.50XG']);
    expect(link(['M48.50XB']).refused.map((r) => r.code)).toEqual(['M48.50XB']);
  });
});
