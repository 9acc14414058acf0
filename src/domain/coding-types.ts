import type { Diagnosis } from './types.generated.js';

/** One suggested claim line. */
export interface SuggestedCode {
  readonly system: string;
  readonly code: string;
  /** NeedleChart's own short description (never the AMA descriptor). */
  readonly display: string;
  readonly units: number;
  readonly modifiers: readonly string[];
  /** Modifiers the payer accepts but does not require (GY beside GX for Medicare). */
  readonly optionalModifiers: readonly string[];
  /** False when the line is kept for the record only (self-pay, document-only, under 8 minutes). */
  readonly billable: boolean;
  /** ICD-10-CM codes the line points to. */
  readonly diagnoses: readonly string[];
  /** One sentence a biller can read, naming its source. */
  readonly rationale: string;
  /** Why each modifier is there, one sentence each. */
  readonly modifierRationale: readonly { readonly modifier: string; readonly rationale: string }[];
  /** True when every rule behind the line was verified from a primary source; otherwise advisory. */
  readonly verified: boolean;
}

/** Something the biller or therapist should know about the coding; never silently dropped. */
export interface CodingWarning {
  /** Stable rule id, e.g. `duplicate-muscle`, `investigational-payer`. */
  readonly rule: string;
  readonly message: string;
  readonly source: string;
  /** Field path the warning is about, when there is one. */
  readonly path?: string;
}

export interface CodeSuggestion {
  readonly codes: readonly SuggestedCode[];
  readonly warnings: readonly CodingWarning[];
}

/** Facts about the course of care that live in the chart, not in one session. */
export interface CourseContext {
  /** 1-based number of this visit in the dry-needling course. */
  readonly visitNumber?: number;
}

export type { Diagnosis };
