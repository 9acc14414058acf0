import type { Condition, Coverage, DocumentReference, Encounter, HumanName, Observation, Patient, Procedure } from 'fhir/r4.js';
import { summariseCourse, type CourseSummary } from '../domain/course.js';
import { buildFlowsheet, type FlowsheetRow } from '../domain/flowsheet.js';
import type { Profiles } from '../domain/profiles.js';
import type { Diagnosis, Session } from '../domain/types.generated.js';
import { isSigned, noteHistory, visitNotes, type NoteVersion } from './note-history.js';
import { ICD10CM, PAYER_POLICY_SYSTEM } from './systems.js';
import { NotANeedleChartVisit, toSession } from './visit-to-session.js';

/** What a chart read returns, before it is turned into domain data. */
export interface ChartResources {
  readonly patient: Patient;
  readonly encounter: Encounter;
  readonly conditions: readonly Condition[];
  readonly coverages: readonly Coverage[];
  readonly procedures: readonly Procedure[];
  readonly observations: readonly Observation[];
  readonly documents: readonly DocumentReference[];
}

export interface PriorVisit {
  readonly procedure: { readonly id: string; readonly versionId: string };
  readonly encounter?: string;
  readonly date: string;
  readonly codes: readonly string[];
  readonly muscleCount: number;
  readonly painPre?: number;
  readonly painPost?: number;
  /** The visit's current note, when there is one. */
  readonly document?: { readonly id: string; readonly versionId: string };
  /** The visit as a session; absent when the Procedure was not written by NeedleChart. */
  readonly session?: Session;
  /** Where the visit's note stands: a draft until signed (an addendum keeps it signed). */
  readonly note: 'draft' | 'signed' | 'none';
  /** Every version of the note, oldest first (who, when, why). */
  readonly history: readonly NoteVersion[];
}

export interface ChartContext {
  readonly patient: { readonly reference: string; readonly name: string; readonly birthDate?: string; readonly gender?: string };
  readonly encounter: { readonly reference: string; readonly status: string; readonly start?: string };
  /** ICD-10-CM codes from the patient's active Conditions, to pick from. */
  readonly diagnoses: readonly Diagnosis[];
  /** The payer policy the patient's active Coverage maps to, when it maps to one. */
  readonly payer: { readonly policyId?: string; readonly name?: string };
  /** Earlier dry-needling visits, oldest first (not including one already saved in this encounter). */
  readonly priorVisits: readonly PriorVisit[];
  /** A visit already saved in this encounter: saving again amends it. */
  readonly currentVisit?: PriorVisit;
  /** The latest earlier visit as a session, for copy-forward. */
  readonly lastSession?: Session;
  readonly course: CourseSummary;
  /** This year's allowed therapy amount before today, from the patient's claims (KX threshold), when the EHR shows any. */
  readonly therapyAmountThisYear?: number;
  /** The earlier visits as flowsheet rows in plain words, oldest first (the course at a glance). */
  readonly flowsheet: readonly FlowsheetRow[];
}

export function displayName(names: readonly HumanName[] | undefined): string {
  const name = names?.find((n) => n.use === 'official') ?? names?.[0];
  if (!name) return 'Unnamed patient';
  return name.text ?? [...(name.given ?? []), name.family].filter(Boolean).join(' ');
}

/** The payer policy a patient's Coverage maps to (payor identifier, else payor name). */
export function payerOf(coverages: readonly Coverage[], profiles: Profiles): ChartContext['payer'] {
  const coverage = coverages.find((c) => c.status === 'active') ?? coverages[0];
  if (!coverage) return {};
  for (const payor of coverage.payor ?? []) {
    const byIdentifier = payor.identifier?.system === PAYER_POLICY_SYSTEM ? payor.identifier.value : undefined;
    if (byIdentifier && profiles.payers.has(byIdentifier)) return { policyId: byIdentifier, name: payor.display ?? profiles.payers.get(byIdentifier)?.name };
    const byName = [...profiles.payers.values()].find((p) => payor.display && p.name.toLowerCase() === payor.display.toLowerCase());
    if (byName) return { policyId: byName.id, name: payor.display };
  }
  return { name: coverage.payor?.[0]?.display };
}

