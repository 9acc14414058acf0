/**
 * Property-based (fast-check) properties of the session pipeline and the HTTP endpoints, shared by
 * the vitest suites under test/unit/fuzz/*.property.test.ts (few runs, fast) and by
 * scripts/fuzz-long.ts (many runs). Every property is an fc.asyncProperty; callers choose numRuns.
 *
 * The propertyKnownBug* properties state behaviour the product should have but does not yet (bugs
 * found by fuzzing, reported, not fixed here). The suites assert that each still fails with its
 * SYMPTOM_* message: the test passes while the bug reproduces exactly as reported, and fails once it
 * is fixed (the signal to move the property to the regular list) or if it fails some other way. The
 * long script reports them apart.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { Express } from 'express';
import fc from 'fast-check';
import Handlebars from 'handlebars';
import request from 'supertest';
import { hasLoneSurrogate, keptText, type FreeTextKind } from '../../src/domain/free-text.js';
import type { Session } from '../../src/domain/types.generated.js';
import { validateBundleResources, type R4SchemaValidator } from '../../src/fhir/r4-schema-validator.js';
import { toVisitTransaction } from '../../src/fhir/visit-bundle.js';
import { OperationOutcomeError } from '../../src/outcome/operation-outcome-error.js';
import type { Core } from '../../src/service/core.js';
import { analyseSession, type SessionAnalysis } from '../../src/service/preview-session.js';
import { completeSession, exampleSession, fullSession } from './fixtures.js';

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

/** Length as the session schema (ajv, unicode) counts it: code points, a lone surrogate counting one. */
export const codePoints = (s: string): number => [...s].length;

const NEEDLING_CODES = new Set(['20560', '20561', '20999']);
const TARGET = { patient: 'Patient/p-1', encounter: 'Encounter/e-1' } as const;
const NOW = '2026-11-20T20:00:00.000Z';

/** A property's failure with the evidence in its message (fast-check prints the counterexample too). */
function fail(message: string, detail?: unknown): never {
  throw new Error(detail === undefined ? message : `${message}: ${JSON.stringify(detail)?.slice(0, 2000)}`);
}

/** The transaction a save would send, as in src/service/save-visit.ts, checked against the R4 JSON Schema. */
function bundleIssues(core: Core, r4: R4SchemaValidator, analysis: SessionAnalysis, html: string, text: string) {
  const bundle = toVisitTransaction({ session: analysis.session, target: TARGET, coding: analysis.coding, note: { html, text }, version: core.version, now: NOW }, core.profiles);
  return validateBundleResources(r4, bundle);
}

/** Starts the app on an ephemeral loopback port once, so thousands of requests reuse one server. */
export async function startHttp(app: Express): Promise<{ server: Server; close: () => Promise<void> }> {
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// Free text: unicode, markup, template syntax, control characters, blank text, maximal lengths
// ---------------------------------------------------------------------------------------------

export const HOSTILE_TEXT = [
  '<script>alert(1)</script>',
  '<SCRIPT SRC=//x.example/x.js></SCRIPT>',
  '{{payer.name}}',
  '{{{plan}}}',
  '{{#each muscles}}x{{/each}}',
  '{{> html/codes}}',
  '"><img src=x onerror=alert(1)>',
  "'><svg onload=alert(1)>",
  '</td></tr></table><script>alert(1)</script>',
  '<!--',
  ']]>',
  '&lt;script&gt;',
  '&amp;',
  'a\u0000b\u001bc\u007f',
  'tab\there\r\nand\rthere\u0085\u009b31m',
  '\u202eevil',
  '${7*7}',
  '__proto__',
  'constructor',
  '\\u003cscript\\u003e',
  'javascript:alert(1)',
  '\r\n\r\nHTTP/1.1 200 OK',
  'Müller, Ñandú, 张伟, Łódź, عربى, 🧑🏽‍⚕️',
];

/** Text with a lone UTF-16 surrogate: JSON can carry it, UTF-8 and so FHIR cannot; refused wherever free text goes. */
export const UNSTORABLE_TEXT = ['\ud800', 'x\udfffy', 'taut band \udc00\ud800 at L3', 'emoji cut in half \ud83d', '\ude00 at the start'];

/** Whitespace a user can type or paste; several are not whitespace to FHIR's string pattern. */
const WHITESPACE = [' ', '\t', '\n', '\r', '\u000b', '\u000c', '\u00a0', '\u1680', '\u2000', '\u2007', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff', '\u0085', '\u200b', '\u180e'];

const controlChar = fc.oneof(fc.integer({ min: 0, max: 0x1f }), fc.integer({ min: 0x7f, max: 0x9f })).map((c) => String.fromCharCode(c));

/**
 * Free text a session may hold: min..max code points once its control characters are dropped (the
 * schema counts the kept text, src/domain/free-text.ts), and no lone surrogate (UNSTORABLE_TEXT is
 * refused, see propertyUnstorableText). Control characters, TABs and line breaks of every kind are in.
 */
export function freeText(min: number, max: number): fc.Arbitrary<string> {
  const short = Math.min(max, 60);
  const tiny = Math.min(max, 8);
  return fc
    .oneof(
      { weight: 3, arbitrary: fc.string({ unit: 'grapheme', minLength: min, maxLength: Math.min(max, 40) }) },
      { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: min, maxLength: short }) },
      { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_TEXT) },
      { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...WHITESPACE), minLength: Math.max(min, 1), maxLength: tiny }) },
      { weight: 1, arbitrary: fc.string({ unit: controlChar, minLength: Math.max(min, 1), maxLength: tiny }) },
      { weight: 1, arbitrary: fc.tuple(fc.string({ unit: 'grapheme-composite', maxLength: 10 }), fc.constantFrom(...HOSTILE_TEXT), fc.string({ unit: 'binary', maxLength: 10 })).map((parts) => parts.join('')) },
      // Exactly the schema's maxLength, in 1-, 2- and 4-byte characters and ones JSON or HTML must escape.
      { weight: 1, arbitrary: fc.constantFrom('x', '<', '\u{1F600}', '\u0000', ' ', 'é', '&', '"').map((c) => c.repeat(max)) },
    )
    .filter((s) => !hasLoneSurrogate(s) && codePoints(keptText(s, 'multi-line')) >= min && codePoints(s) <= max);
}

