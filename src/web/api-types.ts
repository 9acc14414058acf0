// What the charting and compliance pages read from NeedleChart's API, as the browser sees it. The
// visit itself is the server's generated Session type; these are the page's views of the other answers.

import type { FlowsheetRow } from '../domain/flowsheet.js';
import type { Instrument } from '../domain/profiles.js';
import type { RomMovement } from '../domain/rom-units.js';
import type { Diagnosis, PayerPolicy, Performer, Session } from '../domain/types.generated.js';

/** A muscle the form can pick, with its lung-risk flag. */
export interface CatalogMuscle {
  readonly id: string;
  readonly display: string;
  readonly risk?: boolean;
  /** The body region (head-jaw, neck, shoulder…), for zooming the body map. */
  readonly region?: string;
}

/** A payer policy the form can pick, with the financial notices it calls for. */
export interface CatalogPayer {
  readonly id: string;
  readonly name: string;
  readonly notices?: { readonly abn?: boolean; readonly waiver?: boolean };
  /** Only when the payer's file states a visit limit: the dated parts of its policy the limit depends on (read with payerOnDate). */
  readonly visitLimitPolicy?: PayerPolicy;
}

/** GET /api/catalog. */
export interface Catalog {
  readonly muscles: readonly CatalogMuscle[];
  readonly payers: readonly CatalogPayer[];
  /** The outcome instruments as profiles/outcome-measures.json states them (scoring, item titles, MCID). */
  readonly instruments: readonly Instrument[];
  /** Movements with the unit each is measured in. */
  readonly romMovements?: readonly RomMovement[];
  readonly services?: readonly { readonly code: string; readonly display: string }[];
}

/** One version of the note as the history lists it. */
export interface HistoryEntry {
  readonly kind: string;
  readonly when: string;
  readonly by: string;
  readonly reason?: string;
  readonly current?: boolean;
}

/** Where the saved visit's note stands. */
export type NoteState = 'none' | 'draft' | 'signed';

/** The visit already in the chart for this encounter. */
export interface CurrentVisit {
  readonly procedure: { readonly id: string; readonly versionId: string };
  readonly note: NoteState;
  readonly date: string;
  readonly session?: Session;
  readonly history?: readonly HistoryEntry[];
}

/** GET /api/context: the launch, the patient, the chart's earlier visits. */
export interface ChartContext {
  readonly launch: {
    readonly clinician?: Performer;
    readonly fhirUser?: string;
    readonly userName?: string;
    readonly canSave: boolean;
    readonly cannotSave?: string;
    readonly missingScopes: readonly string[];
    readonly needPatientBanner?: boolean;
    readonly appContext?: string;
  };
  readonly patient: { readonly reference: string; readonly name: string; readonly birthDate?: string; readonly gender?: string };
  readonly encounter: { readonly reference: string };
  readonly payer: { readonly policyId?: string; readonly name?: string };
  readonly diagnoses: readonly Diagnosis[];
  readonly course: {
    readonly visitNumber: number;
    readonly painTrend: readonly { readonly date: string; readonly pre?: number; readonly post?: number }[];
    readonly reliefPercent?: number;
    readonly reliefDefinition?: string;
  };
  /** Earlier visits in plain words, oldest first (the course at a glance). */
  readonly flowsheet?: readonly FlowsheetRow[];
  readonly lastSession?: Session;
  readonly currentVisit?: CurrentVisit;
  readonly clinic?: { readonly practices?: readonly string[] };
  /** This year's allowed therapy amount from the chart's claims, when the EHR shows any. */
  readonly therapyAmountThisYear?: number;
}

/** A finding of the live panel or of a refused signature. */
export interface Finding {
  readonly severity: 'error' | 'warning' | 'info';
  readonly message: string;
  readonly path: string;
  readonly rule?: string;
  /** Ids of the public sources the rule rests on, resolved by GET /api/sources. */
  readonly citations?: readonly string[];
}

/** An OperationOutcome as the API sends it on a refusal. */
export interface Outcome {
  readonly issue?: readonly {
    readonly severity?: string;
    readonly code?: string;
    readonly diagnostics?: string;
    readonly expression?: readonly string[];
    readonly details?: { readonly text?: string; readonly coding?: readonly { readonly code?: string }[] };
  }[];
}

/** POST /api/preview. */
export interface PreviewAnswer {
  readonly codes: readonly { readonly code: string; readonly modifiers: readonly string[]; readonly units: number; readonly billable: boolean; readonly rationale: string; readonly citations?: readonly string[] }[];
  readonly warnings: readonly { readonly message: string; readonly citations?: readonly string[] }[];
  readonly score: number;
  readonly findings: readonly Finding[];
  readonly noteHtml: string;
}
