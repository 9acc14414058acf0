import type { OperationOutcomeIssue } from 'fhir/r4.js';
import { OperationOutcomeError, outcome } from '../outcome/operation-outcome-error.js';
import { parseDateRange, type DatePrefix, type DateRange } from './date-range.js';
import { searchParameter, SEARCH_PARAMETERS, type SearchParam } from './search-parameters.js';
import { elementNamesOf } from './search-subset.js';
import { normalizeText, readReference, splitOnCommas } from './search-values.js';

/**
 * A FHIR search query (`GET [base]/Type?…`) read into what the sandbox evaluates, following R4
 * search (http://hl7.org/fhir/R4/search.html): filters on the parameters of search-parameters.ts,
 * `_sort` (`-` prefix, and the `:asc`/`:desc` modifiers older clients send), `_count`, `_offset`,
 * `_summary`, `_elements`, `_total` and `_format`.
 *
 * Unknown or unsupported parameters, modifiers, sort keys and elements follow the client's
 * `Prefer: handling=` (http://hl7.org/fhir/R4/http.html#search): `strict`, the default here, refuses
 * the search with 400 and an OperationOutcome naming each one; `lenient` ignores them, leaves them
 * out of the self link and reports them in an OperationOutcome entry. A malformed value (a date that
 * is not a date, `_count=-1`) is refused either way.
 */

export type Handling = 'strict' | 'lenient';
export type Summary = 'true' | 'text' | 'data' | 'count' | 'false';
export type Total = 'none' | 'estimate' | 'accurate';

/** A reference search value: one exact reference string, or a bare id meaning any of the parameter's target types. */
export type RefValue = { readonly reference: string } | { readonly id: string; readonly types: readonly string[] | '*' };
/** A token search value: `system` undefined matches any system, `''` no system; `code` undefined any code. */
export interface TokenValue {
  readonly system?: string;
  readonly code?: string;
}
export interface DateTest {
  readonly prefix: DatePrefix;
  readonly range: DateRange;
  /** The value as written, after its prefix. */
  readonly text: string;
}
/** One search parameter as given (repeats AND together; each one's comma-separated values OR). */
export type SearchFilter =
  | { readonly param: string; readonly kind: 'missing'; readonly missing: boolean }
  | { readonly param: string; readonly kind: 'reference'; readonly refs: readonly RefValue[] }
  | { readonly param: string; readonly kind: 'token'; readonly not: boolean; readonly tokens: readonly TokenValue[] }
  | { readonly param: string; readonly kind: 'date'; readonly dates: readonly DateTest[] }
  | { readonly param: string; readonly kind: 'string'; readonly mode: 'starts' | 'contains' | 'exact'; readonly texts: readonly string[] };

export interface SortRule {
  readonly param: string;
  readonly descending: boolean;
}

export interface SandboxSearch {
  readonly type: string;
  readonly filters: readonly SearchFilter[];
  readonly sort: readonly SortRule[];
  /** Page size (`_count`, default 20, at most MAX_COUNT). */
  readonly count: number;
  readonly offset: number;
  readonly summary: Summary;
  /** `_elements`: base element names to keep, when asked. */
  readonly elements?: readonly string[];
  readonly total: Total;
  /** The parameters used, as given, except `_count` and `_offset`: the self and paging links repeat them. */
  readonly used: readonly (readonly [string, string])[];
  /** What lenient handling ignored, each with the reason, for the Bundle's OperationOutcome entry. */
  readonly ignored: readonly OperationOutcomeIssue[];
}

export const DEFAULT_COUNT = 20;
/** The largest page the sandbox serves; a larger `_count` gets pages of this size (R4 lets a server return fewer). */
export const MAX_COUNT = 5000;

const SUMMARIES: readonly string[] = ['true', 'text', 'data', 'count', 'false'];
const TOTALS: readonly string[] = ['none', 'estimate', 'accurate'];
const FORMATS: readonly string[] = ['json', 'application/json', 'application/fhir+json'];
const PREFIXES: readonly string[] = ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb'];
const MODIFIERS: Readonly<Record<SearchParam['type'], readonly string[]>> = {
  reference: ['missing'],
  token: ['missing', 'not'],
  date: ['missing'],
  string: ['missing', 'contains', 'exact'],
};

/** `Prefer: handling=lenient|strict` of a request's headers (strict when absent). */
export function handlingOf(headers: Record<string, string | string[] | undefined> | undefined): Handling {
  const prefer = headers?.prefer ?? headers?.Prefer;
  const text = Array.isArray(prefer) ? prefer.join(',') : (prefer ?? '');
  return /(^|[\s,;])handling\s*=\s*"?lenient"?/i.test(text) ? 'lenient' : 'strict';
}