// ---------------------------------------------------------------------------------------------
// Valid sessions built from the catalogs
// ---------------------------------------------------------------------------------------------

const pad = (n: number): string => String(n).padStart(2, '0');

/** A UTC offset a real time zone uses: Z, or ±HH:MM in quarter hours from -12:00 to +14:00. */
const offset = fc.oneof(
  fc.constantFrom('Z', '-00:00'),
  fc.integer({ min: -12 * 4, max: 14 * 4 }).map((q) => `${q < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(q) / 4))}:${pad((Math.abs(q) % 4) * 15)}`),
);

/** ISO date-time with an offset whose local date lies in 2020-01-01..2027-12-31. */
export const visitDate: fc.Arbitrary<string> = fc
  .record({
    local: fc.date({ min: new Date('2020-01-01T00:00:00.000Z'), max: new Date('2027-12-31T23:59:59.999Z'), noInvalidDate: true }),
    fraction: fc.option(fc.stringMatching(/^\.[0-9]{1,9}$/), { nil: undefined }),
    offset,
  })
  .map(({ local, fraction, offset: tz }) => `${local.toISOString().slice(0, 19)}${fraction ?? ''}${tz}`);

/** Objects as JSON.parse makes them (fc.record may otherwise make null-prototype ones). */
const JSON_LIKE = { noNullPrototype: true } as const;

/** Valid sessions: every id from the catalogs, every number in range, hostile free text wherever the schema allows text. */
export function validSession(core: Core): fc.Arbitrary<Session> {
  const { profiles } = core;
  const muscleIds = [...profiles.muscles.keys()];
  const payers = [...profiles.payers.keys()];
  const states = [...profiles.states.keys()];
  const instruments = [...profiles.instruments.values()];
  const billable = [...profiles.icd10.values()].filter((c) => c.billable && !c.seventhCharacters && c.validFrom === undefined && c.billableThrough === undefined);
  const side = fc.constantFrom('left' as const, 'right' as const);
  const twitch = fc.oneof(
    fc.record({ elicited: fc.constant(true), count: fc.integer({ min: 0, max: 100 }) }, { noNullPrototype: true, requiredKeys: ['elicited'] }),
    fc.record({ elicited: fc.constant(false), count: fc.constant(0) }, { noNullPrototype: true, requiredKeys: ['elicited'] }),
  );
  const needledMuscle = fc.record(
    {
      muscle: fc.constantFrom(...muscleIds),
      side,
      depth: fc.constantFrom('superficial' as const, 'deep' as const),
      technique: fc.constantFrom('static' as const, 'pistoning' as const, 'rotation' as const, 'pistoning-rotation' as const),
      needles: fc.integer({ min: 1, max: 50 }),
      retentionSeconds: fc.integer({ min: 0, max: 1800 }),
      twitch,
      precaution: freeText(1, 300),
      notes: freeText(0, 2000),
    },
    { noNullPrototype: true, requiredKeys: ['muscle', 'side', 'depth', 'technique', 'needles', 'retentionSeconds', 'twitch'] },
  );
  const measure = fc.constantFrom(...instruments).chain((i) =>
    fc.record(
      {
        instrument: fc.constant(i.id),
        score: fc.oneof(fc.integer({ min: i.min, max: i.max }), fc.integer({ min: i.min * 10, max: i.max * 10 }).map((x) => x / 10)),
      },
      JSON_LIKE,
    ),
  );
  const degrees = fc.oneof(fc.integer({ min: 0, max: 360 }), fc.double({ min: 0, max: 360, noNaN: true }));
  const outcomes = fc.record(
    {
      painPre: fc.integer({ min: 0, max: 10 }),
      painPost: fc.integer({ min: 0, max: 10 }),
      rom: fc.array(fc.record({ movement: freeText(1, 100), side, unit: fc.constant('degrees' as const), pre: degrees, post: degrees }, { noNullPrototype: true, requiredKeys: ['movement', 'unit', 'pre', 'post'] }), { maxLength: 3 }),
      measures: fc.array(measure, { maxLength: 5 }),
    },
    { noNullPrototype: true, requiredKeys: [] },
  );
  const adverseEvent = fc.record(
    { type: freeText(1, 100), severity: fc.constantFrom('mild' as const, 'moderate' as const, 'severe' as const), muscle: fc.constantFrom(...muscleIds), side },
    { noNullPrototype: true, requiredKeys: ['type', 'severity'] },
  );
  return fc.array(needledMuscle, { minLength: 1, maxLength: 8 }).chain((muscles) => {
    const estim = fc.record(
      {
        applied: fc.boolean(),
        attended: fc.boolean(),
        minutes: fc.oneof(fc.integer({ min: 0, max: 120 }), fc.double({ min: 0, max: 120, noNaN: true })),
        frequencyHz: fc.oneof(fc.integer({ min: 1, max: 10_000 }), fc.double({ min: 0, max: 10_000, minExcluded: true, noNaN: true })),
        waveform: freeText(1, 100),
        intensity: freeText(1, 200),
        muscles: fc.subarray(muscles.map((m) => ({ muscle: m.muscle, side: m.side }))),
      },
      { noNullPrototype: true, requiredKeys: ['applied'] },
    );
    return fc
      .record(
        {
          date: visitDate,
          performer: fc.record(
            {
              reference: fc.tuple(fc.constantFrom('Practitioner', 'PractitionerRole'), fc.stringMatching(/^[A-Za-z0-9\-.]{1,64}$/)).map(([type, id]) => `${type}/${id}`),
              display: freeText(1, 200),
              dryNeedlingCertified: fc.boolean(),
              state: fc.oneof(fc.constantFrom(...states), fc.stringMatching(/^[A-Z]{2}$/)),
            },
            { noNullPrototype: true, requiredKeys: ['reference', 'display', 'dryNeedlingCertified'] },
          ),
          payer: fc.constantFrom(...payers),
          billing: fc.constantFrom('bill-payer' as const, 'self-pay' as const, 'document-only' as const),
          diagnoses: fc
            .uniqueArray(fc.constantFrom(...billable), { maxLength: 4, selector: (d) => d.code })
            .chain((list) => fc.tuple(...list.map((d) => fc.oneof(fc.constant(d.code), freeText(1, 300)).map((display) => ({ system: 'http://hl7.org/fhir/sid/icd-10-cm' as const, code: d.code, display }))))),
          consent: fc.record({ obtained: fc.boolean(), investigationalStatusDisclosed: fc.boolean(), written: fc.boolean() }, { noNullPrototype: true, requiredKeys: ['obtained', 'investigationalStatusDisclosed'] }),
          screening: fc.record({ contraindications: fc.array(freeText(1, 200), { maxLength: 3 }), precautions: fc.array(freeText(1, 200), { maxLength: 3 }), cleared: fc.boolean() }, JSON_LIKE),
          needle: fc.record(
            {
              type: freeText(1, 100),
              diameterMm: fc.oneof(fc.constantFrom(0.16, 0.25, 0.3, 1), fc.double({ min: 0, max: 1, minExcluded: true, noNaN: true })),
              lengthMm: fc.oneof(fc.constantFrom(5, 13, 30, 40, 50, 150), fc.double({ min: 5, max: 150, noNaN: true })),
              countVerified: fc.boolean(),
            },
            { noNullPrototype: true, requiredKeys: ['type', 'diameterMm', 'lengthMm'] },
          ),
          estim,
          outcomes,
          adverseEvents: fc.array(adverseEvent, { maxLength: 3 }),
          response: freeText(0, 4000),
          plan: freeText(0, 4000),
        },
        { noNullPrototype: true, requiredKeys: ['date', 'performer', 'payer', 'billing', 'diagnoses', 'consent', 'screening', 'needle'] },
      )
      .map((rest): Session => ({ ...rest, muscles }));
  });
}

