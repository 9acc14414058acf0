import type { OperationOutcome, OperationOutcomeIssue } from 'fhir/r4.js';
import type { ValidationIssue } from './validation-issue.js';

/**
 * R4 issue-type codes we use (http://hl7.org/fhir/R4/valueset-issue-type.html). @types/fhir types
 * `code` as string; this union keeps our own code honest.
 */
export type IssueCode =
  | 'invalid'
  | 'structure'
  | 'required'
  | 'value'
  | 'business-rule'
  | 'conflict'
  | 'not-found'
  | 'forbidden'
  | 'login'
  | 'security'
  | 'timeout'
  | 'transient'
  | 'throttled'
  | 'exception'
  | 'not-supported'
  | 'too-costly'
  | 'processing';

export type IssueSeverity = 'fatal' | 'error' | 'warning' | 'information';

/**
 * The one error type NeedleChart throws across layers: it carries the OperationOutcome to send and
 * the HTTP status to send it with (STYLE.md convention 4). The single express error handler writes it.
 */
export class OperationOutcomeError extends Error {
  readonly status: number;
  readonly outcome: OperationOutcome;

  constructor(status: number, outcome: OperationOutcome, options?: { cause?: unknown }) {
    super(outcome.issue[0]?.diagnostics ?? 'OperationOutcome', options);
    this.name = 'OperationOutcomeError';
    this.status = status;
    this.outcome = outcome;
  }

  /** True when retrying the same request later may succeed (timeouts, 5xx, dropped connections). */
  get transient(): boolean {
    return this.outcome.issue.some((i) => i.code === 'transient' || i.code === 'timeout' || i.code === 'throttled');
  }
}

export function outcome(issues: OperationOutcomeIssue[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: issues };
}

function issue(severity: IssueSeverity, code: IssueCode, diagnostics: string, expression?: string): OperationOutcomeIssue {
  return expression ? { severity, code, diagnostics, expression: [expression] } : { severity, code, diagnostics };
}

/** 422: the document parsed but breaks the schema or a catalog rule; one issue per problem, with its field path. */
export function invalid(issues: readonly ValidationIssue[], status = 422): OperationOutcomeError {
  return new OperationOutcomeError(
    status,
    outcome(issues.map((i) => issue('error', 'invalid', i.message, i.path || undefined))),
  );
}

/** 400: the request itself is malformed (not JSON, wrong content type, missing parameter). */
export function badRequest(message: string, expression?: string): OperationOutcomeError {
  return new OperationOutcomeError(400, outcome([issue('error', 'structure', message, expression)]));
}

export function notFound(message: string): OperationOutcomeError {
  return new OperationOutcomeError(404, outcome([issue('error', 'not-found', message)]));
}

export function forbidden(message: string): OperationOutcomeError {
  return new OperationOutcomeError(403, outcome([issue('error', 'forbidden', message)]));
}

export function businessRule(message: string, expression?: string): OperationOutcomeError {
  return new OperationOutcomeError(422, outcome([issue('error', 'business-rule', message, expression)]));
}

export function conflict(message: string): OperationOutcomeError {
  return new OperationOutcomeError(409, outcome([issue('error', 'conflict', message)]));
}

export function tooLarge(message: string): OperationOutcomeError {
  return new OperationOutcomeError(413, outcome([issue('error', 'too-costly', message)]));
}

/** 502/504: the EHR's server failed or did not answer; `transient` marks it retryable. */
export function upstream(message: string, options: { status?: number; transient?: boolean; cause?: unknown } = {}): OperationOutcomeError {
  return new OperationOutcomeError(
    options.status ?? 502,
    outcome([issue('error', options.transient ? 'transient' : 'exception', message)]),
    { cause: options.cause },
  );
}

/** 500 with generic text: an unknown error never leaks its message (it may hold PHI) and is never a 400. */
export function internal(cause?: unknown): OperationOutcomeError {
  return new OperationOutcomeError(500, outcome([issue('error', 'exception', 'An unexpected error occurred. It has been logged without patient data.')]), { cause });
}
