import { advise } from './advice.js';
import { combineSources, sourcesOf, type Sources } from './citations.js';
import type { CodeSuggestion, CodingWarning, CourseContext, Reasoned, SuggestedCode } from './coding-types.js';
import { linkDiagnoses } from './diagnosis-linkage.js';
import { countDistinctMuscles, distinctMuscleCount } from './distinct-muscles.js';
import { unitsByEightMinuteRule } from './estim-units.js';
import { formatDay } from './human-dates.js';
import { bilateralCountsAsTwo, coverageSources, isInvestigational } from './payer-rules.js';
import type { CodeEntry, Profiles } from './profiles.js';
import type { PayerPolicy, Session } from './types.generated.js';

/** Codes before this date of service are reported with the unlisted code 20999 (codes.json 20999: CPT Assistant, October 2014). */
const NEEDLING_CODES_START = '2020-01-01';

interface LineDraft {
  entry: CodeEntry;
  units: number;
  billable: boolean;
  /** Plain words, already advice when `sources` is unverified. */
  rationale: string;
  sources: Sources;
  /** Needling lines take the payer's non-covered modifiers (GX); e-stim lines do not. */
  needling: boolean;
}

function codeEntry(profiles: Profiles, code: string): CodeEntry {
  const entry = profiles.codes.get(code);
  // indexProfiles guarantees the codes the rules name exist; reaching this is a broken profile set.
  if (!entry) throw new Error(`codes.json lacks ${code}`);
  return entry;
}

function warning(rule: string, message: string, sources: Sources, path?: string, checkWith: Parameters<typeof advise>[2] = 'payer'): CodingWarning {
  // Built field by field, `path` last and only when given: object spread is slow in V8 and this runs per warning.
  const built: { -readonly [K in keyof CodingWarning]: CodingWarning[K] } = { rule, message: advise(message, sources.verified, checkWith), source: sources.source, citations: sources.citations, verified: sources.verified };
  if (path) built.path = path;
  return built;
}

/** A modifier with its reason: `{modifier, rationale, source, citations, verified}`, in that order (the JSON a biller's tools read). */
function modifierReason(modifier: string, rationale: string, sources: Sources): Reasoned & { readonly modifier: string } {
  return { modifier, rationale: advise(rationale, sources.verified), source: sources.source, citations: sources.citations, verified: sources.verified };
}

/** "1 and 3", "1, 2 and 4": entry numbers as a person counts them. */
function entryNumbers(indexes: readonly number[]): string {
  const n = indexes.map((i) => String(i + 1));
  return n.length <= 1 ? n.join('') : `${n.slice(0, -1).join(', ')} and ${n[n.length - 1]}`;
}

/**
 * " Not counted: left lumbar erector spinae, which names a region, not a muscle; chart the muscles
 * needled instead (longissimus lumborum, …)." Empty when every entry is a named muscle.
 */
function regionsNotCounted(groups: ReturnType<typeof countDistinctMuscles>['groups']): string {
  if (groups.length === 0) return '';
  const labels = groups.map((g) => g.label);
  const listed = labels.length <= 1 ? labels.join('') : `${labels.slice(0, -1).join(', ')} and ${labels[labels.length - 1]}`;
  const choices = [...new Set(groups.map((g) => g.choices).filter((c) => c.length > 0))].join('; ');
  const which = groups.length === 1 ? 'which names a region, not a muscle' : 'which name regions, not muscles';
  return ` Not counted: ${listed}, ${which}; chart the muscles needled instead${choices ? ` (${choices})` : ''}.`;
}