/** Every free-text field a session holds, with its path (as issues name it), its place and its kind (profiles/session.schema.json `freeText`). */
export function freeTextFields(session: Session): { readonly field: string; readonly steps: readonly PathStep[]; readonly kind: FreeTextKind; readonly value: string }[] {
  const out: { field: string; steps: PathStep[]; kind: FreeTextKind; value: string }[] = [];
  const add = (field: string, steps: PathStep[], kind: FreeTextKind, value: string | undefined): void => {
    if (value !== undefined) out.push({ field, steps, kind, value });
  };
  add('performer.display', ['performer', 'display'], 'single-line', session.performer.display);
  session.diagnoses.forEach((d, i) => add(`diagnoses[${i}].display`, ['diagnoses', i, 'display'], 'single-line', d.display));
  session.screening.contraindications.forEach((c, i) => add(`screening.contraindications[${i}]`, ['screening', 'contraindications', i], 'single-line', c));
  session.screening.precautions.forEach((c, i) => add(`screening.precautions[${i}]`, ['screening', 'precautions', i], 'single-line', c));
  add('needle.type', ['needle', 'type'], 'single-line', session.needle.type);
  session.muscles.forEach((m, i) => {
    add(`muscles[${i}].precaution`, ['muscles', i, 'precaution'], 'single-line', m.precaution);
    add(`muscles[${i}].notes`, ['muscles', i, 'notes'], 'multi-line', m.notes);
  });
  add('estim.waveform', ['estim', 'waveform'], 'single-line', session.estim?.waveform);
  add('estim.intensity', ['estim', 'intensity'], 'single-line', session.estim?.intensity);
  (session.outcomes?.rom ?? []).forEach((r, i) => add(`outcomes.rom[${i}].movement`, ['outcomes', 'rom', i, 'movement'], 'single-line', r.movement));
  (session.adverseEvents ?? []).forEach((e, i) => add(`adverseEvents[${i}].type`, ['adverseEvents', i, 'type'], 'single-line', e.type));
  add('response', ['response'], 'multi-line', session.response);
  add('plan', ['plan'], 'multi-line', session.plan);
  return out;
}

