import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseSession } from '../../src/domain/validate-session.js';
import { OperationOutcomeError } from '../../src/outcome/operation-outcome-error.js';
import { loadProfiles, type LoadedProfiles } from '../../src/profiles/load-profiles.js';
import { createCore, type Core } from '../../src/service/core.js';
import { requireSession } from '../../src/service/preview-session.js';
import { fullSession } from '../support/fixtures.js';

const EXAMPLES_DIR = new URL('../../examples/sessions/', import.meta.url);

function readJson(url: URL): unknown {
  return JSON.parse(readFileSync(url, 'utf8')) as unknown;
}

const example: unknown = readJson(new URL('neck-4-muscles-investigational.json', EXAMPLES_DIR));

let loaded: LoadedProfiles;
let core: Core;
beforeAll(async () => {
  [loaded, core] = await Promise.all([loadProfiles(), createCore()]);
});

const parse = (input: unknown) => parseSession(input, loaded.check, loaded.profiles);

// ---- Path helpers: the example is untyped JSON, so walk it as `unknown` and narrow at each step. ----

type Key = string | number;
type Container = Record<string, unknown> | unknown[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function childOf(node: unknown, key: Key, path: readonly Key[]): unknown {
  if (Array.isArray(node) && typeof key === 'number') return node[key];
  if (isRecord(node) && typeof key === 'string') return node[key];
  throw new Error(`cannot step into ${String(key)} on the way to ${path.join('.')}`);
}

function parentOf(root: unknown, path: readonly Key[]): { parent: Container; key: Key } {
  const key = path.at(-1);
  if (key === undefined) throw new Error('a path needs at least one key');
  let node = root;
  for (const step of path.slice(0, -1)) node = childOf(node, step, path);
  if (!Array.isArray(node) && !isRecord(node)) throw new Error(`${path.join('.')} has no parent object or list`);
  return { parent: node, key };
}

/** Sets the value at `path` (the parent must exist). */
function set(root: unknown, path: readonly Key[], value: unknown): void {
  const { parent, key } = parentOf(root, path);
  if (Array.isArray(parent) && typeof key === 'number') parent[key] = value;
  else if (isRecord(parent) && typeof key === 'string') parent[key] = value;
  else throw new Error(`cannot set ${path.join('.')}`);
}

/** Removes the field (or list entry) at `path`. */
function remove(root: unknown, path: readonly Key[]): void {
  const { parent, key } = parentOf(root, path);
  if (Array.isArray(parent) && typeof key === 'number') parent.splice(key, 1);
  else if (isRecord(parent) && typeof key === 'string') delete parent[key];
  else throw new Error(`cannot remove ${path.join('.')}`);
}

/** A deep copy of the valid example with one thing broken. */
function broken(mutate: (session: unknown) => void): unknown {
  const session = structuredClone(example);
  mutate(session);
  return session;
}

// ---- 1. Example sessions ----

describe('example sessions', () => {
  const files = readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json')).sort();

  it('finds the three example sessions (investigational neck, Medicare attended e-stim, first visit without outcomes)', () => {
    expect(files).toEqual(['first-visit-no-outcomes.json', 'medicare-attended-estim.json', 'neck-4-muscles-investigational.json']);
  });

  it('every example session in examples/sessions validates', () => {
    for (const file of files) {
      const result = parse(readJson(new URL(file, EXAMPLES_DIR)));
      expect(result, file).toEqual({ ok: true, session: expect.anything() });
    }
  });
});

// ---- 2. One broken thing at a time ----

interface BadCase {
  /** What is broken, in words. */
  readonly what: string;
  readonly path: string;
  /** Exact message, or a pattern where the text carries profile prose. */
  readonly message: string | RegExp;
  readonly mutate: (session: unknown) => void;
}

const NOT_A_MUSCLE = 'xyz';

const badCases: readonly BadCase[] = [
  // Missing required fields
  { what: 'date is missing', path: 'date', message: 'date is required', mutate: (s) => remove(s, ['date']) },
  { what: 'performer is missing', path: 'performer', message: 'performer is required', mutate: (s) => remove(s, ['performer']) },
  { what: 'consent is missing', path: 'consent', message: 'consent is required', mutate: (s) => remove(s, ['consent']) },
  { what: 'muscles is missing', path: 'muscles', message: 'muscles is required', mutate: (s) => remove(s, ['muscles']) },
  { what: 'consent.obtained is missing', path: 'consent.obtained', message: 'consent.obtained is required', mutate: (s) => remove(s, ['consent', 'obtained']) },
  { what: 'a diagnosis has no display', path: 'diagnoses[0].display', message: 'diagnoses[0].display is required', mutate: (s) => remove(s, ['diagnoses', 0, 'display']) },

  // Unknown fields
  { what: 'an unknown top-level field is present', path: 'foo', message: 'foo is not a recognised field', mutate: (s) => set(s, ['foo'], 1) },
  { what: 'an unknown field is on a muscle', path: 'muscles[0].foo', message: 'muscles[0].foo is not a recognised field', mutate: (s) => set(s, ['muscles', 0, 'foo'], 'bar') },
  { what: 'an unknown field is on the needle', path: 'needle.brand', message: 'needle.brand is not a recognised field', mutate: (s) => set(s, ['needle', 'brand'], 'Seirin') },

  // Wrong enum values
  { what: 'side is middle', path: 'muscles[2].side', message: 'muscles[2].side must be left or right', mutate: (s) => set(s, ['muscles', 2, 'side'], 'middle') },
  { what: 'depth is medium', path: 'muscles[0].depth', message: 'muscles[0].depth must be superficial or deep', mutate: (s) => set(s, ['muscles', 0, 'depth'], 'medium') },
  {
    what: 'technique is fanning',
    path: 'muscles[3].technique',
    message: 'muscles[3].technique must be static, pistoning, rotation or pistoning-rotation',
    mutate: (s) => set(s, ['muscles', 3, 'technique'], 'fanning'),
  },
  { what: 'billing is insurance', path: 'billing', message: 'billing must be bill-payer, self-pay or document-only', mutate: (s) => set(s, ['billing'], 'insurance') },
  {
    what: 'adverse event severity is catastrophic',
    path: 'adverseEvents[0].severity',
    message: 'adverseEvents[0].severity must be mild, moderate or severe',
    mutate: (s) => set(s, ['adverseEvents', 0, 'severity'], 'catastrophic'),
  },

  // Wrong types
  { what: 'needles is the text "2"', path: 'muscles[0].needles', message: 'muscles[0].needles must be a whole number', mutate: (s) => set(s, ['muscles', 0, 'needles'], '2') },
  { what: 'diameterMm is the text "0.25"', path: 'needle.diameterMm', message: 'needle.diameterMm must be a number', mutate: (s) => set(s, ['needle', 'diameterMm'], '0.25') },
  { what: 'consent.obtained is the number 1', path: 'consent.obtained', message: 'consent.obtained must be true or false', mutate: (s) => set(s, ['consent', 'obtained'], 1) },
  {
    what: 'dryNeedlingCertified is the number 0',
    path: 'performer.dryNeedlingCertified',
    message: 'performer.dryNeedlingCertified must be true or false',
    mutate: (s) => set(s, ['performer', 'dryNeedlingCertified'], 0),
  },
  { what: 'date is a number', path: 'date', message: 'date must be text', mutate: (s) => set(s, ['date'], 20261120) },
  { what: 'date uses a spelling FHIR refuses (lowercase t, offset without colon; found by fuzzing)', path: 'date', message: 'date must be a date and time with a UTC offset, such as 2026-11-20T14:30:00-05:00', mutate: (s) => set(s, ['date'], '2026-11-20t14:30:00+0530') },
  { what: 'a muscle id is empty (found by fuzzing)', path: 'muscles[0].muscle', message: 'muscles[0].muscle must not be empty', mutate: (s) => set(s, ['muscles', 0, 'muscle'], '') },
  { what: 'muscles is a single object', path: 'muscles', message: 'muscles must be a list', mutate: (s) => set(s, ['muscles'], { muscle: 'upper-trapezius' }) },

  // Out-of-range numbers
  { what: 'needles is 0', path: 'muscles[0].needles', message: 'muscles[0].needles must be between 1 and 50', mutate: (s) => set(s, ['muscles', 0, 'needles'], 0) },
  { what: 'needles is 1.5', path: 'muscles[1].needles', message: 'muscles[1].needles must be a whole number', mutate: (s) => set(s, ['muscles', 1, 'needles'], 1.5) },
  {
    what: 'retentionSeconds is 1801',
    path: 'muscles[3].retentionSeconds',
    message: 'muscles[3].retentionSeconds must be between 0 and 1800',
    mutate: (s) => set(s, ['muscles', 3, 'retentionSeconds'], 1801),
  },
  { what: 'painPre is 11', path: 'outcomes.painPre', message: 'outcomes.painPre must be between 0 and 10', mutate: (s) => set(s, ['outcomes', 'painPre'], 11) },
  { what: 'painPost is -1', path: 'outcomes.painPost', message: 'outcomes.painPost must be between 0 and 10', mutate: (s) => set(s, ['outcomes', 'painPost'], -1) },
  { what: 'diameterMm is 0', path: 'needle.diameterMm', message: 'needle.diameterMm must be greater than 0 and at most 1', mutate: (s) => set(s, ['needle', 'diameterMm'], 0) },
  { what: 'lengthMm is 200', path: 'needle.lengthMm', message: 'needle.lengthMm must be between 5 and 150', mutate: (s) => set(s, ['needle', 'lengthMm'], 200) },

  // Lists and catalogs
  { what: 'the muscles list is empty', path: 'muscles', message: 'muscles must have at least 1 entry', mutate: (s) => set(s, ['muscles'], []) },
  {
    what: 'a needled muscle is not in the catalog',
    path: 'muscles[0].muscle',
    message: `muscles[0].muscle '${NOT_A_MUSCLE}' is not in the muscle catalog`,
    mutate: (s) => set(s, ['muscles', 0, 'muscle'], NOT_A_MUSCLE),
  },
  {
    what: 'an e-stim muscle is not in the catalog',
    path: 'estim.muscles[0].muscle',
    message: `estim.muscles[0].muscle '${NOT_A_MUSCLE}' is not in the muscle catalog`,
    mutate: (s) => set(s, ['estim', 'muscles', 0, 'muscle'], NOT_A_MUSCLE),
  },
  {
    what: 'an adverse-event muscle is not in the catalog',
    path: 'adverseEvents[0].muscle',
    message: `adverseEvents[0].muscle '${NOT_A_MUSCLE}' is not in the muscle catalog`,
    mutate: (s) => set(s, ['adverseEvents', 0, 'muscle'], NOT_A_MUSCLE),
  },
  {
    what: 'another service of the visit is not in the code table (97032 is e-stim, not another service)',
    path: 'services[0].code',
    message: "services[0].code '97032' is not in the code table's other services of a visit",
    mutate: (s) => set(s, ['services'], [{ code: '97032', minutes: 10 }]),
  },
  { what: 'the payer is unknown', path: 'payer', message: "payer 'acme-health' is not in the payer policies", mutate: (s) => set(s, ['payer'], 'acme-health') },
  {
    what: 'the outcome instrument is unknown',
    path: 'outcomes.measures[0].instrument',
    message: "outcomes.measures[0].instrument 'XYZ' is not in the outcome instruments",
    mutate: (s) => set(s, ['outcomes', 'measures', 0, 'instrument'], 'XYZ'),
  },

  // Patterns, formats and constants
  {
    what: 'the date is day/month/year',
    path: 'date',
    message: 'date must be a date and time with a UTC offset, such as 2026-11-20T14:30:00-05:00',
    mutate: (s) => set(s, ['date'], '20/11/2026'),
  },
  {
    what: 'the date has no UTC offset',
    path: 'date',
    message: 'date must be a date and time with a UTC offset, such as 2026-11-20T14:30:00-05:00',
    mutate: (s) => set(s, ['date'], '2026-11-20T14:30:00'),
  },
  {
    what: 'performer.reference is not a Practitioner reference',
    path: 'performer.reference',
    message: 'performer.reference must be a reference such as Practitioner/pt-rivera',
    mutate: (s) => set(s, ['performer', 'reference'], 'Doctor/pt-rivera'),
  },
  {
    what: 'performer.state is spelled out',
    path: 'performer.state',
    message: 'performer.state must be a two-letter US state code such as CO',
    mutate: (s) => set(s, ['performer', 'state'], 'Colorado'),
  },
  {
    what: 'the ICD-10 code has no dot and a wrong shape',
    path: 'diagnoses[0].code',
    message: 'diagnoses[0].code must be an ICD-10-CM code such as M54.2',
    mutate: (s) => set(s, ['diagnoses', 0, 'code'], 'm5412'),
  },
  {
    what: 'the diagnosis system is SNOMED',
    path: 'diagnoses[1].system',
    message: 'diagnoses[1].system must be http://hl7.org/fhir/sid/icd-10-cm',
    mutate: (s) => set(s, ['diagnoses', 1, 'system'], 'http://snomed.info/sct'),
  },
  { what: 'needle.type is empty', path: 'needle.type', message: 'needle.type must not be empty', mutate: (s) => set(s, ['needle', 'type'], '') },

  // Cross-field rules (checked after the schema passes)
  {
    what: 'a twitch count is given though no twitch was elicited',
    path: 'muscles[1].twitch.count',
    message: 'muscles[1].twitch.count must be 0 or left out when no twitch was elicited',
    mutate: (s) => set(s, ['muscles', 1, 'twitch', 'elicited'], false),
  },
  {
    what: 'a diagnosis code is repeated',
    path: 'diagnoses[1].code',
    message: 'diagnoses[1].code M79.12 repeats diagnoses[0]',
    mutate: (s) => set(s, ['diagnoses', 1, 'code'], 'M79.12'),
  },
  {
    what: 'the NDI score is 60',
    path: 'outcomes.measures[0].score',
    // The tail quotes the instrument's scoreNote from profiles/outcome-measures.json.
    message: /^outcomes\.measures\[0\]\.score 60 is outside the NDI range 0–50; the raw total of 10 items scored 0-5/,
    mutate: (s) => set(s, ['outcomes', 'measures', 0, 'score'], 60),
  },
];

describe('parseSession with one broken thing', () => {
  it('has at least 25 distinct cases', () => {
    expect(badCases.length).toBeGreaterThanOrEqual(25);
    expect(new Set(badCases.map((c) => c.what)).size).toBe(badCases.length);
  });

  it('starts from an example that is valid', () => {
    expect(parse(structuredClone(example)).ok).toBe(true);
  });

  // Positional %s keeps the names unquoted and untruncated (the $field form quotes and cuts at 40 characters).
  it.each(badCases.map((c) => [c.what, c.path, c] as const))('when %s, then %s is named', (_what, path, { message, mutate }) => {
    const result = parse(broken(mutate));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toContainEqual({ path, message: typeof message === 'string' ? message : expect.stringMatching(message) });
  });
});

// ---- 3. Several problems at once ----

const threeProblems = (): unknown =>
  broken((s) => {
    set(s, ['muscles', 2, 'side'], 'middle');
    set(s, ['muscles', 0, 'muscle'], NOT_A_MUSCLE);
    remove(s, ['consent', 'obtained']);
  });

const threeIssues = [
  { path: 'muscles[2].side', message: 'muscles[2].side must be left or right' },
  { path: 'muscles[0].muscle', message: `muscles[0].muscle '${NOT_A_MUSCLE}' is not in the muscle catalog` },
  { path: 'consent.obtained', message: 'consent.obtained is required' },
];

describe('parseSession with several problems', () => {
  it('reports a bad side, an unknown muscle and a missing consent.obtained in one call', () => {
    const result = parse(threeProblems());
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toHaveLength(3);
    expect(result.issues).toEqual(expect.arrayContaining(threeIssues));
  });
});

// ---- 4. Not an object at all ----

describe('parseSession with a non-object', () => {
  it.each([
    ['null', null],
    ['a number', 42],
    ['text', 'text'],
    ['a list', []],
  ] as const)('rejects %s as not a group of fields, without throwing', (_label, input) => {
    let result: ReturnType<typeof parse> | undefined;
    expect(() => {
      result = parse(input);
    }).not.toThrow();
    expect(result).toEqual({ ok: false, issues: [{ path: '', message: 'The document must be a group of fields' }] });
  });
});

// ---- 5. requireSession → 422 OperationOutcomeError ----

function caught(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}

describe('requireSession', () => {
  it('returns the session and its payer policy for a valid input', () => {
    const { session, payer } = requireSession(structuredClone(example), core);
    expect(payer.id).toBe(session.payer);
  });

  it('throws a 422 OperationOutcomeError with one issue per problem, each with its path as expression', () => {
    expect(() => requireSession(threeProblems(), core)).toThrow(expect.objectContaining({ status: 422 }));

    const error = caught(() => requireSession(threeProblems(), core));
    expect(error).toBeInstanceOf(OperationOutcomeError);
    if (!(error instanceof OperationOutcomeError)) return;
    expect(error.status).toBe(422);
    expect(error.outcome.resourceType).toBe('OperationOutcome');
    expect(error.outcome.issue).toHaveLength(threeIssues.length);
    for (const { path, message } of threeIssues) {
      const issue = error.outcome.issue.find((i) => i.diagnostics === message);
      expect(issue, message).toBeDefined();
      expect(issue?.expression).toEqual([path]);
      expect(issue?.severity).toBe('error');
      expect(issue?.code).toBe('invalid');
    }
  });

  it('throws 422 for a cross-field problem too, naming its path', () => {
    const input = broken((s) => set(s, ['muscles', 1, 'twitch', 'elicited'], false));
    const error = caught(() => requireSession(input, core));
    expect(error).toBeInstanceOf(OperationOutcomeError);
    if (!(error instanceof OperationOutcomeError)) return;
    expect(error.status).toBe(422);
    expect(error.outcome.issue.map((i) => i.expression)).toEqual([['muscles[1].twitch.count']]);
  });

  it('throws 422 without an expression when the whole document is wrong', () => {
    const error = caught(() => requireSession(null, core));
    expect(error).toBeInstanceOf(OperationOutcomeError);
    if (!(error instanceof OperationOutcomeError)) return;
    expect(error.status).toBe(422);
    expect(error.outcome.issue).toEqual([{ severity: 'error', code: 'invalid', diagnostics: 'The document must be a group of fields' }]);
  });
});

describe('catalog fields given the wrong type', () => {
  it.each([
    [['payer'], {}, 'payer', 'payer must be text'],
    [['muscles', 0, 'muscle'], 42, 'muscles[0].muscle', 'muscles[0].muscle must be text'],
  ] as const)('when %j is %j, then only the type error is reported, not an unknown id', (path, value, field, message) => {
    const result = parse(broken((s) => set(s, path, value)));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.filter((i) => i.path === field)).toEqual([{ path: field, message }]);
  });
});