class Problems {
  readonly errors: OperationOutcomeIssue[] = [];
  readonly ignored: OperationOutcomeIssue[] = [];
  constructor(private readonly handling: Handling) {}
  /** Something the sandbox does not support: refused when strict, ignored (and reported) when lenient. */
  unsupported(param: string, text: string): void {
    const issue: OperationOutcomeIssue = { severity: this.handling === 'strict' ? 'error' : 'warning', code: 'not-supported', diagnostics: text, expression: [param] };
    (this.handling === 'strict' ? this.errors : this.ignored).push(issue);
  }
  /** A malformed value: refused whatever the handling. */
  invalid(param: string, text: string): void {
    this.errors.push({ severity: 'error', code: 'value', diagnostics: text, expression: [param] });
  }
}

/**
 * Reads `query` for a search of `type` (a type with SEARCH_PARAMETERS). `base` is this server's FHIR
 * base URL: absolute references on it are read as relative ones. Throws a 400 OperationOutcomeError
 * listing every problem.
 */
export function parseSearch(type: string, query: Record<string, string | string[] | undefined>, options: { readonly handling: Handling; readonly base?: string }): SandboxSearch {
  const problems = new Problems(options.handling);
  const filters: SearchFilter[] = [];
  const sort: SortRule[] = [];
  const used: [string, string][] = [];
  const single: Record<string, string> = {};
  let elements: string[] | undefined;

  for (const [key, raw] of Object.entries(query)) {
    const given = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    const colon = key.indexOf(':');
    const name = colon < 0 ? key : key.slice(0, colon);
    const modifier = colon < 0 ? undefined : key.slice(colon + 1);
    // A parameter with an empty value is ignored (the SMART launcher sends `_sort:asc=` when unsorted).
    const values = given.filter((v) => v !== '');
    if (values.length === 0) continue;

    if (name === '_sort') {
      if (modifier !== undefined && modifier !== 'asc' && modifier !== 'desc') {
        problems.unsupported(key, `The modifier ':${modifier}' is not supported on _sort (use a - prefix, or :asc / :desc)`);
        continue;
      }
      for (const value of values) {
        const keep: string[] = [];
        for (const part of value.split(',').filter(Boolean)) {
          const descending = part.startsWith('-') || modifier === 'desc';
          const param = part.replace(/^-/, '');
          if (!searchParameter(type, param)) problems.unsupported('_sort', `${type} searches cannot sort by '${param}' (sortable: ${Object.keys(SEARCH_PARAMETERS[type] ?? {}).join(', ')})`);
          else {
            sort.push({ param, descending });
            keep.push(part);
          }
        }
        if (keep.length) used.push([key, keep.join(',')]);
      }
      continue;
    }
    if (['_count', '_offset', '_summary', '_total', '_format', '_elements'].includes(name)) {
      if (modifier !== undefined) {
        problems.unsupported(key, `${name} takes no modifier`);
        continue;
      }
      if (values.length > 1) {
        problems.invalid(name, `${name} may be given once`);
        continue;
      }
      const value = values[0] ?? '';
      if (name === '_elements') {
        elements = readElements(type, value, problems);
        if (elements.length) used.push([key, elements.join(',')]);
        continue;
      }
      if ((name === '_count' || name === '_offset') && !/^\d{1,9}$/.test(value)) problems.invalid(name, `${name} must be a whole number, 0 or more (got '${value}')`);
      else if (name === '_summary' && !SUMMARIES.includes(value)) problems.invalid(name, `_summary must be one of ${SUMMARIES.join(', ')} (got '${value}')`);
      else if (name === '_total' && !TOTALS.includes(value)) problems.invalid(name, `_total must be one of ${TOTALS.join(', ')} (got '${value}')`);
      else if (name === '_format' && !FORMATS.includes(value.split(';')[0]?.trim() ?? '')) problems.unsupported(name, `This server answers in JSON only (_format=${FORMATS.join(', ')})`);
      else {
        single[name] = value;
        if (name !== '_count' && name !== '_offset') used.push([key, value]);
      }
      continue;
    }
    const param = searchParameter(type, name);
    if (!param) {
      problems.unsupported(key, `${type} searches do not support the parameter '${name}' (supported: ${Object.keys(SEARCH_PARAMETERS[type] ?? {}).join(', ')})`);
      continue;
    }
    const typeModifier = param.type === 'reference' && modifier !== undefined && /^[A-Z][A-Za-z]+$/.test(modifier) ? modifier : undefined;
    if (modifier !== undefined && !typeModifier && !MODIFIERS[param.type].includes(modifier)) {
      problems.unsupported(key, `The modifier ':${modifier}' is not supported on '${name}' (supported: ${[...MODIFIERS[param.type], ...(param.type === 'reference' ? ['a resource type'] : [])].join(', ')})`);
      continue;
    }
    if (typeModifier && param.type === 'reference' && param.targets !== '*' && !param.targets.includes(typeModifier)) {
      problems.invalid(key, `'${name}' refers to ${param.targets.join(', ')}, not ${typeModifier}`);
      continue;
    }
    for (const value of values) {
      const filter = readFilter(name, param, modifier, typeModifier, value, options.base, problems);
      if (filter) {
        filters.push(filter);
        used.push([key, value]);
      }
    }
  }

  const summary = (single._summary ?? 'false') as Summary;
  if (elements?.length && summary !== 'false' && summary !== 'count') problems.invalid('_elements', '_elements and _summary cannot be combined; use one of them');
  if (problems.errors.length) throw new OperationOutcomeError(400, outcome(problems.errors));
  return {
    type,
    filters,
    sort,
    count: Math.min(Number(single._count ?? DEFAULT_COUNT), MAX_COUNT),
    offset: Number(single._offset ?? 0),
    summary,
    ...(elements?.length ? { elements } : {}),
    total: (single._total ?? 'accurate') as Total,
    used,
    ignored: problems.ignored,
  };
}