/** Free-text values the HTML note shows (templates/note.html.hbs and partials), for the escaping check. */
export function renderedFreeText(session: Session): string[] {
  const texts: (string | undefined)[] = [
    session.performer.display,
    ...session.diagnoses.map((d) => d.display),
    ...session.screening.contraindications,
    ...session.screening.precautions,
    session.needle.type,
    ...session.muscles.flatMap((m) => [m.precaution, m.notes?.trim() ? m.notes : undefined]),
    ...(session.estim?.applied ? [session.estim.waveform, session.estim.intensity] : []),
    ...(session.outcomes?.rom ?? []).map((r) => r.movement),
    ...(session.adverseEvents ?? []).map((e) => e.type),
    session.response?.trim() ? session.response : undefined,
    session.plan?.trim() ? session.plan : undefined,
  ];
  // A blank value is not a recorded one: the note leaves it out (or says "not documented" in a draft).
  return texts.filter((t): t is string => t !== undefined && t.trim() !== '');
}

// ---------------------------------------------------------------------------------------------
// Any input: JSON values, and valid sessions with fields replaced, removed or added
// ---------------------------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type PathStep = string | number;

/** Every node below the root (containers and leaves), as a list of keys and indexes. */
function allPaths(value: unknown, prefix: PathStep[] = []): PathStep[][] {
  const out: PathStep[][] = [];
  if (Array.isArray(value)) value.forEach((v, i) => out.push([...prefix, i], ...allPaths(v, [...prefix, i])));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push([...prefix, k], ...allPaths(v, [...prefix, k]));
  return out;
}

/** Every object node, the root included: where an extra key can go. */
function objectPaths(value: unknown, prefix: PathStep[] = []): PathStep[][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => objectPaths(v, [...prefix, i]));
  if (value && typeof value === 'object') return [prefix, ...Object.entries(value).flatMap(([k, v]) => objectPaths(v, [...prefix, k]))];
  return [];
}

function nodeAt(root: unknown, path: readonly PathStep[]): unknown {
  return path.reduce<unknown>((node, step) => (node && typeof node === 'object' ? (node as Record<PathStep, unknown>)[step] : undefined), root);
}

/** Sets an own data property, as JSON.parse would (so a key "__proto__" is a plain key, not the prototype). */
function setOwn(target: object, key: PathStep, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

interface Mutation {
  readonly kind: 'set' | 'delete' | 'add';
  readonly pick: number;
  readonly key: string;
  readonly value: Json;
}

/** Applies one mutation to `root` in place; the generated value is copied, never shared or changed. */
function applyMutation(root: Record<string, unknown>, m: Mutation): void {
  const value = structuredClone(m.value);
  if (m.kind === 'add') {
    const targets = objectPaths(root);
    const target = nodeAt(root, targets[m.pick % targets.length] ?? []);
    if (target && typeof target === 'object') setOwn(target, m.key, value);
    return;
  }
  const paths = allPaths(root);
  const path = paths[m.pick % paths.length];
  if (!path || path.length === 0) return;
  const parent = nodeAt(root, path.slice(0, -1));
  const last = path[path.length - 1] as PathStep;
  if (!parent || typeof parent !== 'object') return;
  if (m.kind === 'set') setOwn(parent, last, value);
  else if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
  else delete (parent as Record<PathStep, unknown>)[last];
}

/** Values just outside what the schema accepts, more likely to reach edge cases than random JSON. */
const nearMiss: fc.Arbitrary<Json> = fc.constantFrom<Json>('', ' ', '\u0000', '\ud800', 'x\udfffy', '\u0001\u0002', 'a\tb\r\nc', 'x'.repeat(5000), -1, 0, -0.5, 1.5, 61, 101, 1801, 1e308, -1e308, 5e-324, null, true, false, [], {}, [null], { '': '' }, '__proto__', 'left ', 'LEFT', 'upper-trapezius ', 'Upper-Trapezius', '2026-13-40T25:61:61Z', '2026-11-20', 'medicare\u0000');

const extraKey = fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', '', '$ref', 'a.b', 'a/b~c', '[0]', '0', 'muscles[0]', ' date'));

/** Mutations of the three valid sessions (the shared example, completeSession, fullSession). */
export function mutatedSession(): fc.Arbitrary<unknown> {
  const bases = [exampleSession(), completeSession(), fullSession()];
  const mutation: fc.Arbitrary<Mutation> = fc.record({
    kind: fc.constantFrom('set' as const, 'delete' as const, 'add' as const),
    pick: fc.nat(),
    key: extraKey,
    value: fc.oneof(fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>, nearMiss),
  });
  return fc.record({ base: fc.nat({ max: bases.length - 1 }), mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }) }).map(({ base, mutations }) => {
    const root = structuredClone(bases[base]) as unknown as Record<string, unknown>;
    for (const m of mutations) applyMutation(root, m);
    return root;
  });
}

