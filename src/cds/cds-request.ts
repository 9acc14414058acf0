import type { Coverage, Observation, Patient, Procedure } from 'fhir/r4.js';
import type { SchemaCheck } from '../domain/validate-session.js';
import type { CdsHookRequest } from '../domain/types.generated.js';
import type { R4SchemaOptions, R4SchemaValidator } from '../fhir/r4-schema-validator.js';
import { invalid } from '../outcome/operation-outcome-error.js';
import type { ValidationIssue } from '../outcome/validation-issue.js';
import type { HookData } from './cds-cards.js';

export const CDS_HOOK_REQUEST_SCHEMA_ID = 'https://needlechart.dev/schemas/cds-hook-request.schema.json';

/** The prefetch keys the cards are built from (cds-services.ts), and the resource type each holds. */
export const HOOK_DATA_KEYS = { patient: 'Patient', coverage: 'Coverage', procedures: 'Procedure', observations: 'Observation' } as const;
export type HookDataKey = keyof typeof HOOK_DATA_KEYS;

/** Hook data as far as it has been read: a key is absent until its value is. */
export interface HookDataParts {
  patient?: Patient;
  coverage?: Coverage[];
  procedures?: Procedure[];
  observations?: Observation[];
}

/** Resources another server wrote may carry fields R4 does not define; a known field of the wrong shape is still refused. */
const READ: R4SchemaOptions = { unknownFields: 'allowed' };

/** At most this many issues are sent back: enough to fix a prefetch, not a response the size of the request. */
const MAX_ISSUES = 20;

/**
 * The hook request's shape (profiles/cds-hook-request.schema.json), checked at the edge: 400 with
 * an issue per problem, each naming its field, when it does not hold.
 */
export function requireHookRequest(body: unknown, check: SchemaCheck): CdsHookRequest {
  const issues = check(CDS_HOOK_REQUEST_SCHEMA_ID, body);
  if (issues.length > 0) throw invalid(issues.slice(0, MAX_ISSUES), 400);
  return body as CdsHookRequest;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const typeName = (value: unknown): string => (isObject(value) && typeof value.resourceType === 'string' && /^[A-Za-z]{1,64}$/.test(value.resourceType) ? ` (got ${value.resourceType})` : '');

function readPatient(value: unknown, patientId: string, r4: R4SchemaValidator): { patient?: Patient; issues: ValidationIssue[] } {
  const where = 'prefetch.patient';
  if (!isObject(value) || value.resourceType !== 'Patient') return { issues: [{ path: where, message: `${where} must be a Patient resource${typeName(value)}` }] };
  const issues = r4.validate(value, where, READ);
  if (issues.length > 0) return { issues };
  // Cards for another patient than the one on screen would be worse than none.
  if (value.id !== patientId) return { issues: [{ path: where, message: `${where} is not the patient named in context.patientId` }] };
  return { patient: value as unknown as Patient, issues: [] };
}

function readSearch<K extends Exclude<HookDataKey, 'patient'>>(key: K, value: unknown, r4: R4SchemaValidator): { resources?: NonNullable<HookDataParts[K]>; issues: ValidationIssue[] } {
  const where = `prefetch.${key}`;
  const type = HOOK_DATA_KEYS[key];
  if (!isObject(value) || value.resourceType !== 'Bundle') return { issues: [{ path: where, message: `${where} must be a Bundle, the result of a search${typeName(value)}` }] };
  if (value.entry === undefined) return { resources: [] as unknown as NonNullable<HookDataParts[K]>, issues: [] };
  if (!Array.isArray(value.entry)) return { issues: [{ path: `${where}.entry`, message: `${where}.entry must be a list` }] };
  const issues: ValidationIssue[] = [];
  const resources: unknown[] = [];
  value.entry.forEach((entry: unknown, i) => {
    const at = `${where}.entry[${i}]`;
    if (!isObject(entry)) return void issues.push({ path: at, message: `${at} must be a group of fields` });
    const resource = entry.resource;
    if (resource === undefined) return;
    if (!isObject(resource) || typeof resource.resourceType !== 'string') return void issues.push({ path: `${at}.resource`, message: `${at}.resource must be a FHIR resource` });
    // Searches may also return an OperationOutcome or included resources: only the searched type is read.
    if (resource.resourceType !== type) return;
    const problems = r4.validate(resource, `${at}.resource`, READ);
    if (problems.length > 0) issues.push(...problems);
    else resources.push(resource);
  });
  return issues.length > 0 ? { issues } : { resources: resources as NonNullable<HookDataParts[K]>, issues };
}

/**
 * Reads the hook data from prefetched values (or values read from the EHR's FHIR server, in the same
 * form): `patient` a Patient resource of the patient in context, the others search Bundles whose
 * resources of the searched type are valid FHIR R4. A key that is absent or null (the EHR could not
 * fetch it) is `missing`; a value of the wrong shape is an issue naming `prefetch.<key>` and, where
 * it can, the field inside it.
 */
export function readHookData(values: Readonly<Record<string, unknown>>, patientId: string, r4: R4SchemaValidator): { parts: HookDataParts; missing: HookDataKey[]; issues: ValidationIssue[] } {
  const parts: HookDataParts = {};
  const missing: HookDataKey[] = [];
  const issues: ValidationIssue[] = [];
  for (const key of Object.keys(HOOK_DATA_KEYS) as HookDataKey[]) {
    const value = Object.hasOwn(values, key) ? values[key] : undefined;
    if (value === undefined || value === null) {
      missing.push(key);
      continue;
    }
    if (key === 'patient') {
      const read = readPatient(value, patientId, r4);
      issues.push(...read.issues);
      if (read.patient) parts.patient = read.patient;
    } else {
      const read = readSearch(key, value, r4);
      issues.push(...read.issues);
      if (read.resources) (parts as Record<string, unknown>)[key] = read.resources;
    }
  }
  return { parts, missing, issues: issues.slice(0, MAX_ISSUES) };
}

/** The hook data once every key has been read. */
export function completeHookData(parts: HookDataParts): HookData | undefined {
  const { patient, coverage, procedures, observations } = parts;
  return patient && coverage && procedures && observations ? { patient, coverages: coverage, procedures, observations } : undefined;
}
