import type { Citation } from './citations.js';
import type { Diagnosis } from './types.generated.js';

/** Why a line or modifier is there: plain words, and beside them the sources as data and as one line. */
export interface Reasoned {
  /** Plain words without references; "Check this with the payer: " first when the rule is not verified. */
  readonly rationale: string;
  /** The sources in one line a person reads. */
  readonly source: string;
  readonly citations: readonly Citation[];
  /** False when no source behind the rule was read: the rationale is advice. */
  readonly verified: boolean;
}

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
  /** One sentence a biller can read, in plain words; the sources go beside it. */
  readonly rationale: string;
  /** The sources of the line's rules in one line a person reads. */
  readonly source: string;
  /** The sources of the line's rules (code table, payer rules), as data. */
  readonly citations: readonly Citation[];
  /** Why each modifier is there, one sentence each, with its sources. */
  readonly modifierRationale: readonly ({ readonly modifier: string } & Reasoned)[];
  /** True when every rule behind the line (and its modifiers) rests on a source that was read; otherwise advice. */
  readonly verified: boolean;
}

/** Something the biller or therapist should know about the coding; never silently dropped. */
export interface CodingWarning {
  /** Stable rule id, e.g. `duplicate-muscle`, `investigational-payer`. */
  readonly rule: string;
  /** Plain words; "Check this with the payer: " first when the rule is not verified. */
  readonly message: string;
  /** The sources in one line a person reads; empty for NeedleChart's own statements. */
  readonly source: string;
  readonly citations: readonly Citation[];
  /** False when no source behind the rule was read. */
  readonly verified: boolean;
  /** Field path the warning is about, when there is one: data for the app, never shown to people. */
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
  /**
   * Allowed amounts (US dollars) of this calendar year's earlier physical-therapy and speech-language
   * pathology claims, when the chart supplies them: compared with Medicare's yearly therapy threshold.
   */
  readonly therapyAmountThisYear?: number;
  /** The patient's previous visit's narrative, when the chart holds one: a note repeating it word for word is cloned. */
  readonly previousNarrative?: PreviousNarrative;
}

/** What the previous visit's note said in the clinician's own words. */
export interface PreviousNarrative {
  /** The previous visit's date of service (ISO), for the message. */
  readonly date: string;
  readonly response?: string;
  readonly plan?: string;
  readonly goalProgress?: string;
  readonly functionalLimitation?: string;
}

export type { Diagnosis };