/** JSON-able values of fc.anything: plain objects and arrays of null, booleans, finite numbers and strings. */
const jsonAnything: fc.Arbitrary<unknown> = fc.anything({
  maxDepth: 4,
  key: fc.oneof(fc.string(), fc.constantFrom('date', 'muscles', 'payer', '__proto__', 'constructor')),
  values: [fc.constant(null), fc.boolean(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string({ unit: 'binary' })],
  withBoxedValues: false,
  withMap: false,
  withSet: false,
  withObjectString: false,
  withNullPrototype: false,
  withBigInt: false,
  withDate: false,
  withTypedArray: false,
  withSparseArray: false,
  withUnicodeString: true,
});

export function anyInput(): fc.Arbitrary<unknown> {
  return fc.oneof(fc.jsonValue(), jsonAnything, fc.json().map((text) => JSON.parse(text) as unknown), mutatedSession(), mutatedSession());
}

/**
 * Whether `path` (ajv-messages' form: `muscles[2].twitch.count`) names a place in `input`: every
 * segment walks an existing key or index, except that the last may be a missing key of an object
 * (a `required` issue). Keys are matched against the object's own keys, so keys holding '.' or '['
 * still resolve.
 */
export function pathResolves(input: unknown, path: string): boolean {
  const walk = (node: unknown, rest: string, first: boolean): boolean => {
    if (rest === '') return true;
    const index = /^\[(\d+)\]/.exec(rest);
    if (index) {
      const i = index[1] ?? '';
      const after = rest.slice(index[0].length);
      if (Array.isArray(node)) return Number(i) < node.length && walk(node[Number(i)], after, false);
      // toFieldPath writes a numeric key of an object as [n] too.
      if (node && typeof node === 'object' && Object.hasOwn(node, i) && walk((node as Record<string, unknown>)[i], after, false)) return true;
    }
    // Otherwise a key: after the first segment it follows a '.' (a key may itself hold '.' or '[').
    if (!first && !rest.startsWith('.')) return false;
    const body = first ? rest : rest.slice(1);
    if (!node || typeof node !== 'object' || Array.isArray(node)) return false;
    for (const key of Object.keys(node)) {
      if (!body.startsWith(key)) continue;
      const after = body.slice(key.length);
      if ((after === '' || after.startsWith('.') || after.startsWith('[')) && walk((node as Record<string, unknown>)[key], after, false)) return true;
    }
    // A required field that is missing: the last segment, a plain name.
    return /^[A-Za-z][A-Za-z0-9]*$/.test(body);
  };
  return path !== '' && walk(input, path, true);
}

// ---------------------------------------------------------------------------------------------
// A. Any input → a result, or a 422 OperationOutcome with field-level issues
// ---------------------------------------------------------------------------------------------

export const NAME_ANY_INPUT = 'when any JSON value or mutated session reaches analyseSession, then it returns a result or throws a 422 OperationOutcomeError whose issues are errors with diagnostics and field paths';

export function propertyAnyInput(core: Core) {
  return fc.asyncProperty(anyInput(), async (input) => {
    try {
      analyseSession(input, core);
    } catch (error) {
      if (!(error instanceof OperationOutcomeError)) fail(`threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)} instead of an OperationOutcomeError`);
      if (error.status !== 422) fail(`status ${error.status} instead of 422`, error.outcome);
      const { outcome } = error;
      if (outcome.resourceType !== 'OperationOutcome' || outcome.issue.length === 0) fail('not an OperationOutcome with issues', outcome);
      for (const issue of outcome.issue) {
        if (issue.severity !== 'error') fail('issue severity is not error', issue);
        if (typeof issue.diagnostics !== 'string' || issue.diagnostics.trim() === '') fail('issue without diagnostics', issue);
        if (issue.expression !== undefined) {
          if (!Array.isArray(issue.expression) || issue.expression.length !== 1 || typeof issue.expression[0] !== 'string') fail('expression is not one field path', issue);
          if (!pathResolves(input, issue.expression[0])) fail('expression does not name a field of the input', issue);
        }
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------
// B. Valid session → one needling code, a 0..100 score, a safe note, valid R4
// ---------------------------------------------------------------------------------------------

export const NAME_VALID_SESSION = 'when any valid session is analysed, then one needling code with one unit, an integer score 0..100, an escaped HTML note, a text note and an R4-valid transaction come out';

/** What the code table says the needling line must be, from the local date and the named muscles alone (a region entry never counts). */
function expectedNeedling(session: Session, core: Core): { code: string } | { oneOf: readonly string[] } {
  if (session.date.slice(0, 10) < '2020-01-01') return { code: '20999' };
  const named = session.muscles.filter((m) => core.profiles.muscles.get(m.muscle)?.group !== true);
  const ids = new Set(named.map((m) => m.muscle));
  const idSides = new Set(named.map((m) => `${m.muscle}|${m.side}`));
  // Whatever the payer's side rule, the distinct count lies between the ids and the id-side pairs.
  if (ids.size >= 3) return { code: '20561' };
  if (idSides.size < 3) return { code: '20560' };
  return { oneOf: ['20560', '20561'] };
}

export function checkValidSession(core: Core, r4: R4SchemaValidator, session: Session): void {
  let analysis: SessionAnalysis;
  const input = structuredClone(session);
  try {
    analysis = analyseSession(input, core);
  } catch (error) {
    fail('a valid session was refused', error instanceof OperationOutcomeError ? error.outcome : String(error));
  }
  if (JSON.stringify(input) !== JSON.stringify(session)) fail('analyseSession changed the value it was given');
  // Free text comes out as the free-text rules keep it (control characters dropped), and nothing else changes.
  for (const { field, steps, kind, value } of freeTextFields(session)) {
    const kept = nodeAt(analysis.session, steps);
    if (kept !== keptText(value, kind)) fail(`${field} was not kept as the free-text rules say`, { value, kept });
  }
  const needling = analysis.coding.codes.filter((c) => NEEDLING_CODES.has(c.code));
  if (needling.length !== 1) fail('not exactly one needling code', analysis.coding.codes.map((c) => c.code));
  const line = needling[0];
  if (!line || line.units !== 1) fail('needling code units are not 1', line);
  const expected = expectedNeedling(session, core);
  if ('code' in expected ? line.code !== expected.code : !expected.oneOf.includes(line.code)) fail(`needling code ${line.code}, expected`, expected);

  const { score } = analysis.readiness;
  if (!Number.isInteger(score) || score < 0 || score > 100) fail('readiness score is not an integer 0..100', score);

  const html = core.renderer.render('note', 'html', analysis.view);
  if (/<script/i.test(html)) fail('the HTML note contains <script');
  if (/<img|<svg|onerror=|onload=/i.test(html)) fail('markup from free text leaked into the HTML note');
  // Handlebars indents every line a standalone partial prints, newlines inside values included, so
  // compare with whitespace runs collapsed (whitespace is not significant in this HTML).
  const collapse = (t: string): string => t.replace(/\s+/g, ' ');
  const flatHtml = collapse(html);
  const texts = renderedFreeText(analysis.session);
  for (const text of texts) {
    if (text.includes('<') && !flatHtml.includes(collapse(Handlebars.escapeExpression(text)))) fail('free text with < does not appear escaped in the HTML note', text);
  }
  const review = core.renderer.render('payer-review', 'html', analysis.view);
  if (/<script/i.test(review)) fail('the payer-review HTML contains <script');

  const text = core.renderer.render('note', 'text', analysis.view);
  if (typeof text !== 'string' || !text.includes('DRY NEEDLING TREATMENT NOTE')) fail('the text note did not render');
  for (const field of texts) {
    if (!text.includes(field)) fail('free text is missing from the text note, or was altered', field);
  }

  const issues = bundleIssues(core, r4, analysis, html, text);
  if (issues.length > 0) fail('the transaction Bundle fails the R4 schema', issues.slice(0, 5));
}

export function propertyValidSession(core: Core, r4: R4SchemaValidator) {
  return fc.asyncProperty(validSession(core), async (session) => checkValidSession(core, r4, session));
}

export const NAME_UNSTORABLE_TEXT = 'when a lone UTF-16 surrogate is put into any free-text field of a valid session, then analyseSession refuses it with a 422 naming that field as holding a character that cannot be stored';

export function propertyUnstorableText(core: Core) {
  return fc.asyncProperty(validSession(core), fc.nat(), fc.constantFrom(...UNSTORABLE_TEXT), fc.string({ maxLength: 20 }), async (session, pick, bad, around) => {
    const fields = freeTextFields(session);
    const target = fields[pick % fields.length];
    if (!target) return;
    const s = structuredClone(session) as unknown as Record<string, unknown>;
    const parent = nodeAt(s, target.steps.slice(0, -1)) as Record<PathStep, unknown>;
    parent[target.steps[target.steps.length - 1] as PathStep] = `${around}${bad}`.slice(-60);
    try {
      analyseSession(s, core);
    } catch (error) {
      if (error instanceof OperationOutcomeError && error.status === 422 && error.outcome.issue.some((i) => i.expression?.[0] === target.field && /contains a character that cannot be stored/.test(i.diagnostics ?? ''))) return;
      fail(`${target.field} with a lone surrogate was refused, but not as unstorable text`, error instanceof OperationOutcomeError ? error.outcome : String(error));
    }
    fail(`${target.field} with a lone surrogate was accepted`);
  });
}

// ---------------------------------------------------------------------------------------------
// C. HTTP: no request makes a 500; every /api error is a FHIR OperationOutcome
// ---------------------------------------------------------------------------------------------

export const HTTP_PATHS = [
  '/api/preview',
  '/api/preview?include=bundle,text,review',
  '/api/catalog',
  '/api/body-map',
  '/api/body-map?view=front',
  '/api/body-map?view=back',
  '/api/body-map?view=side',
  '/api/body-map?view[]=front',
  '/api/body-map?view=front&view=back',
  '/api/context',
  '/api/sessions',
  '/api/draft',
  '/api/exports',
  '/api',
  '/api/',
  '/API/CATALOG',
  '/api/catalog/',
  '/api/preview%00',
  '/api/%E0%A4%A',
  '/api/..%2f..%2fetc%2fpasswd',
  '/healthz',
  '/healthz?x=%ff',
  '/',
  '/rules',
  '/launch',
  '/callback',
  '/compliance',
  '/cds-services',
  '/assets/app.css',
  '/assets/%',
  '/assets/../package.json',
  '/../etc/passwd',
  '/%00',
  '/%',
  '/%2e%2e/%2e%2e/etc/passwd',
  `/${'a'.repeat(3000)}`,
  `/api/${'a'.repeat(8000)}`,
];

const httpPath: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...HTTP_PATHS) },
  { weight: 1, arbitrary: fc.webSegment().map((s) => `/api/${s}`) },
  { weight: 1, arbitrary: fc.webPath().map((p) => p || '/') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }).map((s) => `/api/body-map?view=${encodeURIComponent(s)}`) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom('bundle', 'text', 'review', 'x', '', '%00'), { maxLength: 4 }).map((parts) => `/api/preview?include=${parts.join(',')}`) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 8000 }).map((n) => `/api/${'a'.repeat(n)}`) },
);