function needlingLine(session: Session, payer: PayerPolicy, profiles: Profiles, warnings: CodingWarning[]): LineDraft {
  const bilateral = bilateralCountsAsTwo(payer);
  const count = countDistinctMuscles(session.muscles, profiles, bilateral);
  for (const dup of count.duplicates) {
    warnings.push(warning('duplicate-muscle', `The ${dup.label} is entered more than once (entries ${entryNumbers(dup.entries)}); it counts as one muscle.`, profiles.rules.distinctMuscles, `muscles[${dup.entries[1] ?? dup.entries[0]}]`));
  }
  for (const group of count.groups) {
    warnings.push(warning('region-not-muscle', `'${group.label}' names a region, not one muscle: it is not counted toward 20560 or 20561; chart the muscles needled instead (${group.choices}).`, profiles.rules.regionWord, `muscles[${group.index}].muscle`));
  }
  const notCounted = regionsNotCounted(count.groups);
  const n = count.distinct.length;
  const names = count.distinct.map((d) => d.label).join(', ');
  const sides = bilateral ? 'left and right counted separately' : 'left and right counted as one muscle by this payer';
  const dateOfService = session.date.slice(0, 10);
  if (dateOfService < NEEDLING_CODES_START) {
    const entry = codeEntry(profiles, '20999');
    const sources = sourcesOf(profiles.cite, entry);
    return {
      entry, units: 1, billable: true, needling: true, sources,
      rationale: advise(`Dry needling on ${formatDay(dateOfService)}, before 20560 and 20561 took effect on ${formatDay(NEEDLING_CODES_START)}, is reported with the unlisted code 20999.`, sources.verified),
    };
  }
  const codeFor = (muscles: number): string => (muscles >= 3 ? '20561' : '20560');
  const entry = codeEntry(profiles, codeFor(n));
  // One line per session still; with no named muscle it stays off the claim until muscles are named.
  if (n === 0) {
    const sources = combineSources(profiles.cite, [sourcesOf(profiles.cite, entry), profiles.rules.regionWord]);
    return {
      entry, units: 1, billable: false, needling: true, sources,
      rationale: advise(`No named muscle was charted, so neither 20560 nor 20561 can be reported until the muscles needled are named.${notCounted}`, sources.verified),
    };
  }
  // The side rule is advice per payer; it matters only when counting sides the other way changes the code.
  const otherCount = distinctMuscleCount(session.muscles, profiles, !bilateral);
  const sideRule = payer.rules.bilateralCountsAsTwo;
  const entrySources = sourcesOf(profiles.cite, entry);
  const countSources = codeFor(otherCount) === entry.code ? entrySources : combineSources(profiles.cite, [entrySources, sideRule ? sourcesOf(profiles.cite, sideRule) : profiles.rules.sidesApart]);
  // Leaving region entries out rests on the region-word rule too, which is advice by analogy.
  const sources = count.groups.length ? combineSources(profiles.cite, [countSources, profiles.rules.regionWord]) : countSources;
  return {
    entry, units: 1, billable: true, needling: true, sources,
    rationale: advise(`${n} distinct muscle${n === 1 ? '' : 's'} needled (${names}; ${sides}), so ${entry.code} is reported once for the session: the unit is the distinct muscle, never needles or minutes.${notCounted}`, sources.verified),
  };
}

