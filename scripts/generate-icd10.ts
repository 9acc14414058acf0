/**
 * Generates profiles/icd10.json, the ICD-10-CM table of the blocks a dry-needling visit is linked to,
 * from the code lists read for each fiscal year (scripts/data/icd10cm-codes-fyYYYY.txt, one code per
 * line as the CMS / CDC tabular list has it) and the block definitions (scripts/data/icd10cm-blocks.txt).
 * Which codes exist, which are categories and which take a 7th character come from the lists; when a
 * code changed between two fiscal years read, the year of the change comes from a boundary line with
 * its source, or stays unconfirmed (validFrom / absentThrough, billableThrough / categoryFrom).
 * Run `npx tsx scripts/generate-icd10.ts`; test/unit/profiles/icd10-table.test.ts fails when the
 * committed table is stale.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Icd10TableFile } from '../src/domain/types.generated.js';

const root = fileURLToPath(new URL('..', import.meta.url));
export const ICD10_BLOCKS_PATH = 'scripts/data/icd10cm-blocks.txt';
/** The fiscal years whose code lists were read, with the citation of each. */
export const ICD10_YEARS: readonly { fiscalYear: number; path: string; citation: string }[] = [
  { fiscalYear: 2021, path: 'scripts/data/icd10cm-codes-fy2021.txt', citation: 'cms-icd10cm-fy2021-code-list' },
  { fiscalYear: 2025, path: 'scripts/data/icd10cm-codes-fy2025.txt', citation: 'cms-icd10cm-fy2025-code-list' },
];
export const ICD10_TABLE_PATH = `${root}profiles/icd10.json`;

type Block = Icd10TableFile['blocks'][number];
type Entry = Icd10TableFile['codes'][number];
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** M5450 → M54.50, S161XX → S16.1XX, R52 → R52. */
export function dotted(code: string): string {
  return code.length > 3 ? `${code.slice(0, 3)}.${code.slice(3)}` : code;
}

interface YearCodes {
  /** Dotless code → the 7th characters it takes ('' when it takes none). */
  readonly codes: Map<string, string>;
  /** Codes in the order read. */
  readonly order: string[];
}

/** One fiscal year's list: `M5450`, or `S161XX ADS` for a base that takes a 7th character. */
export function parseYear(text: string, where: string): YearCodes {
  const codes = new Map<string, string>();
  const order: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const m = /^([A-Z][0-9][0-9A-Z]{1,4})(?: ([A-Z]+))?$/.exec(line);
    if (!m?.[1]) throw new Error(`${where} line ${i + 1}: '${line}' is not a code (with its 7th characters)`);
    if (codes.has(m[1])) throw new Error(`${where} line ${i + 1}: ${m[1]} is listed twice`);
    codes.set(m[1], m[2] ?? '');
    order.push(m[1]);
  });
  return { codes, order };
}

interface BlockSpec { readonly block: Block; readonly read: readonly number[] }
interface Boundary { readonly code: string; readonly fiscalYear: number; readonly citation: string }

function parseBlocks(text: string): { blocks: BlockSpec[]; boundaries: Boundary[] } {
  const blocks: BlockSpec[] = [];
  const boundaries: Boundary[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    const where = `${ICD10_BLOCKS_PATH} line ${i + 1}`;
    if (!line || line.startsWith('#')) return;
    const fields = line.split('|').map((f) => f.trim());
    if (line.startsWith('@block ')) {
      const [head = '', from = '', to = '', title = '', readField = '', ...options] = fields;
      const read = /^read=([0-9,]+)$/.exec(readField)?.[1]?.split(',').map(Number);
      if (!read?.length) throw new Error(`${where}: expected read=<fiscal year>,...`);
      const seventh = options.find((o) => o.startsWith('seventh='));
      const years = ICD10_YEARS.filter((y) => read.includes(y.fiscalYear));
      if (years.length !== read.length) throw new Error(`${where}: a fiscal year read has no code list`);
      const id = head.slice('@block '.length).trim();
      const single = read.length === 1;
      blocks.push({
        read,
        block: {
          id, from, to, title, complete: true, confirmed: true, fiscalYearsRead: [...read],
          source: `Every code of ${from === to ? from : `${from} to ${to}`} read in the CMS / CDC ICD-10-CM code list${single ? '' : 's'} of fiscal year${single ? '' : 's'} ${read.join(' and ')} (${years.map((y) => y.path).join(', ')}).${single ? ' Only that year was read for this block: earlier years are not confirmed.' : ''} Codes added or turned into categories between the years read are dated only where a boundary line cites a source.`,
          ...(seventh ? { seventhCharacters: seventh.slice('seventh='.length).split(',').map((pair) => { const [character = '', meaning = ''] = pair.split(':'); return { character, meaning }; }) } : {}),
          citations: [...years.map((y) => y.citation), 'icd10cm-guidelines-2026'],
        },
      });
      return;
    }
    if (line.startsWith('@boundary ')) {
      const [head = '', year = '', cite = ''] = fields;
      const citation = /^cite=([a-z0-9-]+)$/.exec(cite)?.[1];
      if (!citation || !/^[0-9]{4}$/.test(year)) throw new Error(`${where}: expected @boundary <code> | <fiscal year> | cite=<id> | <what>`);
      boundaries.push({ code: head.slice('@boundary '.length).trim(), fiscalYear: Number(year), citation });
      return;
    }
    throw new Error(`${where}: not a @block or @boundary line`);
  });
  return { blocks, boundaries };
}