const CONTENT_TYPES = [undefined, 'application/json', 'application/fhir+json', 'application/json; charset=utf-8', 'application/json; charset=latin1', 'application/json; charset=utf-16', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml'] as const;

/** Bodies: random JSON text, random text, truncated JSON, valid and wrapped sessions. */
function httpBody(core: Core): fc.Arbitrary<string | undefined> {
  const session = validSession(core);
  const reference = fc.oneof(fc.constantFrom('Patient/p-1', 'Encounter/e-1', 'Patient/', 'Patient/../x', ''), fc.jsonValue({ maxDepth: 1 }), fc.string());
  return fc.option(
    fc.oneof(
      fc.json(),
      fc.string({ unit: 'binary' }),
      fc.string(),
      fc.json().chain((text) => fc.nat({ max: Math.max(0, text.length - 1) }).map((n) => text.slice(0, n))),
      session.map((s) => JSON.stringify(s)),
      session.chain((s) => fc.nat({ max: 400 }).map((n) => JSON.stringify(s).slice(0, n))),
      fc.record({ session: fc.oneof(session as fc.Arbitrary<unknown>, fc.jsonValue()), patient: reference, encounter: reference }, { noNullPrototype: true, requiredKeys: ['session'] }).map((w) => JSON.stringify(w)),
      mutatedSession().map((m) => JSON.stringify(m)),
    ),
    { nil: undefined },
  );
}

export interface HttpRequestCase {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  readonly path: string;
  readonly contentType: string | undefined;
  readonly origin: string | undefined;
  readonly body: string | undefined;
}

export function httpRequestCase(core: Core): fc.Arbitrary<HttpRequestCase> {
  // Weighted so that a good share of requests are JSON POSTs to /api/preview, the route with a body.
  return fc.record({
    method: fc.oneof({ weight: 4, arbitrary: fc.constant('POST' as const) }, { weight: 4, arbitrary: fc.constantFrom('GET' as const, 'PUT' as const, 'DELETE' as const, 'PATCH' as const) }),
    path: fc.oneof({ weight: 3, arbitrary: fc.constantFrom('/api/preview', '/api/preview?include=bundle,text,review') }, { weight: 7, arbitrary: httpPath }),
    contentType: fc.oneof({ weight: 1, arbitrary: fc.constant('application/json') }, { weight: 2, arbitrary: fc.constantFrom(...CONTENT_TYPES) }),
    origin: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('http://evil.example', 'null', 'http://127.0.0.1') }),
    body: httpBody(core),
  });
}

