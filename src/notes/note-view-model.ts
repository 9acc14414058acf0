import { advise } from '../domain/advice.js';
import { citationLine, type Citation } from '../domain/citations.js';
import type { CodeSuggestion } from '../domain/coding-types.js';
import { distinctMuscleCount } from '../domain/distinct-muscles.js';
import { describeField, SEVERITY_WORDS } from '../domain/field-labels.js';
import { displayZone, formatDateTime, type DisplayZone } from '../domain/human-dates.js';
import { bilateralCountsAsTwo, coverageSources } from '../domain/payer-rules.js';
import { labelMuscle } from '../domain/muscle-names.js';
import { answersInWords } from '../domain/questionnaire-words.js';
import { formatRom } from '../domain/rom-units.js';
import type { Profiles } from '../domain/profiles.js';
import type { Finding, Readiness } from '../domain/readiness-types.js';
import type { PayerPolicy, Session } from '../domain/types.generated.js';
import { ATTESTATION, DRAFT, type NoteStatus } from './note-status.js';
import { assessmentLines, estimLines, NOT_DOCUMENTED, noticeLines, palpationFindings, planLines, safetyLines, sentence, serviceLines, subjectiveLines, type NoteLine } from './note-statements.js';


/**
 * Everything a note template shows, finished and in plain words: no lookups, no FHIR, no field paths,
 * no raw enum values, no ISO timestamps, no optional fields (templates run in Handlebars strict mode,
 * so an absent value is `null`, never missing). STYLE.md convention 7.
 */
export interface NoteViewModel {
  readonly title: string;
  /** True until the clinician signs: the note reads DRAFT and shows what is not documented yet. */
  readonly draft: boolean;
  /** "Friday, November 20, 2026, 2:30 PM" in the clinic's time zone (or the visit's own offset). */
  readonly dateDisplay: string;
  /** `state` is the state's name ("Colorado"); `reference` is data for clinic templates, not shown by ours. */
  readonly performer: { readonly display: string; readonly reference: string; readonly credential: string | null; readonly state: string | null; readonly npi: string | null };
  /** `coverage` reads as advice when the payer's coverage is not verified; `policy` names the sources of a verified coverage. */
  readonly payer: { readonly name: string; readonly coverage: string; readonly policy: string | null; readonly status: string };
  readonly billing: string;
  readonly diagnoses: readonly { readonly code: string; readonly display: string }[];
  /** Each section's statements, each from a recorded value (src/notes/note-statements.ts). */
  readonly subjective: readonly NoteLine[];
  readonly safety: readonly NoteLine[];
  readonly needle: { readonly type: string; readonly size: string };
  readonly muscles: readonly MuscleRow[];
  readonly distinctMuscleCount: number;
  /** Empty when no e-stim was applied. */
  readonly estim: readonly NoteLine[];
  readonly services: readonly NoteLine[];
  readonly outcomes: OutcomesView;
  readonly assessment: readonly NoteLine[];
  readonly plan: readonly NoteLine[];
  readonly notices: readonly NoteLine[];
  /** "Electronically signed by … on …" once signed; null in a draft. */
  readonly attestation: { readonly signed: string; readonly statement: string } | null;
  /** "Addendum November 21, 2026, 9:05 AM by Alex Rivera, PT, DPT: corrected the pain score." */
  readonly addenda: readonly string[];
  readonly codes: CodeSuggestion['codes'];
  readonly warnings: CodeSuggestion['warnings'];
  /** Every source behind the codes and their modifiers, once each, for the note's list of sources. */
  readonly codeSources: readonly SourceView[];
  /** `summary`: "nothing needs fixing; 6 items worth checking". */
  readonly readiness: { readonly score: number; readonly errors: number; readonly warnings: number; readonly summary: string; readonly findings: readonly FindingView[] };
  readonly generator: string;
}

/** A finding as people read it: the severity and the field in words (the path stays as data). */
export interface FindingView extends Finding {
  /** "Needs fixing", "Worth checking", "For information". */
  readonly severityLabel: string;
  /** "Muscle 1 (left upper trapezius): precaution". */
  readonly field: string;
}

/** One cited source: its line ("CMS — Medicare Claims Processing Manual, …") and address. */
export interface SourceView {
  readonly text: string;
  readonly url: string | null;
}