// ---- 6. Free text: control characters and lone surrogates ----

/** Every free-text field of the session, as a path into fullSession() and its field path in messages. */
const FREE_TEXT: readonly (readonly [readonly Key[], string, 'single-line' | 'multi-line'])[] = [
  [['performer', 'display'], 'performer.display', 'single-line'],
  [['diagnoses', 0, 'display'], 'diagnoses[0].display', 'single-line'],
  [['screening', 'contraindications', 0], 'screening.contraindications[0]', 'single-line'],
  [['screening', 'precautions', 1], 'screening.precautions[1]', 'single-line'],
  [['needle', 'type'], 'needle.type', 'single-line'],
  [['muscles', 2, 'precaution'], 'muscles[2].precaution', 'single-line'],
  [['muscles', 0, 'notes'], 'muscles[0].notes', 'multi-line'],
  [['estim', 'waveform'], 'estim.waveform', 'single-line'],
  [['estim', 'intensity'], 'estim.intensity', 'single-line'],
  [['outcomes', 'rom', 1, 'movement'], 'outcomes.rom[1].movement', 'single-line'],
  [['outcomes', 'measures', 2, 'activities', 1], 'outcomes.measures[2].activities[1]', 'single-line'],
  [['adverseEvents', 0, 'type'], 'adverseEvents[0].type', 'single-line'],
  [['response'], 'response', 'multi-line'],
  [['plan'], 'plan', 'multi-line'],
  [['estim', 'justification'], 'estim.justification', 'multi-line'],
  [['necessity', 'chiefComplaint'], 'necessity.chiefComplaint', 'single-line'],
  [['necessity', 'duration'], 'necessity.duration', 'single-line'],
  [['necessity', 'priorCare', 1, 'treatment'], 'necessity.priorCare[1].treatment', 'single-line'],
  [['necessity', 'priorCare', 0, 'result'], 'necessity.priorCare[0].result', 'single-line'],
  [['necessity', 'functionalLimitation'], 'necessity.functionalLimitation', 'multi-line'],
  [['necessity', 'goal'], 'necessity.goal', 'multi-line'],
  [['planOfCare', 'certifiedBy'], 'planOfCare.certifiedBy', 'single-line'],
  [['goalProgress'], 'goalProgress', 'multi-line'],
];