/** The block whose range holds a dotless code (the most specific one). */
function blockFor(code: string, blocks: readonly BlockSpec[]): BlockSpec | undefined {
  let best: BlockSpec | undefined;
  for (const spec of blocks) {
    const from = spec.block.from.replace('.', '');
    const to = spec.block.to.replace('.', '');
    const inside = code.slice(0, from.length) >= from && code.slice(0, to.length) <= to;
    if (inside && (!best || from.length > best.block.from.replace('.', '').length)) best = spec;
  }
  return best;
}

/** The nearest code above in the same year's list (M5450 → M545, S161XX → S161). */
function parentIn(code: string, year: YearCodes): string | undefined {
  for (let cut = code.length - 1; cut >= 3; cut--) if (year.codes.has(code.slice(0, cut))) return code.slice(0, cut);
  return undefined;
}

type State = { kind: 'billable' } | { kind: 'category' } | { kind: 'seventh'; characters: string };

function stateIn(code: string, year: YearCodes, parents: ReadonlySet<string>): State {
  const seventh = year.codes.get(code) ?? '';
  if (seventh) return { kind: 'seventh', characters: seventh };
  return parents.has(code) ? { kind: 'category' } : { kind: 'billable' };
}

/** Parses the inputs into the table (pure, so the staleness test can compare). */
export function buildIcd10Table(blocksText: string, yearTexts: ReadonlyMap<number, string>): Icd10TableFile {
  const { blocks, boundaries } = parseBlocks(blocksText);
  const years = new Map<number, YearCodes>();
  const parentsOf = new Map<number, Set<string>>();
  for (const { fiscalYear, path } of ICD10_YEARS) {
    const text = yearTexts.get(fiscalYear);
    if (text === undefined) throw new Error(`no code list for fiscal year ${fiscalYear}`);
    const year = parseYear(text, path);
    years.set(fiscalYear, year);
    parentsOf.set(fiscalYear, new Set([...year.codes.keys()].map((c) => parentIn(c, year)).filter((p): p is string => !!p)));
  }
  const latest = ICD10_YEARS[ICD10_YEARS.length - 1]?.fiscalYear ?? 0;
  const order: string[] = [];
  const seen = new Set<string>();
  for (const { fiscalYear } of [...ICD10_YEARS].reverse()) {
    for (const code of years.get(fiscalYear)?.order ?? []) {
      const spec = blockFor(code, blocks);
      if (!spec) throw new Error(`fiscal year ${fiscalYear}: ${code} is in no block`);
      if (spec.read.includes(fiscalYear) && !seen.has(code)) { seen.add(code); order.push(code); }
    }
  }
  const rank = (code: string) => blocks.indexOf(blockFor(code, blocks) as BlockSpec);
  order.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const boundaryOf = new Map(boundaries.map((b) => [b.code.replace('.', ''), b]));
  const entries = new Map<string, Mutable<Entry>>();
  for (const code of order) {
    const spec = blockFor(code, blocks);
    if (!spec) continue;
    const states = spec.read.map((fy) => {
      const year = years.get(fy);
      return { fy, state: year?.codes.has(code) ? stateIn(code, year, parentsOf.get(fy) ?? new Set()) : undefined };
    });
    const present = states.filter((s) => s.state);
    const first = present[0];
    const last = present[present.length - 1];
    if (!first?.state || !last?.state) continue;
    if (last.fy !== spec.read[spec.read.length - 1]) throw new Error(`${dotted(code)} is not in the latest fiscal year read for its block: a deletion needs handling`);
    const entry: Mutable<Entry> = { code: dotted(code), billable: last.state.kind === 'billable', block: spec.block.id };
    if (last.state.kind === 'seventh') entry.seventhCharacters = last.state.characters;
    const absentBefore = states.filter((s) => !s.state && s.fy < first.fy).pop();
    const parentBoundary = boundaryOf.get(parentIn(code, years.get(first.fy) ?? { codes: new Map(), order: [] }) ?? '');
    if (absentBefore) {
      if (parentBoundary && parentBoundary.fiscalYear > absentBefore.fy && parentBoundary.fiscalYear <= first.fy) {
        entry.validFrom = parentBoundary.fiscalYear;
        entry.citations = [parentBoundary.citation, ...spec.block.citations];
      } else {
        entry.validFrom = first.fy;
        entry.absentThrough = absentBefore.fy;
      }
    }
    const wasBillable = present.filter((s) => s.state?.kind === 'billable').pop();
    if (last.state.kind === 'category' && wasBillable) {
      const becameCategory = present.find((s) => s.fy > wasBillable.fy && s.state?.kind === 'category');
      const boundary = boundaryOf.get(code);
      entry.billableThrough = wasBillable.fy;
      entry.categoryFrom = becameCategory?.fy ?? latest;
      if (boundary && boundary.fiscalYear > wasBillable.fy && boundary.fiscalYear <= entry.categoryFrom) {
        entry.billableThrough = boundary.fiscalYear - 1;
        entry.categoryFrom = boundary.fiscalYear;
        entry.citations = [boundary.citation, ...spec.block.citations];
      }
    } else if (present.some((s) => s.state?.kind !== last.state?.kind)) {
      throw new Error(`${dotted(code)} changed from ${present.map((s) => s.state?.kind).join(' to ')}: not handled`);
    }
    entries.set(code, entry);
  }
  for (const b of boundaries) if (!entries.get(b.code.replace('.', ''))?.citations) throw new Error(`boundary ${b.code} matched no change in the code lists`);
  const children = new Map<string, string[]>();
  for (const code of order) {
    const parent = [...ICD10_YEARS].reverse().map((y) => (years.get(y.fiscalYear)?.codes.has(code) ? parentIn(code, years.get(y.fiscalYear) as YearCodes) : undefined)).find(Boolean);
    if (parent && entries.has(parent)) children.set(parent, [...(children.get(parent) ?? []), dotted(code)]);
  }
  return {
    $schema: './icd10.schema.json',
    system: 'http://hl7.org/fhir/sid/icd-10-cm',
    citations: [...ICD10_YEARS.map((y) => y.citation), 'icd10cm-guidelines-2026'],
    note: 'Generated by scripts/generate-icd10.ts from scripts/data/icd10cm-blocks.txt and the code lists of each fiscal year read: edit those, not this table. Every code of the blocks a dry-needling visit is linked to, with its billable flag and the fiscal years it is known to be valid in. A code inside a block that is not listed is refused as unknown; a code outside every block is linked as entered and marked as not checked by NeedleChart.',
    generatedFrom: [ICD10_BLOCKS_PATH, ...ICD10_YEARS.map((y) => y.path)],
    fiscalYearsRead: ICD10_YEARS.map((y) => y.fiscalYear),
    blocks: blocks.map((s) => s.block),
    codes: order.flatMap((code) => {
      const entry = entries.get(code);
      if (!entry) return [];
      const below = children.get(code);
      return [below ? { ...entry, children: below } : entry];
    }),
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
  const yearTexts = new Map<number, string>();
  for (const y of ICD10_YEARS) yearTexts.set(y.fiscalYear, await readFile(`${root}${y.path}`, 'utf8'));
  return formatIcd10Table(buildIcd10Table(await readFile(`${root}${ICD10_BLOCKS_PATH}`, 'utf8'), yearTexts));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await writeFile(ICD10_TABLE_PATH, await generateIcd10());
  console.log(`wrote ${ICD10_TABLE_PATH}`);
}
