import type { Finding } from './readiness-types.js';

/** How the app names one warning the clinician acknowledged: stable across renders of the same record. */
export function acknowledgementKey(finding: Pick<Finding, 'rule' | 'path'>): string {
  return `${finding.rule}@${finding.path}`;
}

/** The rule and field an acknowledgement key names (the reverse of acknowledgementKey). */
export function parseAcknowledgementKey(key: string): { readonly rule: string; readonly path: string } {
  const at = key.indexOf('@');
  return at < 0 ? { rule: key, path: '' } : { rule: key.slice(0, at), path: key.slice(at + 1) };
}

export interface SignGate {
  /** Findings that block signing while they stand. */
  readonly errors: readonly Finding[];
  /** Warnings not yet acknowledged one by one. */
  readonly unacknowledged: readonly Finding[];
}

/**
 * What stands between a note and its signature: every error finding, and every warning the clinician
 * has not acknowledged (by its key). Information findings never block. Pure.
 */
export function signGate(findings: readonly Finding[], acknowledged: readonly string[]): SignGate {
  const seen = new Set(acknowledged);
  return {
    errors: findings.filter((f) => f.severity === 'error'),
    unacknowledged: findings.filter((f) => f.severity === 'warning' && !seen.has(acknowledgementKey(f))),
  };
}