function visitOf(procedure: Procedure, observations: readonly Observation[], documents: readonly DocumentReference[], profiles: Profiles, timeZone?: string): PriorVisit | undefined {
  if (!procedure.id) return undefined;
  const ref = `Procedure/${procedure.id}`;
  const own = observations.filter((o) => o.partOf?.some((p) => p.reference === ref));
  let session: Session | undefined;
  try {
    session = toSession(procedure, own, profiles);
  } catch (error) {
    if (!(error instanceof NotANeedleChartVisit)) throw error;
  }
  const notes = visitNotes(documents, ref);
  const document = [...notes].reverse().find((d) => d.status === 'current');
  const date = procedure.performedDateTime ?? procedure.performedPeriod?.start ?? '';
  return {
    procedure: { id: procedure.id, versionId: procedure.meta?.versionId ?? '' },
    ...(procedure.encounter?.reference ? { encounter: procedure.encounter.reference } : {}),
    date,
    codes: procedure.code?.coding?.filter((c) => c.system !== undefined && !c.system.startsWith('https://needlechart.dev')).map((c) => c.code ?? '') ?? [],
    muscleCount: session?.muscles.length ?? procedure.bodySite?.length ?? 0,
    ...(session?.outcomes?.painPre !== undefined ? { painPre: session.outcomes.painPre } : {}),
    ...(session?.outcomes?.painPost !== undefined ? { painPost: session.outcomes.painPost } : {}),
    ...(document?.id ? { document: { id: document.id, versionId: document.meta?.versionId ?? '' } } : {}),
    ...(session ? { session } : {}),
    note: !document ? 'none' : isSigned(document) ? 'signed' : 'draft',
    history: noteHistory(notes, date, timeZone),
  };
}

/**
 * Builds the chart context from what the chart read returned (pure): header demographics,
 * diagnoses to pick from, the payer policy, earlier visits with the pain trend, the last session for
 * copy-forward, and a visit already saved in this encounter.
 */
export function toChartContext(chart: ChartResources, profiles: Profiles, timeZone?: string): ChartContext {
  const encounterRef = `Encounter/${chart.encounter.id ?? ''}`;
  const seen = new Set<string>();
  const diagnoses: Diagnosis[] = [];
  for (const condition of chart.conditions) {
    const active = condition.clinicalStatus?.coding?.some((c) => c.code === 'active') ?? true;
    for (const coding of condition.code?.coding ?? []) {
      if (!active || coding.system !== ICD10CM || !coding.code || seen.has(coding.code)) continue;
      seen.add(coding.code);
      diagnoses.push({ system: ICD10CM, code: coding.code, display: coding.display ?? condition.code?.text ?? coding.code });
    }
  }
  const visits = chart.procedures
    .filter((p) => p.status !== 'entered-in-error')
    .map((p) => visitOf(p, chart.observations, chart.documents, profiles, timeZone))
    .filter((v): v is PriorVisit => v !== undefined)
    .sort((a, b) => a.date.localeCompare(b.date));
  const currentVisit = [...visits].reverse().find((v) => v.encounter === encounterRef);
  const prior = visits.filter((v) => v !== currentVisit);
  const lastSession = [...prior].reverse().find((v) => v.session)?.session;
  return {
    patient: { reference: `Patient/${chart.patient.id ?? ''}`, name: displayName(chart.patient.name), ...(chart.patient.birthDate ? { birthDate: chart.patient.birthDate } : {}), ...(chart.patient.gender ? { gender: chart.patient.gender } : {}) },
    encounter: { reference: encounterRef, status: chart.encounter.status, ...(chart.encounter.period?.start ? { start: chart.encounter.period.start } : {}) },
    diagnoses,
    payer: payerOf(chart.coverages, profiles),
    priorVisits: prior,
    ...(currentVisit ? { currentVisit } : {}),
    ...(lastSession ? { lastSession } : {}),
    course: summariseCourse(prior.map((v) => ({ date: v.date, ...(v.painPre !== undefined ? { pre: v.painPre } : {}), ...(v.painPost !== undefined ? { post: v.painPost } : {}) }))),
    flowsheet: buildFlowsheet(prior, profiles, timeZone),
  };
}
