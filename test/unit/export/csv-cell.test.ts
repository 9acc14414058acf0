import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvCell, csvRow } from '../../../src/export/csv-cell.js';
import { assemblePacket, type VisitFile } from '../../../src/export/packet-assembly.js';

describe('CSV cells (RFC 4180, OWASP CSV Injection)', () => {
  it.each([
    ['=HYPERLINK("http://evil.example","click")', `"'=HYPERLINK(""http://evil.example"",""click"")"`],
    ['+1+cmd|\' /C calc\'!A0', `"'+1+cmd|' /C calc'!A0"`],
    ['-2+3', `"'-2+3"`],
    ['@SUM(A1:A9)', `"'@SUM(A1:A9)"`],
    ['\t=1+1', `"'\t=1+1"`],
    ['\r=1+1', `"'\r=1+1"`],
    ['\uff1d1+1', `"'\uff1d1+1"`],
  ])('when a text cell starts with a formula character (%j), then it is prefixed with a quote and quoted', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it.each([
    ['Patient/p-1', 'Patient/p-1'],
    ['2026-05-05T10:00:00Z', '2026-05-05T10:00:00Z'],
    ['a, b', '"a, b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['x=1', 'x=1'],
    ['', ''],
  ])('when a text cell is plain (%j), then it is written as RFC 4180 asks and not prefixed', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('when a cell is a number, negative ones included, then it stays a number', () => {
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(92)).toBe('92');
  });

  it('when a row is written, then its cells are joined by commas and it ends with CRLF', () => {
    expect(csvRow(['=1', 2, 'a,b'])).toBe(`"'=1",2,"a,b"\r\n`);
  });
});

describe('index.csv as the packet assembly writes it', () => {
  it('when a visit row holds text starting with =, +, -, @, TAB or CR, then no cell of the payer\'s or the internal index.csv starts with a formula character', async () => {
    const out = mkdtempSync(join(tmpdir(), 'nc-csv-'));
    mkdirSync(join(out, 'internal', 'visits', 'p-1'), { recursive: true });
    const record: VisitFile = {
      procedureId: 'v-1',
      sourceHash: 'h',
      payer: 'acme',
      index: ['2026-05-05T10:00:00Z', 'Patient/p-1', 'Encounter/e-1', '=HYPERLINK("http://evil.example","x") (Practitioner/pt-1)', 2, '+20561', '@Acme', -1, '\tpdf'],
      payerIndex: ['2026-05-05', '=cmd|calc', '1990-01-01', '-MRN', '@member', '+Alex', '20561', 'Acme', 'Signed', 2, '\rpdf'],
      resources: [],
    };
    const path = 'internal/visits/p-1/2026-05-05_v-1.json';
    writeFileSync(join(out, path), JSON.stringify(record));
    await assemblePacket(out, new Set([path]), 'http://ehr.example/fhir');
    const row = readFileSync(join(out, 'internal', 'index.csv'), 'utf8').split('\r\n')[1] ?? '';
    expect(row).toBe(`2026-05-05T10:00:00Z,Patient/p-1,Encounter/e-1,"'=HYPERLINK(""http://evil.example"",""x"") (Practitioner/pt-1)",2,"'+20561","'@Acme",-1,"'\tpdf"`);
    const payerRow = readFileSync(join(out, 'index.csv'), 'utf8').split('\r\n')[1] ?? '';
    for (const cell of payerRow.split(',')) expect(cell.replace(/^"/, '')).not.toMatch(/^[=+\-@\t\r]/);
  });
});
