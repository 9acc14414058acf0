import { advise, severityFor, type CheckWith } from './advice.js';
import type { Citation, Sources } from './citations.js';
import type { CourseContext } from './coding-types.js';
import type { Profiles } from './profiles.js';
import type { PayerPolicy, Session } from './types.generated.js';

export type FindingSeverity = 'error' | 'warning' | 'info';

/** One gap a payer reviewer would find, pointing at the field that fixes it. */
export interface Finding {
  readonly severity: FindingSeverity;
  /** Field path that fixes it (`consent.obtained`, `muscles[2].precaution`): data for the app, never shown to people. */
  readonly path: string;
  /** Plain words; "Check this with …: " first when the rule is not verified. */
  readonly message: string;
  /** Stable rule id, e.g. `consent-missing`. */
  readonly rule: string;
  /** The sources in one line a person reads (publisher — title, identifier); empty for NeedleChart's own checks. */
  readonly source: string;
  /** The sources the rule rests on, as data (profiles/citations.json). */
  readonly citations: readonly Citation[];
  /** False when no source behind the rule was read: the message is advice and the severity at most a warning. */
  readonly verified: boolean;
}

export interface Readiness {
  /** 0–100: 100 minus 20 per error and 5 per warning, never below 0. */
  readonly score: number;
  readonly findings: readonly Finding[];
}

export interface ReadinessInput {
  readonly session: Session;
  readonly payer: PayerPolicy;
  readonly profiles: Profiles;
  readonly course: CourseContext;
}

/** A readiness rule: looks at the input, returns its findings (none when satisfied). */
export type ReadinessRule = (input: ReadinessInput) => Finding[];

/**
 * Builds a finding from its rule's sources: an unverified rule's message reads as advice and its
 * severity drops from error to warning, wherever the finding is shown.
 */
export function finding(severity: FindingSeverity, path: string, rule: string, message: string, sources: Sources, checkWith: CheckWith = 'payer'): Finding {
  return {
    severity: severityFor(severity, sources),
    path,
    rule,
    message: advise(message, sources.verified, checkWith),
    source: sources.source,
    citations: sources.citations,
    verified: sources.verified,
  };
}