function readElements(type: string, value: string, problems: Problems): string[] {
  const known = elementNamesOf(type);
  const kept: string[] = [];
  for (const item of value.split(',').map((e) => e.trim()).filter(Boolean)) {
    const name = item.startsWith(`${type}.`) ? item.slice(type.length + 1) : item;
    const base = known.get(name);
    if (base) kept.push(base);
    else problems.unsupported('_elements', `${type} has no top-level element '${item}'`);
  }
  return [...new Set(kept)];
}

function readFilter(name: string, param: SearchParam, modifier: string | undefined, typeModifier: string | undefined, value: string, base: string | undefined, problems: Problems): SearchFilter | undefined {
  if (modifier === 'missing') {
    if (value !== 'true' && value !== 'false') return problems.invalid(`${name}:missing`, `${name}:missing must be true or false (got '${value}')`), undefined;
    return { param: name, kind: 'missing', missing: value === 'true' };
  }
  const parts = splitOnCommas(value);
  switch (param.type) {
    case 'reference': {
      const refs: RefValue[] = [];
      for (const part of parts) {
        const ref = readReference(part, param.targets, typeModifier, base);
        if (!ref) return problems.invalid(name, `'${name}' needs a reference such as Patient/123, a bare id, or an absolute URL (got '${part}')`), undefined;
        refs.push(ref);
      }
      return { param: name, kind: 'reference', refs };
    }
    case 'token': {
      const tokens: TokenValue[] = [];
      for (const part of parts) {
        const bar = part.indexOf('|');
        if (bar < 0) tokens.push({ code: part });
        else {
          const system = part.slice(0, bar);
          const code = part.slice(bar + 1);
          if (system === '' && code === '') return problems.invalid(name, `'${name}' needs a code, system|code, |code or system| (got '|')`), undefined;
          tokens.push({ system, ...(code === '' ? {} : { code }) });
        }
      }
      return { param: name, kind: 'token', not: modifier === 'not', tokens };
    }
    case 'date': {
      const dates: DateTest[] = [];
      for (const part of parts) {
        const prefix = /^[a-z]{2}/.test(part) ? part.slice(0, 2) : 'eq';
        const text = /^[a-z]{2}/.test(part) ? part.slice(2) : part;
        if (prefix === 'ap') return problems.unsupported(name, `The prefix 'ap' (approximately) is not supported on '${name}'`), undefined;
        const range = PREFIXES.includes(prefix) ? parseDateRange(text) : undefined;
        if (!range) return problems.invalid(name, `'${name}' needs a date such as 2026-03-01 or 2026-03-01T09:30:00Z after an optional prefix (eq, ne, gt, lt, ge, le, sa, eb); got '${part}'`), undefined;
        dates.push({ prefix: prefix as DatePrefix, range, text });
      }
      return { param: name, kind: 'date', dates };
    }
    case 'string':
      return { param: name, kind: 'string', mode: modifier === 'contains' ? 'contains' : modifier === 'exact' ? 'exact' : 'starts', texts: modifier === 'exact' ? parts : parts.map(normalizeText) };
  }
}