/** How a view model is built: the clinic's time zone (IANA name) for dates and times, and where the note stands. */
export interface NoteViewOptions {
  readonly timeZone?: string | undefined;
  /** A draft when absent. */
  readonly status?: NoteStatus | undefined;
}

export interface MuscleRow {
  readonly label: string;
  readonly depth: string;
  readonly technique: string;
  readonly needles: number;
  readonly retention: string;
  readonly twitch: string;
  /** Palpation findings; "not documented" in a draft, null when signed without them. */
  readonly palpation: string | null;
  readonly pneumothoraxRisk: boolean;
  readonly precaution: string | null;
  readonly notes: string | null;
}

export interface OutcomesView {
  readonly pain: { readonly pre: string; readonly post: string; readonly change: string } | null;
  readonly rom: readonly { readonly movement: string; readonly pre: string; readonly post: string; readonly change: string }[];
  readonly measures: readonly { readonly instrument: string; readonly score: string; readonly answers: string | null }[];
}

const TECHNIQUES: Record<string, string> = { static: 'static', pistoning: 'pistoning', rotation: 'rotation', 'pistoning-rotation': 'pistoning with rotation' };
const BILLING: Record<Session['billing'], string> = { 'bill-payer': 'Billed to the payer', 'self-pay': 'Self-pay (not billed to the payer)', 'document-only': 'Documented only (no charge)' };

/** "30 s", "10 min", "1 min 30 s": how retention reads in a note. */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const min = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return rest ? `${min} min ${rest} s` : `${min} min`;
}

/** "+15", "−3", "0": a change with its sign, using a true minus sign. */
export function formatChange(delta: number): string {
  if (delta === 0) return '0';
  return delta > 0 ? `+${delta}` : `\u2212${Math.abs(delta)}`;
}

/**
 * "Friday, November 20, 2026, 2:30 PM": the visit's date and time in the clinic's time zone, or, when
 * none is configured, at the offset the visit's own date carries (its clock time as recorded).
 */
export function formatVisitDate(iso: string, timeZone?: string): string {
  const key = `${timeZone ?? ''}|${iso}`;
  let text = visitDates.get(key);
  if (text === undefined) {
    // The live preview re-renders the same visit on every keystroke: format its date once.
    if (visitDates.size >= 1000) visitDates.clear();
    text = formatDateTime(iso, displayZone(timeZone, iso));
    visitDates.set(key, text);
  }
  return text;
}
const visitDates = new Map<string, string>();

function readinessSummary(errors: number, warnings: number): string {
  const fix = errors === 0 ? 'nothing needs fixing' : `${errors} item${errors === 1 ? ' needs' : 's need'} fixing`;
  return `${fix}; ${warnings} item${warnings === 1 ? '' : 's'} worth checking`;
}

/** The distinct citations behind the suggested codes and their modifiers, in order of first use. */
function codeSources(coding: CodeSuggestion): SourceView[] {
  const seen = new Map<string, Citation>();
  for (const code of coding.codes) for (const c of [...code.citations, ...code.modifierRationale.flatMap((m) => m.citations)]) if (!seen.has(c.id)) seen.set(c.id, c);
  return [...seen.values()].map((c) => ({ text: citationLine(c), url: c.url ?? null }));
}


/**
 * A finding with its severity and field in words. Built field by field, in the finding's own order,
 * rather than by object spread, which V8 runs many times slower here (a preview shows a dozen findings).
 */
function findingView(f: Finding, session: Session, profiles: Profiles): FindingView {
  return {
    severity: f.severity,
    path: f.path,
    rule: f.rule,
    message: f.message,
    source: f.source,
    citations: f.citations,
    verified: f.verified,
    severityLabel: SEVERITY_WORDS[f.severity],
    field: describeField(f.path, session, profiles),
  };
}

/** "Electronically signed by Alex Rivera, PT, DPT on Friday, November 20, 2026, 3:10 PM." */
function attestationOf(status: NoteStatus, zone: DisplayZone): NoteViewModel['attestation'] {
  return status.signed ? { signed: `Electronically signed by ${status.signed.by} on ${formatDateTime(status.signed.at, zone)}.`, statement: ATTESTATION } : null;
}

