import type { ErrorObject } from 'ajv';
import type { ValidationIssue } from '../outcome/validation-issue.js';

/** Catalog names used by the `catalog` annotation keyword, in the words a message uses. */
const CATALOG_WORDS: Record<string, string> = {
  muscles: 'the muscle catalog',
  payers: 'the payer policies',
  instruments: 'the outcome instruments',
  services: "the code table's other services of a visit",
};

/** "/muscles/2/side" → "muscles[2].side" (JSON Pointer → the path a person reads). */
export function toFieldPath(pointer: string): string {
  let path = '';
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path += /^\d+$/.test(part) ? `[${part}]` : path ? `.${part}` : part;
  }
  return path;
}

function join(path: string, child: string): string {
  return path ? `${path}.${child}` : child;
}

function listWords(values: readonly unknown[]): string {
  const words = values.map(String);
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a group of fields',
  null: 'empty',
};

function schemaOf(error: ErrorObject): Record<string, unknown> {
  const parent: unknown = error.parentSchema;
  return parent && typeof parent === 'object' ? (parent as Record<string, unknown>) : {};
}

/** Both bounds in one phrase when the field has both, so a therapist sees the whole allowed range. */
function range(schema: Record<string, unknown>): string | undefined {
  const { minimum, maximum, exclusiveMinimum } = schema;
  if (typeof minimum === 'number' && typeof maximum === 'number') return `must be between ${minimum} and ${maximum}`;
  if (typeof exclusiveMinimum === 'number' && typeof maximum === 'number') return `must be greater than ${exclusiveMinimum} and at most ${maximum}`;
  return undefined;
}

/**
 * Turns one ajv error (compiled with `verbose: true`, so `parentSchema` and `data` are present) into
 * an issue whose message names the field and the rule. Returns undefined for errors that only
 * restate another (`if`).
 */
export function toValidationIssue(error: ErrorObject): ValidationIssue | undefined {
  const path = toFieldPath(error.instancePath);
  const schema = schemaOf(error);
  const where = path || 'The document';
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required': {
      const field = join(path, String(params.missingProperty));
      return { path: field, message: `${field} is required` };
    }
    case 'additionalProperties': {
      const field = join(path, String(params.additionalProperty));
      return { path: field, message: `${field} is not a recognised field` };
    }
    case 'enum': {
      const catalog = typeof schema.catalog === 'string' ? CATALOG_WORDS[schema.catalog] : undefined;
      if (catalog) {
        // A value of the wrong type already has its type error; naming it as an unknown id would only confuse.
        if (typeof error.data !== 'string' || error.data.length === 0 || error.data.length > 100) return undefined;
        return { path, message: `${where} '${error.data}' is not in ${catalog}` };
      }
      return { path, message: `${where} must be ${listWords(params.allowedValues as unknown[])}` };
    }
    case 'const':
      return { path, message: `${where} must be ${String(params.allowedValue)}` };
    case 'type':
      // A union (`type: [object, null]`) comes as "object,null".
      return { path, message: `${where} must be ${listWords(String(params.type).split(',').map((t) => TYPE_WORDS[t] ?? t))}` };
    case 'minimum':
    case 'maximum':
      return { path, message: `${where} ${range(schema) ?? `must be ${error.keyword === 'minimum' ? 'at least' : 'at most'} ${String(params.limit)}`}` };
    case 'exclusiveMinimum':
      return { path, message: `${where} ${range(schema) ?? `must be greater than ${String(params.limit)}`}` };
    case 'exclusiveMaximum':
      return { path, message: `${where} must be less than ${String(params.limit)}` };
    case 'minLength':
      return { path, message: params.limit === 1 ? `${where} must not be empty` : `${where} must be at least ${String(params.limit)} characters` };
    case 'maxLength':
      return { path, message: `${where} must be at most ${String(params.limit)} characters` };
    case 'minItems':
      return { path, message: `${where} must have at least ${String(params.limit)} ${params.limit === 1 ? 'entry' : 'entries'}` };
    case 'maxItems':
      return { path, message: `${where} must have at most ${String(params.limit)} entries` };
    case 'uniqueItems':
      return { path, message: `${where} must not repeat an entry` };
    case 'pattern':
    case 'format': {
      const hint = typeof schema.patternHint === 'string' ? schema.patternHint : undefined;
      const what = hint ?? (error.keyword === 'format' ? `a valid ${String(params.format)}` : `text matching ${String(params.pattern)}`);
      return { path, message: `${where} must be ${what}` };
    }
    case 'freeText':
      // The one way a freeText field fails (schema-registry.ts): a lone surrogate, which UTF-8 cannot store.
      return { path, message: `${where} contains a character that cannot be stored; retype it or paste it as plain text` };
    case 'if':
      return undefined;
    default:
      return { path, message: `${where} ${error.message ?? 'is not valid'}` };
  }
}

/** All ajv errors as issues, duplicates removed, in the order ajv found them. */
export function toValidationIssues(errors: readonly ErrorObject[] | null | undefined): ValidationIssue[] {
  const seen = new Set<string>();
  const issues: ValidationIssue[] = [];
  for (const error of errors ?? []) {
    const issue = toValidationIssue(error);
    if (!issue || seen.has(issue.message)) continue;
    seen.add(issue.message);
    issues.push(issue);
  }
  return issues;
}
