import { Ajv, type KeywordDefinition, type ValidateFunction } from 'ajv';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import { hasLoneSurrogate, keptText, type FreeTextKind } from '../domain/free-text.js';
import type { ValidationIssue } from '../outcome/validation-issue.js';
import { toValidationIssues } from './ajv-messages.js';

// ajv-formats is CommonJS with a default export; under NodeNext the callable sits on `.default`.
const addFormats = (addFormatsModule as unknown as { default: FormatsPlugin }).default;

/** Values a `catalog` annotation in a schema stands for, filled in at start-up from profiles/. */
export type CatalogValues = Readonly<Record<string, readonly string[]>>;

/** A JSON Schema document, as read from profiles/. */
export type SchemaDocument = Record<string, unknown> & { $id: string };

export interface SchemaRegistry {
  /** Every problem with `value` against the schema `$id` (or a part of one, `$id#/definitions/x`), each with its field path; empty when valid. */
  validate(schemaId: string, value: unknown): ValidationIssue[];
}

/**
 * Replaces each `catalog: NAME` annotation with an `enum` of that catalog's ids, so one ajv pass
 * reports unknown muscles and payers together with every shape error.
 */
function withCatalogs(node: unknown, catalogs: CatalogValues): unknown {
  if (Array.isArray(node)) return node.map((n) => withCatalogs(n, catalogs));
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = withCatalogs(value, catalogs);
  const name = out.catalog;
  if (typeof name === 'string' && catalogs[name]) {
    out.enum = [...(catalogs[name] ?? [])];
    delete out.pattern;
  }
  return out;
}

/**
 * `freeText: single-line | multi-line` marks a field a person types (notes, response, plan, names
 * of things) and applies the free-text rules of src/domain/free-text.ts to it: a lone UTF-16
 * surrogate is refused (it cannot be stored); control characters are dropped, line breaks and tabs
 * kept only in multi-line fields. It runs before the length keywords, so `minLength` and `maxLength`
 * count the text that is kept, and it writes the kept text back into the value being validated
 * (validate a copy when the caller's value must stay as it was).
 */
const FREE_TEXT_KEYWORD: KeywordDefinition = {
  keyword: 'freeText',
  type: 'string',
  schemaType: 'string',
  modifying: true,
  before: 'maxLength',
  validate: (kind: FreeTextKind, data: string, _parentSchema?: unknown, context?: { parentData: unknown; parentDataProperty: string | number }) => {
    if (hasLoneSurrogate(data)) return false;
    const kept = keptText(data, kind);
    if (kept !== data && context) (context.parentData as Record<string | number, unknown>)[context.parentDataProperty] = kept;
    return true;
  },
};

/**
 * Compiles every schema once at start-up (STYLE.md convention 5): strict, all errors, formats,
 * verbose (so messages can read the field's own schema).
 */
export function createSchemaRegistry(schemas: readonly SchemaDocument[], catalogs: CatalogValues = {}): SchemaRegistry {
  const ajv = new Ajv({ allErrors: true, strict: true, verbose: true, allowUnionTypes: true });
  addFormats(ajv);
  // Annotations only: `catalog` names the id list a field must come from; `patternHint` says in words what a pattern wants.
  ajv.addKeyword({ keyword: 'catalog', schemaType: 'string' });
  ajv.addKeyword({ keyword: 'patternHint', schemaType: 'string' });
  ajv.addKeyword(FREE_TEXT_KEYWORD);
  // Added first, compiled after: a schema may refer to another (payer files embed the citation shape).
  for (const schema of schemas) ajv.addSchema(withCatalogs(schema, catalogs) as object);
  const validators = new Map<string, ValidateFunction>();
  for (const schema of schemas) {
    const validator = ajv.getSchema(schema.$id);
    if (!validator) throw new Error(`Schema ${schema.$id} did not compile`);
    validators.set(schema.$id, validator);
  }
  return {
    validate(schemaId, value) {
      // A part of a schema (`$id#/definitions/x`) is compiled the first time it is asked for.
      const validator = validators.get(schemaId) ?? (schemaId.includes('#') ? ajv.getSchema(schemaId) : undefined);
      if (!validator) throw new Error(`No schema registered with $id ${schemaId}`);
      validators.set(schemaId, validator);
      return validator(value) ? [] : toValidationIssues(validator.errors);
    },
  };
}
