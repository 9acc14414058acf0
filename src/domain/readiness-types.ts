import type { CourseContext } from './coding-types.js';
import type { Profiles } from './profiles.js';
import type { PayerPolicy, Session } from './types.generated.js';

export type FindingSeverity = 'error' | 'warning' | 'info';

/** One gap a payer reviewer would find, pointing at the field that fixes it. */
export interface Finding {
  readonly severity: FindingSeverity;
  /** Field path that fixes it (`consent.obtained`, `muscles[2].precaution`). */
  readonly path: string;
  readonly message: string;
  /** Stable rule id, e.g. `consent-missing`. */
  readonly rule: string;
  /** Where the rule comes from (DOMAIN.md section, payer policy). */
  readonly source: string;
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
