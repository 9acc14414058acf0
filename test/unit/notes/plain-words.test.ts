import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { main, type CliIo } from '../../../src/cli.js';
import { citationLine } from '../../../src/domain/citations.js';
import type { Session } from '../../../src/domain/types.generated.js';
import type { Core } from '../../../src/service/core.js';
import { analyseSession } from '../../../src/service/preview-session.js';
import { completeSession, exampleSessions, fullSession, testCore } from '../../support/fixtures.js';

/**
 * What a clinician, a payer's reviewer or a compliance officer reads carries no internal text: no
 * development notes or their references, no ISO timestamps, no field paths, no raw enum values. Every
 * template is rendered with every example session and fixture, and the CLI's `codes` and `check`
 * sentences are read too. A publisher's name is allowed only inside a citation line.
 */
let core: Core;
beforeAll(async () => {
  core = await testCore();
});

const SESSIONS: readonly { name: string; session: Session }[] = [
  ...exampleSessions().map(({ file, session }) => ({ name: `examples/sessions/${file}`, session })),
  { name: 'completeSession()', session: completeSession() },
  { name: 'fullSession()', session: fullSession() },
];

/** Development words that must never reach a reader (publishers are allowed inside citation lines). */
const INTERNAL: readonly RegExp[] = [/DOMAIN\.md/, /CITATIONS\.md/, /\bseeds?\b/i, /\bVERIFY\b/, /Codapedia/, /advisory:/i, /not verified from a primary source/i];
const ISO_TIMESTAMP = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const FIELD_PATHS: readonly RegExp[] = [/\w+\[\d+\]/, /\b(?:consent|screening|performer|needle|estim|outcomes|adverseEvents|muscles|diagnoses|twitch)\.[a-zA-Z]+/];

/** Every enum value in the session schema, and the catalogs it is filled with at start-up (muscles, payers, instruments). */
function rawEnumValues(): string[] {
  const schema = JSON.parse(readFileSync(new URL('../../../profiles/session.schema.json', import.meta.url), 'utf8')) as unknown;
  const values: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (Array.isArray(record.enum)) values.push(...record.enum.filter((v): v is string => typeof v === 'string'));
    Object.values(record).forEach(walk);
  };
  walk(schema);
  values.push(...core.profiles.muscles.keys(), ...core.profiles.payers.keys(), ...core.profiles.instruments.keys());
  // A single word ("left", "deep", "static", "mild", "masseter", "NDI") reads as plain English; a
  // hyphenated identifier ("bill-payer", "pistoning-rotation", "upper-trapezius") does not.
  return [...new Set(values)].filter((v) => v.includes('-'));
}