const isApiPath = (path: string): boolean => /^\/api(?:[/?]|$)/i.test(path);

/** Checks an error response is a FHIR OperationOutcome with at least one well-formed issue. */
export function checkOutcomeResponse(res: request.Response, what: string): void {
  if (!/^application\/fhir\+json\b/.test(String(res.headers['content-type'] ?? ''))) fail(`${what} → ${res.status} with content-type ${String(res.headers['content-type'])}`, res.text?.slice(0, 300));
  let body: unknown;
  try {
    body = JSON.parse(res.text);
  } catch {
    fail(`${what} → ${res.status} body is not JSON`, res.text?.slice(0, 300));
  }
  const outcome = body as { resourceType?: unknown; issue?: { severity?: unknown; code?: unknown; diagnostics?: unknown }[] };
  if (outcome.resourceType !== 'OperationOutcome' || !Array.isArray(outcome.issue) || outcome.issue.length === 0) fail(`${what} → ${res.status} is not an OperationOutcome with issues`, body);
  for (const issue of outcome.issue) {
    if (typeof issue.severity !== 'string' || typeof issue.code !== 'string' || typeof issue.diagnostics !== 'string' || issue.diagnostics === '') fail(`${what} → ${res.status} has a malformed issue`, issue);
  }
}

/** Sends one case as given: the body as bytes, so supertest adds no content type of its own. */
export async function sendCase(server: Server, c: HttpRequestCase): Promise<request.Response> {
  const agent = request(server);
  let req = c.method === 'GET' ? agent.get(c.path) : c.method === 'POST' ? agent.post(c.path) : c.method === 'PUT' ? agent.put(c.path) : c.method === 'DELETE' ? agent.delete(c.path) : agent.patch(c.path);
  if (c.contentType) req = req.set('Content-Type', c.contentType);
  if (c.origin) req = req.set('Origin', c.origin);
  return c.body === undefined ? await req : await req.send(Buffer.from(c.body, 'utf8'));
}

export const NAME_HTTP_ANY_REQUEST = 'when any method, path, content type, origin and body reach the HTTP app, then it never answers 5xx and every /api error is an application/fhir+json OperationOutcome with issues';

export function propertyHttpAnyRequest(core: Core, server: Server) {
  return fc.asyncProperty(httpRequestCase(core), async (c) => {
    const res = await sendCase(server, c);
    const what = `${c.method} ${c.path.slice(0, 80)}`;
    if (res.status >= 500) fail(`${what} → ${res.status}`, res.text?.slice(0, 300));
    if (res.status >= 400 && isApiPath(c.path)) checkOutcomeResponse(res, what);
  });
}

export const NAME_HTTP_VALID_PREVIEW = 'when any valid session is posted to /api/preview (bare or wrapped with a patient and encounter), then it answers 200 with codes, a 0..100 score and the HTML note';

export function propertyHttpValidPreview(core: Core, server: Server) {
  return fc.asyncProperty(validSession(core), fc.boolean(), fc.subarray(['bundle', 'text', 'review']), async (session, wrapped, include) => {
    const body = wrapped ? { session, patient: 'Patient/p-1', encounter: 'Encounter/e-1' } : session;
    const res = await request(server)
      .post(`/api/preview${include.length ? `?include=${include.join(',')}` : ''}`)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(body));
    if (res.status !== 200) fail(`POST /api/preview → ${res.status}`, res.text?.slice(0, 500));
    const out = res.body as { codes?: unknown; score?: unknown; noteHtml?: unknown; bundle?: unknown };
    if (!Array.isArray(out.codes) || typeof out.noteHtml !== 'string' || !Number.isInteger(out.score)) fail('the preview answer lacks codes, score or noteHtml', Object.keys(out));
    if ((wrapped || include.includes('bundle')) && !out.bundle) fail('the preview answer lacks the bundle it was asked for');
  });
}

// ---------------------------------------------------------------------------------------------
// Known bugs: what should hold and does not (yet). See the header.
// ---------------------------------------------------------------------------------------------

