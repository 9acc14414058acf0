/**
 * Generates profiles/icd10.json from scripts/data/icd10cm-blocks.txt, the compact, hand-checkable list
 * of the ICD-10-CM blocks a dry-needling visit is linked to (one row per code, one line per block with
 * its source). Run `npx tsx scripts/generate-icd10.ts` after editing the rows;
 * test/unit/profiles/icd10-table.test.ts fails when the committed table is stale.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Icd10TableFile } from '../src/domain/types.generated.js';

const root = fileURLToPath(new URL('..', import.meta.url));
export const ICD10_SOURCE_PATH = `${root}scripts/data/icd10cm-blocks.txt`;
export const ICD10_TABLE_PATH = `${root}profiles/icd10.json`;

type Block = Icd10TableFile['blocks'][number];
type Entry = Icd10TableFile['codes'][number];

/** The code files and the guidelines; cms-icd10-files (the CMS page) stays cited as the entries always did. */
const DEFAULT_CITATIONS = ['cms-icd10cm-code-descriptions', 'cms-icd10-files', 'icd10cm-guidelines-2026'];

interface Segment { kind: 'B' | 'B7' | 'H' | 'X'; from?: number }

function parseStatus(status: string, where: string): Segment[] {
  return status.split(',').map((part) => {
    const m = /^(B7|B|H|X)(\d{4})?$/.exec(part.trim());
    if (!m) throw new Error(`${where}: status '${status}' is not B, B7, H or X with an optional fiscal year`);
    return { kind: m[1] as Segment['kind'], ...(m[2] ? { from: Number(m[2]) } : {}) };
  });
}

function parseCitations(field: string | undefined): { ids?: string[]; verified: boolean } {
  if (!field) return { verified: false };
  const m = /^cite=([a-z0-9,-]+)(\s+verified)?$/.exec(field.trim());
  if (!m?.[1]) throw new Error(`'${field}' is not cite=<id>,<id> [verified]`);
  return { ids: m[1].split(','), verified: !!m[2] };
}

/** The code one level up in the table, if listed: M26.601 → M26.60, M54.50 → M54.5, S13.4XX → S13.4. */
function parentOf(code: string, known: ReadonlySet<string>): string | undefined {
  for (let cut = code.length - 1; cut >= 3; cut--) {
    const candidate = code.slice(0, cut).replace(/\.$/, '');
    if (candidate !== code && known.has(candidate)) return candidate;
  }
  return undefined;
}

/** Parses the source text into the table (pure, so the staleness test can compare). */
export function buildIcd10Table(text: string): Icd10TableFile {
  const blocks: Block[] = [];
  const codes: Entry[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    const where = `icd10cm-blocks.txt line ${i + 1}`;
    if (!line || line.startsWith('#')) return;
    const fields = line.split('|').map((f) => f.trim());
    if (line.startsWith('@block ')) {
      const [head = '', from = '', to = '', title = '', extent = '', confirmed = '', source = '', ...options] = fields;
      const seventh = options.find((o) => o.startsWith('seventh='));
      const cite = parseCitations(options.find((o) => o.startsWith('cite=')));
      if (!['complete', 'partial'].includes(extent) || !/^confirmed=(true|false)$/.test(confirmed)) throw new Error(`${where}: expected complete|partial and confirmed=true|false`);
      blocks.push({
        id: head.slice('@block '.length).trim(), from, to, title,
        complete: extent === 'complete', confirmed: confirmed === 'confirmed=true', source,
        ...(seventh ? { seventhCharacters: seventh.slice('seventh='.length).split(',').map((pair) => { const [character = '', meaning = ''] = pair.split(':'); return { character, meaning }; }) } : {}),
        citations: cite.ids ?? DEFAULT_CITATIONS,
      });
      return;
    }
    const block = blocks[blocks.length - 1];
    if (!block) throw new Error(`${where}: a code before any @block line`);
    const [code = '', status = '', display = '', citeField] = fields;
    const segments = parseStatus(status, where);
    const last = segments[segments.length - 1];
    const first = segments[0];
    if (!first || !last) throw new Error(`${where}: empty status`);
    const wasBillable = segments.findIndex((s) => s.kind !== 'B' && s.kind !== 'B7');
    const cite = parseCitations(citeField);
    codes.push({
      code, display,
      billable: last.kind === 'B' || last.kind === 'B7',
      ...(first.from ? { validFrom: first.from } : {}),
      ...(last.kind === 'X' && last.from ? { validThrough: last.from - 1 } : {}),
      ...(last.kind === 'H' && wasBillable > 0 && segments[wasBillable]?.from ? { billableThrough: (segments[wasBillable]?.from ?? 0) - 1 } : {}),
      ...(segments.some((s) => s.kind === 'B7') ? { seventhCharacter: true } : {}),
      block: block.id,
      citations: cite.ids ?? block.citations,
      verified: cite.ids ? cite.verified : block.confirmed,
    });
  });
  const known = new Set(codes.map((c) => c.code));
  const children = new Map<string, string[]>();
  for (const c of codes) {
    const parent = parentOf(c.code, known);
    if (parent) children.set(parent, [...(children.get(parent) ?? []), c.code]);
  }
  return {
    $schema: './icd10.schema.json',
    system: 'http://hl7.org/fhir/sid/icd-10-cm',
    citations: DEFAULT_CITATIONS,
    note: 'Generated by scripts/generate-icd10.ts from scripts/data/icd10cm-blocks.txt: edit that file. The blocks of ICD-10-CM a dry-needling visit is linked to, with the fiscal years each code is valid in. A code in a complete block that is not listed is refused as unknown; a code outside every block is linked as entered and marked as not checked by NeedleChart.',
    generatedFrom: 'scripts/data/icd10cm-blocks.txt',
    blocks,
    codes: codes.map((c) => (children.has(c.code) ? { ...c, children: (children.get(c.code) ?? []).sort() } : c)),
  };
}

/** The table as committed: one code per line, so a diff shows one changed code per line. */
export function formatIcd10Table(table: Icd10TableFile): string {
  const { codes, blocks, ...head } = table;
  const top = JSON.stringify(head, null, 2).slice(0, -2);
  const rows = (items: readonly unknown[]) => items.map((item) => `    ${JSON.stringify(item)}`).join(',\n');
  return `${top},\n  "blocks": [\n${rows(blocks)}\n  ],\n  "codes": [\n${rows(codes)}\n  ]\n}\n`;
}

export async function generateIcd10(): Promise<string> {
  return formatIcd10Table(buildIcd10Table(await readFile(ICD10_SOURCE_PATH, 'utf8')));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await writeFile(ICD10_TABLE_PATH, await generateIcd10());
  console.log(`wrote ${ICD10_TABLE_PATH}`);
}