function estimLine(session: Session, payer: PayerPolicy, profiles: Profiles, warnings: CodingWarning[]): LineDraft | undefined {
  const estim = session.estim;
  if (!estim?.applied) return undefined;
  warnings.push(warning('estim-pairing-review', 'No authoritative ruling covers coding e-stim delivered through dry needles: the e-stim line is suggested by attendance and should be reviewed.', profiles.rules.estimPairing, 'estim'));
  if (estim.attended === undefined) {
    warnings.push(warning('estim-attendance-missing', 'E-stim was applied but not marked attended or unattended: no e-stim code can be suggested.', profiles.rules.estimAttendance, 'estim.attended'));
    return undefined;
  }
  if (!estim.attended) {
    const rule = payer.rules.unattendedEstimCode;
    const entry = codeEntry(profiles, rule?.code ?? '97014');
    const sources = combineSources(profiles.cite, [sourcesOf(profiles.cite, entry), ...(rule ? [sourcesOf(profiles.cite, rule)] : [])]);
    const why = entry.code === 'G0283' ? `${payer.name} takes G0283 for unattended e-stim, as Medicare does` : 'outside Medicare, unattended e-stim is reported as 97014';
    return { entry, units: 1, billable: true, needling: false, sources, rationale: advise(`E-stim was unattended: ${why}, one untimed unit per visit.`, sources.verified) };
  }
  const entry = codeEntry(profiles, '97032');
  const sources = sourcesOf(profiles.cite, entry);
  const minutes = estim.minutes;
  if (minutes === undefined) {
    warnings.push(warning('estim-minutes-missing', 'Attended e-stim (97032) is timed: record the minutes of constant attendance to bill it.', profiles.rules.eightMinuteRule, 'estim.minutes'));
    return { entry, units: 0, billable: false, needling: false, sources, rationale: advise('Attended e-stim is billed in 15-minute units by the 8-minute rule, and no minutes were recorded, so no unit can be billed.', sources.verified) };
  }
  const units = unitsByEightMinuteRule(minutes);
  if (units === 0) {
    warnings.push(warning('estim-under-8-minutes', `Attended e-stim lasted ${minutes} minutes: under 8 minutes 97032 is not billable.`, profiles.rules.eightMinuteRule, 'estim.minutes'));
  }
  return {
    entry, units, billable: units > 0, needling: false, sources,
    rationale: advise(`Attended e-stim for ${minutes} minutes gives ${units} unit${units === 1 ? '' : 's'} of 97032 by the 8-minute rule (8 to 22 minutes is 1 unit, 23 to 37 is 2, 38 to 52 is 3), and the note must justify the constant one-on-one attendance.`, sources.verified),
  };
}

/** Why a line with no valid diagnosis is kept off the claim, in words the biller reads on the line itself. */
const NO_DIAGNOSIS_REASON = 'Not billable: no valid diagnosis is linked to this line, and a claim line needs at least one.';

const NOT_BILLED: Record<Exclude<Session['billing'], 'bill-payer'>, string> = {
  'self-pay': 'The patient pays for this visit',
  'document-only': 'This visit is documented only, with no charge',
};

/**
 * What a payer's policy means for dry needling, as warnings: investigational (waiver, self-pay,
 * document-only), statutorily non-covered (voluntary ABN, GX), notes, visit limits, and a billing mode
 * that keeps the codes off the claim. Used for every code suggestion and by the CDS Hooks payer card.
 */
export function payerWarnings(billing: Session['billing'], payer: PayerPolicy, profiles: Profiles, course: CourseContext, warnings: CodingWarning[] = []): CodingWarning[] {
  const investigational = payer.rules.investigational;
  if (isInvestigational(payer) && investigational) {
    const coverage = coverageSources(profiles, payer);
    const options = sourcesOf(profiles.cite, investigational);
    const sources = combineSources(profiles.cite, [coverage, options]);
    const message = `${advise(`${payer.name} calls dry needling investigational, not covered regardless of diagnosis.`, coverage.verified)} ${advise('The options: the patient signs a financial-responsibility waiver and pays; the visit is documented only, with no charge and the effect recorded; or the payer is billed with the waiver on file.', options.verified)}`;
    warnings.push({ rule: 'investigational-payer', message, source: sources.source, citations: sources.citations, verified: sources.verified, path: 'billing' });
  }
  const nonCovered = payer.rules.nonCoveredNeedling;
  if (nonCovered) {
    const optional = nonCovered.optionalModifiers.length ? ` (${nonCovered.optionalModifiers.join(', ')} at the payer's option)` : '';
    warnings.push(warning('abn-reminder', `${payer.name} never covers dry needling by a physical therapist: have the patient sign a ${nonCovered.abn} ABN before treatment and bill the needling with ${nonCovered.modifiers.join(' + ')}${optional}; GA is wrong here.`, sourcesOf(profiles.cite, nonCovered), 'billing'));
  }
  for (const note of payer.notes) {
    warnings.push(warning('payer-note', note.text, sourcesOf(profiles.cite, note)));
  }
  const limit = payer.rules.visitLimit;
  if (limit) {
    const ceiling = limit.visitsWithJustification ?? limit.visits;
    const visit = course.visitNumber;
    const where = visit === undefined ? 'count the visits in this course' : `this is visit ${visit}`;
    if (visit === undefined || visit > limit.visits) {
      const beyond = visit !== undefined && visit > ceiling ? `, beyond the ceiling of ${ceiling}: not payable` : `; up to ${ceiling} with documented justification`;
      warnings.push(warning('visit-limit', `${payer.name} allows ${limit.visits} treatments (${where}${beyond}).`, sourcesOf(profiles.cite, limit)));
    }
  }
  if (billing !== 'bill-payer') {
    warnings.push(warning('not-billed', `${NOT_BILLED[billing]}: the codes are kept in the record but not billed to ${payer.name}.`, profiles.rules.billingChoice, 'billing'));
  }
  return warnings;
}

