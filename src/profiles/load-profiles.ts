import { readdir, readFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { indexProfiles, type ProfileFiles, type Profiles } from '../domain/profiles.js';
import type { SchemaCheck } from '../domain/validate-session.js';
import type { PayerPolicy } from '../domain/types.generated.js';
import { createSchemaRegistry, type SchemaDocument } from '../validation/schema-registry.js';

/** The repository's own profiles/ folder. */
export const DEFAULT_PROFILES_DIR = fileURLToPath(new URL('../../profiles/', import.meta.url));

const SCHEMA_FILES = [
  'session.schema.json',
  'muscles.schema.json',
  'codes.schema.json',
  'payer.schema.json',
  'icd10.schema.json',
  'state-scope.schema.json',
  'outcome-measures.schema.json',
  'manifest.schema.json',
  'cds-hook-request.schema.json',
  'citations.schema.json',
  'favourites.schema.json',
] as const;

const schemaId = (file: string): string => `https://needlechart.dev/schemas/${file}`;

/** Start-up fails with every problem in every profile file listed, not just the first. */
export class ProfileLoadError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`NeedleChart cannot start: the profile files have ${problems.length} problem(s):\n  - ${problems.join('\n  - ')}`);
    this.name = 'ProfileLoadError';
  }
}

export interface LoadedProfiles {
  readonly profiles: Profiles;
  /** Validates a value against a schema by $id, with catalogs (muscles, payers, instruments) filled in. */
  readonly check: SchemaCheck;
  readonly schemas: readonly SchemaDocument[];
}

export interface ProfileLocations {
  readonly profilesDir?: string;
  /** A clinic's own payer policies; a file here replaces a built-in payer with the same id. */
  readonly payersDir?: string;
}

async function readJson(path: string, problems: string[]): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as unknown;
  } catch (error) {
    const reason = error instanceof SyntaxError ? `not valid JSON (${error.message})` : `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
    problems.push(`${path}: ${reason}`);
    return undefined;
  }
}

async function jsonFiles(dir: string, problems: string[]): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => f.endsWith('.json')).sort().map((f) => join(dir, f));
  } catch (error) {
    problems.push(`${dir}: payer directory cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    return [];
  }
}

/**
 * Reads and checks every profile file once at start-up: schema errors with file and field path,
 * cross-file references (every citation id names a source in citations.json), clinic payer files.
 * Throws ProfileLoadError listing all problems.
 */
export async function loadProfiles(locations: ProfileLocations = {}): Promise<LoadedProfiles> {
  const dir = locations.profilesDir ?? DEFAULT_PROFILES_DIR;
  const problems: string[] = [];
  const schemas = (await Promise.all(SCHEMA_FILES.map((f) => readJson(join(dir, f), problems)))).filter(
    (s): s is SchemaDocument => !!s && typeof s === 'object' && typeof (s as SchemaDocument).$id === 'string',
  );
  if (problems.length > 0 || schemas.length !== SCHEMA_FILES.length) throw new ProfileLoadError(problems.length ? problems : ['a schema file lacks $id']);
  const plain = createSchemaRegistry(schemas);

  const checked = async <T>(path: string, schemaFile: string): Promise<T | undefined> => {
    const value = await readJson(path, problems);
    if (value === undefined) return undefined;
    const issues = plain.validate(schemaId(schemaFile), value);
    for (const issue of issues) problems.push(`${relative(process.cwd(), path) || path}: ${issue.message}`);
    return issues.length ? undefined : (value as T);
  };

  const payerPaths = [...(await jsonFiles(join(dir, 'payers'), problems)), ...(locations.payersDir ? await jsonFiles(locations.payersDir, problems) : [])];
  const [muscles, codes, icd10, stateScope, outcomeMeasures, citations, ...payerFiles] = await Promise.all([
    checked<ProfileFiles['muscles']>(join(dir, 'muscles.json'), 'muscles.schema.json'),
    checked<ProfileFiles['codes']>(join(dir, 'codes.json'), 'codes.schema.json'),
    checked<ProfileFiles['icd10']>(join(dir, 'icd10.json'), 'icd10.schema.json'),
    checked<ProfileFiles['stateScope']>(join(dir, 'state-scope.json'), 'state-scope.schema.json'),
    checked<ProfileFiles['outcomeMeasures']>(join(dir, 'outcome-measures.json'), 'outcome-measures.schema.json'),
    checked<ProfileFiles['citations']>(join(dir, 'citations.json'), 'citations.schema.json'),
    ...payerPaths.map((p) => checked<PayerPolicy>(p, 'payer.schema.json')),
  ]);

  // A clinic's file replaces a built-in payer with the same id; within one folder, file name must match id.
  const payers = new Map<string, PayerPolicy>();
  payerFiles.forEach((payer, i) => {
    const path = payerPaths[i] ?? '';
    if (!payer) return;
    if (basename(path, '.json') !== payer.id) problems.push(`${path}: id '${payer.id}' must match the file name`);
    payers.set(payer.id, payer);
  });
  if (!muscles || !codes || !icd10 || !stateScope || !outcomeMeasures || !citations || problems.length > 0) throw new ProfileLoadError(problems);

  const files: ProfileFiles = { muscles, codes, icd10, stateScope, outcomeMeasures, citations, payers: [...payers.values()] };
  const indexed = indexProfiles(files);
  if (indexed.problems.length > 0) throw new ProfileLoadError(indexed.problems);

  const registry = createSchemaRegistry(schemas, {
    muscles: muscles.muscles.map((m) => m.id),
    payers: [...payers.keys()],
    instruments: outcomeMeasures.instruments.map((i) => i.id),
    services: codes.codes.filter((c) => c.role === 'other-service').map((c) => c.code),
  });
  return { profiles: indexed.profiles, check: (id, value) => registry.validate(id, value), schemas };
}