export function buildNoteViewModel(
  session: Session,
  payer: PayerPolicy,
  profiles: Profiles,
  coding: CodeSuggestion,
  readiness: Readiness,
  generator: string,
  options: NoteViewOptions = {},
): NoteViewModel {
  const status = options.status ?? DRAFT;
  const draft = !status.signed;
  const zone = displayZone(options.timeZone, session.date);
  const coverage = coverageSources(profiles, payer);
  const errors = readiness.findings.filter((f) => f.severity === 'error').length;
  const warnings = readiness.findings.filter((f) => f.severity === 'warning').length;
  const o = session.outcomes;
  const pain = o?.painPre !== undefined && o.painPost !== undefined
    ? { pre: `${o.painPre}/10`, post: `${o.painPost}/10`, change: formatChange(o.painPost - o.painPre) }
    : o?.painPre !== undefined || o?.painPost !== undefined
      ? { pre: o?.painPre === undefined ? NOT_DOCUMENTED : `${o.painPre}/10`, post: o?.painPost === undefined ? NOT_DOCUMENTED : `${o.painPost}/10`, change: 'cannot be computed' }
      : null;
  return {
    title: 'Dry needling treatment note',
    draft,
    dateDisplay: formatVisitDate(session.date, options.timeZone),
    performer: {
      display: session.performer.display,
      reference: session.performer.reference,
      credential: session.performer.dryNeedlingCertified ? 'trained and certified in dry needling' : draft ? `dry-needling certification ${NOT_DOCUMENTED}` : null,
      state: session.performer.state ? (profiles.states.get(session.performer.state)?.name ?? session.performer.state) : null,
      npi: session.performer.npi ?? null,
    },
    payer: { name: payer.name, coverage: advise(payer.coverage.summary, coverage.verified), policy: coverage.verified && coverage.source ? coverage.source : null, status: payer.coverage.status },
    billing: BILLING[session.billing],
    diagnoses: session.diagnoses.map((d) => ({ code: d.code, display: d.display })),
    subjective: subjectiveLines(session, draft),
    safety: safetyLines(session, payer, draft),
    needle: { type: session.needle.type, size: `${session.needle.diameterMm} mm \u00d7 ${session.needle.lengthMm} mm` },
    muscles: session.muscles.map((m) => ({
      label: labelMuscle(profiles, m.muscle, m.side),
      depth: m.depth,
      technique: TECHNIQUES[m.technique] ?? m.technique,
      needles: m.needles,
      retention: formatDuration(m.retentionSeconds),
      twitch: m.twitch.elicited ? `yes${m.twitch.count !== undefined ? ` (${m.twitch.count})` : ''}` : 'no',
      palpation: palpationFindings(m.exam) ?? (draft ? NOT_DOCUMENTED : null),
      pneumothoraxRisk: profiles.muscles.get(m.muscle)?.pneumothoraxRisk.risk === true,
      precaution: m.precaution ?? null,
      notes: m.notes?.trim() ? m.notes : null,
    })),
    distinctMuscleCount: distinctMuscleCount(session.muscles, profiles, bilateralCountsAsTwo(payer)),
    estim: estimLines(session, profiles, draft),
    services: serviceLines(session, profiles),
    outcomes: {
      pain,
      rom: (o?.rom ?? []).map((r) => ({
        movement: r.side ? `${r.movement} (${r.side})` : r.movement,
        pre: formatRom(r.pre, r.unit),
        post: formatRom(r.post, r.unit),
        change: formatRom(formatChange(r.post - r.pre), r.unit),
      })),
      measures: (o?.measures ?? []).map((m) => {
        const instrument = profiles.instruments.get(m.instrument);
        return {
          instrument: instrument ? (instrument.display === instrument.id ? instrument.display : `${instrument.display} (${instrument.id})`) : m.instrument,
          score: instrument ? `${m.score} of ${instrument.max}` : String(m.score),
          answers: answersInWords(m, instrument) ?? null,
        };
      }),
    },
    assessment: assessmentLines(session, profiles, draft),
    plan: planLines(session, draft),
    notices: noticeLines(session, payer, draft),
    attestation: attestationOf(status, zone),
    addenda: status.addenda.map((a) => `Addendum ${formatDateTime(a.at, zone)} by ${a.by}: ${sentence(a.reason.trim())}`),
    codes: coding.codes,
    warnings: coding.warnings,
    codeSources: codeSources(coding),
    readiness: {
      score: readiness.score,
      errors,
      warnings,
      summary: readinessSummary(errors, warnings),
      findings: readiness.findings.map((f) => findingView(f, session, profiles)),
    },
    generator,
  };
}