/**
 * Date-time spellings the session schema's `format: date-time` (ajv-formats) accepts but FHIR R4
 * `dateTime` does not: lowercase t/z, a space for T, an offset without colon or minutes, an offset
 * beyond ±14:00, year 0000.
 */
export const schemaOnlyDate: fc.Arbitrary<string> = fc
  .record({
    local: fc.date({ min: new Date('2020-01-01T00:00:00.000Z'), max: new Date('2027-12-31T23:59:59.999Z'), noInvalidDate: true }),
    spelling: fc.constantFrom('lower-t', 'lower-z', 'space', 'no-colon', 'hour-only', 'beyond-14', 'year-0000'),
    hours: fc.integer({ min: 15, max: 23 }),
    sign: fc.constantFrom('+', '-'),
  })
  .map(({ local, spelling, hours, sign }) => {
    const [day, time] = local.toISOString().slice(0, 19).split('T') as [string, string];
    switch (spelling) {
      case 'lower-t':
        return `${day}t${time}-05:00`;
      case 'lower-z':
        return `${day}T${time}z`;
      case 'space':
        return `${day} ${time}Z`;
      case 'no-colon':
        return `${day}T${time}${sign}0530`;
      case 'hour-only':
        return `${day}T${time}${sign}05`;
      case 'beyond-14':
        return `${day}T${time}${sign}${pad(hours)}:00`;
      default:
        return `0000${day.slice(4)}T${time}Z`;
    }
  });

/** The failure message of each known-bug property while the bug is present. */
export const SYMPTOM_DATE = /was accepted by analyseSession but the transaction fails R4: \["Bundle\.entry\[0\]\.resource\.performedDateTime"/;
export const SYMPTOM_EMPTY_MUSCLE = /a session with (muscles|estim\.muscles|adverseEvents)\[0\]\.muscle = "" was accepted as valid/;
export const SYMPTOM_CONTENT_ENCODING = /POST \/api\/preview with Content-Encoding: (gzip|deflate|br) and an undecodable body → 500/;

export const NAME_KNOWN_BUG_DATE = 'when a session date uses a date-time spelling the session schema accepts (2026-11-20t14:30:00z, "2026-11-20 14:30:00Z", +0530, +05, +15:00, year 0000), then it is either refused with 422 or written as an R4-valid dateTime';

export function propertyKnownBugDateSpellings(core: Core, r4: R4SchemaValidator) {
  return fc.asyncProperty(validSession(core), schemaOnlyDate, async (session, date) => {
    let analysis: SessionAnalysis;
    try {
      analysis = analyseSession({ ...session, date }, core);
    } catch (error) {
      if (error instanceof OperationOutcomeError && error.status === 422) return;
      throw error;
    }
    const html = core.renderer.render('note', 'html', analysis.view);
    const text = core.renderer.render('note', 'text', analysis.view);
    const issues = bundleIssues(core, r4, analysis, html, text);
    if (issues.length > 0) fail(`date ${JSON.stringify(date)} was accepted by analyseSession but the transaction fails R4`, issues.map((i) => i.path));
  });
}

export const NAME_KNOWN_BUG_EMPTY_MUSCLE = 'when a muscle id is the empty string (muscles[i].muscle, estim.muscles[i].muscle or adverseEvents[i].muscle), then analyseSession refuses it with a 422 naming that field';

export function propertyKnownBugEmptyMuscle(core: Core) {
  const where = fc.constantFrom('muscles' as const, 'estim' as const, 'adverseEvents' as const);
  return fc.asyncProperty(validSession(core), where, async (session, place) => {
    const s = structuredClone(session);
    let field: string;
    if (place === 'muscles') {
      const first = s.muscles[0];
      if (!first) return;
      first.muscle = '';
      // Keep the e-stim list pointing only at catalog muscles, so the empty id is the only problem.
      if (s.estim?.muscles) s.estim.muscles = [];
      field = 'muscles[0].muscle';
    } else if (place === 'estim') {
      s.estim = { ...(s.estim ?? { applied: true }), muscles: [{ muscle: '', side: 'left' }] };
      field = 'estim.muscles[0].muscle';
    } else {
      s.adverseEvents = [{ type: 'bruising', severity: 'mild', muscle: '', side: 'left' }];
      field = 'adverseEvents[0].muscle';
    }
    try {
      analyseSession(s, core);
    } catch (error) {
      if (error instanceof OperationOutcomeError && error.status === 422 && error.outcome.issue.some((i) => i.expression?.[0] === field)) return;
      throw error;
    }
    fail(`a session with ${field} = "" was accepted as valid`);
  });
}

export const NAME_KNOWN_BUG_CONTENT_ENCODING = 'when a JSON body declares Content-Encoding gzip, deflate or br but is not compressed that way, then /api/preview answers a 4xx OperationOutcome, not 500';

export function propertyKnownBugContentEncoding(core: Core, server: Server) {
  return fc.asyncProperty(fc.constantFrom('gzip', 'deflate', 'br'), httpBody(core), async (encoding, body) => {
    // '{' (0x7b) starts no gzip member, zlib stream or usable brotli stream, so decoding fails.
    const bytes = Buffer.from(`{${body ?? ''}`, 'utf8');
    const res = await request(server).post('/api/preview').set('Content-Type', 'application/json').set('Content-Encoding', encoding).send(bytes);
    if (res.status >= 500) fail(`POST /api/preview with Content-Encoding: ${encoding} and an undecodable body → ${res.status}`, res.text?.slice(0, 200));
    if (res.status >= 400) checkOutcomeResponse(res, `POST /api/preview (Content-Encoding: ${encoding})`);
  });
}