/** The text a person reads: markup and addresses dropped, citation lines (where publishers may appear) removed. */
function readable(text: string): string {
  let plain = text.replace(/<[^>]*>/g, ' ').replace(/https?:\/\/\S+/g, ' ').replace(/&[a-z]+;|&#\d+;/g, ' ');
  const lines = [...core.profiles.citations.values()].map(citationLine).sort((a, b) => b.length - a.length);
  for (const line of lines) plain = plain.split(line).join(' ');
  return plain;
}

function problemsIn(text: string, enums: readonly string[]): string[] {
  const plain = readable(text);
  const problems: string[] = [];
  for (const pattern of [...INTERNAL, ISO_TIMESTAMP, ...FIELD_PATHS]) {
    const m = pattern.exec(plain);
    if (m) problems.push(`${pattern}: …${plain.slice(Math.max(0, m.index - 60), m.index + 60)}…`);
  }
  for (const value of enums) {
    const m = new RegExp(`(?<![\\w-])${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`).exec(plain);
    if (m) problems.push(`raw value '${value}': …${plain.slice(Math.max(0, m.index - 60), m.index + 60)}…`);
  }
  return problems;
}

async function cli(command: 'codes' | 'check', session: Session): Promise<string[]> {
  let out = '';
  const io: CliIo = { stdout: (t) => (out += t), stderr: () => undefined, readStdin: async () => JSON.stringify(session), env: {} };
  await main([command, '-'], io);
  const parsed = JSON.parse(out) as {
    codes?: { rationale: string; modifierRationale: { rationale: string }[] }[];
    warnings?: { message: string }[];
    findings?: { message: string }[];
  };
  return [
    ...(parsed.codes ?? []).flatMap((c) => [c.rationale, ...c.modifierRationale.map((m) => m.rationale)]),
    ...(parsed.warnings ?? []).map((w) => w.message),
    ...(parsed.findings ?? []).map((f) => f.message),
  ];
}

describe('words for people', () => {
  it.each(SESSIONS)('when $name is rendered as the note and the payer-review summary (HTML and text), then no internal text, ISO timestamp, field path or raw enum value appears', ({ session }) => {
    const enums = rawEnumValues();
    // As a draft, as a signed note and with an addendum: every state the note can be read in.
    const statuses = [undefined, { signed: { by: 'Alex Rivera, PT, DPT', at: '2026-11-20T20:10:00.123Z' }, addenda: [{ by: 'Sam Chen, PT, DPT', at: '2026-11-21T14:05:00Z', reason: 'Pain after treatment corrected' }] }];
    const problems = statuses.flatMap((status) => {
      const view = analyseSession(session, core, { visitNumber: 2 }, status).view;
      return (['note', 'payer-review'] as const).flatMap((kind) =>
        (['html', 'text'] as const).flatMap((format) => problemsIn(core.renderer.render(kind, format, view), enums).map((p) => `${status ? 'signed ' : 'draft '}${kind}.${format} ${p}`)),
      );
    });
    expect(problems).toEqual([]);
  });

  it.each(SESSIONS)('when $name goes through `needlechart codes` and `check`, then every rationale and message is plain words', async ({ session }) => {
    const enums = rawEnumValues();
    const sentences = [...(await cli('codes', session)), ...(await cli('check', session))];
    expect(sentences.length).toBeGreaterThan(0);
    expect(sentences.flatMap((s) => problemsIn(s, enums))).toEqual([]);
  });

  it('when the checker meets the text it guards against, then it reports each kind (so a pass means something)', () => {
    const enums = rawEnumValues();
    expect(problemsIn(`unit = distinct muscle (${['DOMAIN', 'md'].join('.')}; ${['se', 'ed'].join('')} 003; Codapedia)`, enums).length).toBeGreaterThanOrEqual(3);
    expect(problemsIn('Created 2026-11-20T14:30:00.000Z', enums)).toHaveLength(1);
    expect(problemsIn('WARNING muscles[0].precaution: record it', enums).length).toBeGreaterThan(0);
    expect(problemsIn('INFO (performer.state)', enums)).toHaveLength(1);
    expect(problemsIn('Billing: bill-payer; technique pistoning-rotation', enums)).toHaveLength(2);
    expect(problemsIn('left deep static mild; the patient self-pays', enums)).toEqual([]);
  });
});

describe('field words for every finding', () => {
  it('when a record missing nearly everything is checked, then every finding names its field in words (capitalised, no camelCase or dotted path)', () => {
    const bare = completeSessionForWords();
    const { view } = analyseSession(bare, core, { visitNumber: 3, previousNarrative: { date: '2026-11-13', response: bare.response ?? '' } });
    expect(view.readiness.findings.length).toBeGreaterThan(10);
    const raw = view.readiness.findings.map((f) => f.field).filter((field) => !/^[A-Z]/.test(field) || /[a-z][A-Z]|\w\.\w/.test(field));
    expect(raw).toEqual([]);
  });
});

/** A Medicare visit with attended e-stim and nothing of the record's newer parts: every rule has something to say. */
function completeSessionForWords(): Session {
  return {
    ...completeSession({ necessity: undefined }),
    payer: 'medicare',
    estim: { applied: true, attended: true, minutes: 20, frequencyHz: 2, waveform: 'biphasic', intensity: 'strong', muscles: [] },
    necessity: undefined,
    planOfCare: undefined,
    goalProgress: undefined,
    abn: undefined,
    practices: undefined,
    response: 'Tolerated well.',
  } as Session;
}