function valueAt(root: unknown, path: readonly Key[]): unknown {
  return path.reduce<unknown>((node, key) => childOf(node, key, path), root);
}

describe('free text with control characters and lone surrogates', () => {
  it.each(FREE_TEXT.map(([path, field]) => [field, path] as const))('when %s holds a lone UTF-16 surrogate, then it is refused, naming the field', (field, path) => {
    const input = structuredClone(fullSession()) as unknown;
    set(input, path, 'taut band \ud800 at L3');
    const result = parse(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([{ path: field, message: `${field} contains a character that cannot be stored; retype it or paste it as plain text` }]);
  });

  it('when a lone surrogate reaches the API, then 422 with an OperationOutcome naming the field', () => {
    const error = caught(() => requireSession({ ...fullSession(), plan: 'x\udfffy' }, core));
    expect(error).toBeInstanceOf(OperationOutcomeError);
    if (!(error instanceof OperationOutcomeError)) return;
    expect(error.status).toBe(422);
    expect(error.outcome.issue).toEqual([{ severity: 'error', code: 'invalid', diagnostics: 'plan contains a character that cannot be stored; retype it or paste it as plain text', expression: ['plan'] }]);
  });

  it.each(FREE_TEXT.map(([path, field, kind]) => [field, kind, path] as const))('when %s (%s) holds control characters, then they are removed and its line breaks and tabs kept only where it has lines', (field, kind, path) => {
    const input = structuredClone(fullSession()) as unknown;
    set(input, path, 'one\ttwo\r\nthree\rfour\nfive\u0000six\u0007\u001b[31m\u007f\u0085seven \u{1F600}');
    const result = parse(input);
    expect(result.ok, field).toBe(true);
    if (!result.ok) return;
    expect(valueAt(result.session, path)).toBe(kind === 'multi-line' ? 'one\ttwo\nthree\nfour\nfivesix[31mseven \u{1F600}' : 'one two three four fivesix[31mseven \u{1F600}');
  });

  it('when a required field holds nothing but control characters, then it is refused as empty', () => {
    const result = parse({ ...fullSession(), needle: { ...fullSession().needle, type: '\u0000\u0001\u0002' } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([{ path: 'needle.type', message: 'needle.type must not be empty' }]);
  });

  it('when free text holds a long run of control characters, then the length limit counts the text that is kept', () => {
    const result = parse({ ...fullSession(), needle: { ...fullSession().needle, type: `${'\u0001'.repeat(500)}solid filiform` } });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.session.needle.type).toBe('solid filiform');
  });

  it('when the session schema is read, then every text field that is not a code, id, date or catalog entry is marked as free text, and those are exactly the fields above', () => {
    const schema = readJson(new URL('../../profiles/session.schema.json', import.meta.url)) as { properties: Record<string, unknown>; definitions: Record<string, unknown> };
    const unmarked: string[] = [];
    const marked: string[] = [];
    const walk = (node: unknown, where: string): void => {
      if (!isRecord(node)) return;
      if (node.type === 'string') {
        const coded = ['enum', 'const', 'pattern', 'format', 'catalog', '$ref'].some((k) => k in node);
        if (typeof node.freeText === 'string') marked.push(`${where}:${node.freeText}`);
        else if (!coded) unmarked.push(where);
      }
      for (const [key, value] of Object.entries(node)) if (key === 'properties' || key === 'definitions') for (const [name, child] of Object.entries(value as Record<string, unknown>)) walk(child, `${where}/${name}`);
      if (isRecord(node.items)) walk(node.items, `${where}[]`);
    };
    walk(schema, '');
    expect(unmarked).toEqual([]);
    expect(marked.filter((m) => m.endsWith(':multi-line')).sort()).toEqual(['/estim/justification:multi-line', '/goalProgress:multi-line', '/necessity/functionalLimitation:multi-line', '/necessity/goal:multi-line', '/needledMuscle/notes:multi-line', '/plan:multi-line', '/response:multi-line']);
    expect(marked).toHaveLength(FREE_TEXT.length);
  });
});

// ---- 7. Outcomes: questionnaire answers against their score, range of motion by unit ----

describe('questionnaire answers and range-of-motion units', () => {
  const withOutcomes = (outcomes: unknown): unknown => ({ ...fullSession(), outcomes });
  const issuesOf = (input: unknown) => {
    const result = parse(input);
    return result.ok ? [] : result.issues;
  };

  it('when an NDI is given with answers and the score they make, then the session is valid and keeps the answers', () => {
    const result = parse(withOutcomes({ measures: [{ instrument: 'NDI', score: 13, answers: [1, 2, 0, 3, 1, 2, 1, 0, 2, 1] }] }));
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.session.outcomes?.measures?.[0]?.answers).toEqual([1, 2, 0, 3, 1, 2, 1, 0, 2, 1]);
  });

  it('when the score is not the one its answers make, then the error names outcomes.measures[i].score and both numbers in words', () => {
    const issues = issuesOf(withOutcomes({ measures: [{ instrument: 'LEFS', score: 51 }, { instrument: 'NDI', score: 15, answers: [1, 2, 0, 3, 1, 2, 1, 0, 2, 1] }] }));
    expect(issues).toEqual([{ path: 'outcomes.measures[1].score', message: 'The Neck Disability Index score is 15, but its answers score 13 by the instrument’s published scoring: correct the score or the answers.' }]);
  });

  it('when an answer is outside its item range, then the error names that answer', () => {
    const issues = issuesOf(withOutcomes({ measures: [{ instrument: 'ODI', score: 32, answers: [2, 2, 1, 2, 9, 2, 1, 2, 1, 2] }] }));
    expect(issues).toEqual([{ path: 'outcomes.measures[0].answers[4]', message: 'Item 5 of the Oswestry Disability Index is 9, but each item is scored 0 to 5.' }]);
  });

  it('when answers are given for an instrument without item scoring, then they are refused in words', () => {
    const issues = issuesOf(withOutcomes({ measures: [{ instrument: 'QuickDASH', score: 20, answers: [1, 2] }] }));
    expect(issues.map((i) => i.path)).toEqual(['outcomes.measures[0].answers']);
    expect(issues[0]?.message).toMatch(/enter its total score instead/);
  });

  it('when PSFS activities and ratings do not pair up, then the error names the activities', () => {
    const issues = issuesOf(withOutcomes({ measures: [{ instrument: 'PSFS', score: 5, answers: [5, 5, 5], activities: ['Gardening', 'Driving'] }] }));
    expect(issues.map((i) => i.path)).toEqual(['outcomes.measures[0].activities']);
  });

  it('when mouth opening is recorded in mm within 0 to 80, then it is valid; at 85 mm it is refused naming the field and the mm range', () => {
    expect(parse(withOutcomes({ rom: [{ movement: 'Mouth opening', unit: 'mm', pre: 28, post: 36 }] })).ok).toBe(true);
    expect(issuesOf(withOutcomes({ rom: [{ movement: 'Mouth opening', unit: 'mm', pre: 28, post: 85 }] }))).toEqual([
      { path: 'outcomes.rom[0].post', message: 'The Mouth opening measurement after treatment is 85, but it must be 0 to 80 mm.' },
    ]);
  });

  it('when a joint angle is 120 degrees it is valid, and above 360 the schema refuses it', () => {
    expect(parse(withOutcomes({ rom: [{ movement: 'Shoulder flexion', unit: 'degrees', pre: 120, post: 150 }] })).ok).toBe(true);
    expect(issuesOf(withOutcomes({ rom: [{ movement: 'Shoulder flexion', unit: 'degrees', pre: 120, post: 400 }] })).map((i) => i.path)).toEqual(['outcomes.rom[0].post']);
  });

  it('when a jaw movement is recorded in degrees, then the unit is refused: the movement is measured in millimetres', () => {
    expect(issuesOf(withOutcomes({ rom: [{ movement: 'mouth opening', unit: 'degrees', pre: 30, post: 40 }] }))).toEqual([
      { path: 'outcomes.rom[0].unit', message: 'mouth opening is measured in millimetres, not degrees.' },
    ]);
  });

  it('when a measurement comes in the old shape (preDegrees, postDegrees, no unit), then the schema refuses it naming the missing fields', () => {
    const paths = issuesOf(withOutcomes({ rom: [{ movement: 'Cervical rotation', preDegrees: 50, postDegrees: 60 }] })).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['outcomes.rom[0].unit', 'outcomes.rom[0].pre', 'outcomes.rom[0].post']));
  });
});