/**
 * Suggests the claim lines for one session under one payer, each with the reason a biller can read
 * and its sources beside it, and the warnings the biller must see (codes.json, the payer's policy
 * file, icd10.json, src/domain/rule-sources.ts). A rule resting on no source that was read reads as
 * advice ("Check this with the payer: …"). Pure: no I/O.
 */
export function suggestCodes(session: Session, payer: PayerPolicy, profiles: Profiles, course: CourseContext = {}): CodeSuggestion {
  const warnings: CodingWarning[] = [];
  const drafts = [needlingLine(session, payer, profiles, warnings), estimLine(session, payer, profiles, warnings)].filter(
    (d): d is LineDraft => d !== undefined,
  );
  payerWarnings(session.billing, payer, profiles, course, warnings);

  const linkage = linkDiagnoses(session.diagnoses, session.date.slice(0, 10), profiles);
  for (const refused of linkage.refused) {
    warnings.push(warning('diagnosis-not-billable', refused.message, refused.sources, `diagnoses[${refused.index}].code`, 'code-set'));
  }
  for (const unknown of linkage.unknown) {
    warnings.push(warning('diagnosis-unverified', unknown.message, profiles.rules.diagnosisCodes, `diagnoses[${unknown.index}].code`, 'code-set'));
  }
  for (const unchecked of linkage.unchecked) {
    warnings.push(warning('diagnosis-not-checked', unchecked.message, profiles.rules.diagnosisCodes, `diagnoses[${unchecked.index}].code`, 'code-set'));
  }
  const noDiagnosis = linkage.linked.length === 0;
  if (noDiagnosis) {
    warnings.push(warning('no-billable-diagnosis', 'No billable diagnosis is linked: a claim line needs at least one.', profiles.rules.treatmentNote, 'diagnoses'));
  }
  const diagnoses = linkage.linked.map((d) => d.code);
  const billed = session.billing === 'bill-payer';
  const therapy = payer.rules.therapyModifier;
  const nonCovered = payer.rules.nonCoveredNeedling;
  const therapyReason = therapy
    ? modifierReason(therapy.modifier, `${therapy.modifier} marks a service delivered under a physical-therapy plan of care, which this payer wants on therapy lines.`, sourcesOf(profiles.cite, therapy))
    : undefined;
  const nonCoveredReasons = nonCovered
    ? nonCovered.modifiers.map((m) => modifierReason(m, `${m} says a ${nonCovered.abn} ABN is on file for a service ${payer.name} never covers when a physical therapist performs it.`, sourcesOf(profiles.cite, nonCovered)))
    : [];

  const codes: SuggestedCode[] = drafts.map((d) => {
    const modifierRationale = [...(therapyReason ? [therapyReason] : []), ...(d.needling ? nonCoveredReasons : [])];
    return {
      system: profiles.files.codes.systems[d.entry.system],
      code: d.entry.code,
      display: d.entry.short,
      units: d.units,
      modifiers: modifierRationale.map((m) => m.modifier),
      optionalModifiers: d.needling && nonCovered ? nonCovered.optionalModifiers : [],
      billable: billed && d.billable && !noDiagnosis,
      diagnoses,
      rationale: noDiagnosis ? `${d.rationale} ${NO_DIAGNOSIS_REASON}` : d.rationale,
      source: d.sources.source,
      citations: d.sources.citations,
      modifierRationale,
      verified: d.sources.verified && modifierRationale.every((m) => m.verified),
    };
  });
  return { codes, warnings };
}
