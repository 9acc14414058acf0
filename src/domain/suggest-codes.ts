import { advise } from './advice.js';
import { combineSources, sourcesOf } from './citations.js';
import { codeEntry, listed, modifierReason, warning, type LineDraft } from './coding-drafts.js';
import type { CodeSuggestion, CodingWarning, CourseContext, SuggestedCode } from './coding-types.js';
import { linkDiagnoses } from './diagnosis-linkage.js';
import { countDistinctMuscles, distinctMuscleCount } from './distinct-muscles.js';
import { formatDay } from './human-dates.js';
import { dateOfService, inForce } from './in-force.js';
import { payerOnDate } from './payer-on-date.js';
import { bilateralCountsAsTwo, coverageSources, isInvestigational } from './payer-rules.js';
import type { CodeEntry, Profiles } from './profiles.js';
import { manualTherapyEditWarnings, otherServiceLines, servicesInForce, timedMinutesOf, visitTotal } from './service-lines.js';
import { therapyThresholdWarnings } from './therapy-threshold.js';
import { assignTimedUnits, type TimedUnits } from './timed-units.js';
import type { PayerPolicy, Session } from './types.generated.js';

/** "1 and 3", "1, 2 and 4": entry numbers as a person counts them. */
function entryNumbers(indexes: readonly number[]): string {
  return listed(indexes.map((i) => String(i + 1)));
}

/**
 * " Not counted: left lumbar erector spinae, which names a region, not a muscle; chart the muscles
 * needled instead (longissimus lumborum, …)." Empty when every entry is a named muscle.
 */
function regionsNotCounted(groups: ReturnType<typeof countDistinctMuscles>['groups']): string {
  if (groups.length === 0) return '';
  const names = listed(groups.map((g) => g.label));
  const choices = [...new Set(groups.map((g) => g.choices).filter((c) => c.length > 0))].join('; ');
  const which = groups.length === 1 ? 'which names a region, not a muscle' : 'which name regions, not muscles';
  return ` Not counted: ${names}, ${which}; chart the muscles needled instead${choices ? ` (${choices})` : ''}.`;
}

/** The needling codes in force on the date of service: 20560/20561 from 2020, the unlisted 20999 before (codes.json dates). */
function needlingCodesOn(profiles: Profiles, date: string): { current: readonly CodeEntry[]; legacy: CodeEntry | undefined; firstCurrent: CodeEntry | undefined } {
  const all = profiles.files.codes.codes;
  const current = all.filter((c) => c.role === 'needling' && inForce(c, date));
  const legacy = all.find((c) => c.role === 'needling-legacy' && inForce(c, date));
  const firstCurrent = all.filter((c) => c.role === 'needling').sort((a, b) => a.effective.localeCompare(b.effective))[0];
  return { current, legacy, firstCurrent };
}

/** The needling code whose muscle range holds `muscles` distinct muscles (at least the one-muscle code). */
function needlingCodeFor(current: readonly CodeEntry[], muscles: number): CodeEntry | undefined {
  const n = Math.max(muscles, 1);
  return current.find((c) => c.muscleRange !== undefined && c.muscleRange.min <= n && (c.muscleRange.max === undefined || n <= c.muscleRange.max));
}

function needlingLine(session: Session, payer: PayerPolicy, profiles: Profiles, date: string, warnings: CodingWarning[]): LineDraft | undefined {
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
  const codes = needlingCodesOn(profiles, date);
  if (codes.current.length === 0) {
    const entry = codes.legacy;
    if (!entry) {
      const sources = codes.firstCurrent ? sourcesOf(profiles.cite, codes.firstCurrent) : profiles.rules.distinctMuscles;
      warnings.push(warning('no-needling-code', `NeedleChart's code table has no dry-needling code in force on ${formatDay(date)}: report the needling as the payer directs.`, sources, 'date'));
      return undefined;
    }
    const sources = sourcesOf(profiles.cite, entry);
    const first = codes.firstCurrent;
    const successors = first ? listed(profiles.files.codes.codes.filter((c) => c.role === 'needling' && c.effective === first.effective).map((c) => c.code)) : '';
    const took = first ? `, before ${successors} took effect on ${formatDay(first.effective)}` : '';
    return {
      entry, units: 1, billable: true, needling: true, sources,
      rationale: advise(`Dry needling on ${formatDay(date)}${took}, is reported with the unlisted code ${entry.code}.`, sources.verified),
    };
  }
  const codeFor = (muscles: number): string | undefined => needlingCodeFor(codes.current, muscles)?.code;
  const found = needlingCodeFor(codes.current, n);
  // indexProfiles checks every needling code has a muscle range; a gap in the ranges is a broken profile set.
  if (!found) throw new Error(`codes.json has no needling code for ${n} muscles on ${date}`);
  const entry = found;
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

/** The code table's entry when it was in force on the date of service; otherwise a warning and nothing. */
function entryOnDate(profiles: Profiles, code: string, date: string, path: string, warnings: CodingWarning[]): CodeEntry | undefined {
  const entry = codeEntry(profiles, code);
  if (inForce(entry, date)) return entry;
  warnings.push(warning('code-not-in-force', `${code} was not in NeedleChart's code table on ${formatDay(date)}: it is not suggested.`, sourcesOf(profiles.cite, entry), path));
  return undefined;
}

/** Attended e-stim's minutes, which count toward the visit's timed total with the other timed services. */
function estimTimedMinutes(session: Session, profiles: Profiles, date: string): { code: string; minutes: number }[] {
  const estim = session.estim;
  const inTable = inForce(codeEntry(profiles, '97032'), date);
  return inTable && estim?.applied && estim.attended === true && estim.minutes !== undefined ? [{ code: '97032', minutes: estim.minutes }] : [];
}

function estimLine(session: Session, payer: PayerPolicy, profiles: Profiles, date: string, timed: TimedUnits, warnings: CodingWarning[]): LineDraft | undefined {
  const estim = session.estim;
  if (!estim?.applied) return undefined;
  warnings.push(warning('estim-pairing-review', 'No authoritative ruling covers coding e-stim delivered through dry needles: the e-stim line is suggested by attendance and should be reviewed.', profiles.rules.estimPairing, 'estim'));
  if (estim.attended === undefined) {
    warnings.push(warning('estim-attendance-missing', 'E-stim was applied but not marked attended or unattended: no e-stim code can be suggested.', profiles.rules.estimAttendance, 'estim.attended'));
    return undefined;
  }
  if (!estim.attended) {
    const rule = payer.rules.unattendedEstimCode;
    const entry = entryOnDate(profiles, rule?.code ?? '97014', date, 'estim', warnings);
    if (!entry) return undefined;
    const sources = combineSources(profiles.cite, [sourcesOf(profiles.cite, entry), ...(rule ? [sourcesOf(profiles.cite, rule)] : [])]);
    const why = entry.code === 'G0283' ? `${payer.name} takes G0283 for unattended e-stim, as Medicare does` : 'outside Medicare, unattended e-stim is reported as 97014';
    return { entry, units: 1, billable: true, needling: false, sources, rationale: advise(`E-stim was unattended: ${why}, one untimed unit per visit.`, sources.verified) };
  }
  const entry = entryOnDate(profiles, '97032', date, 'estim', warnings);
  if (!entry) return undefined;
  const minutes = estim.minutes;
  const shared = timed.byCode.size > 1;
  const sources = shared ? combineSources(profiles.cite, [sourcesOf(profiles.cite, entry), profiles.rules.timedUnitsShare]) : sourcesOf(profiles.cite, entry);
  if (minutes === undefined) {
    warnings.push(warning('estim-minutes-missing', 'Attended e-stim (97032) is timed: record the minutes of constant attendance to bill it.', profiles.rules.eightMinuteRule, 'estim.minutes'));
    return { entry, units: 0, billable: false, needling: false, sources, rationale: advise('Attended e-stim is billed in 15-minute units by the 8-minute rule, and no minutes were recorded, so no unit can be billed.', sources.verified) };
  }
  const units = timed.byCode.get('97032')?.units ?? 0;
  if (units === 0) {
    const why = shared
      ? `Attended e-stim lasted ${minutes} minutes: its minutes count toward the visit's timed total, and the units went to the services with more minutes, so 97032 is not billed.`
      : `Attended e-stim lasted ${minutes} minutes: under 8 minutes 97032 is not billable.`;
    warnings.push(warning('estim-under-8-minutes', why, shared ? profiles.rules.timedUnitsShare : profiles.rules.eightMinuteRule, 'estim.minutes'));
  }
  const gives = shared
    ? `Attended e-stim for ${minutes} minutes takes ${units} unit${units === 1 ? '' : 's'} of 97032${visitTotal(timed)}: each timed service keeps a unit for each full 15 minutes of its own, and the units left go to the services with the most minutes left`
    : `Attended e-stim for ${minutes} minutes gives ${units} unit${units === 1 ? '' : 's'} of 97032 by the 8-minute rule (8 to 22 minutes is 1 unit, 23 to 37 is 2, 38 to 52 is 3)`;
  return {
    entry, units, billable: units > 0, needling: false, sources,
    rationale: advise(shared ? `${gives}. The note must justify the constant one-on-one attendance.` : `${gives}, and the note must justify the constant one-on-one attendance.`, sources.verified),
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
 * Whether the voluntary ABN that GX stands for was given on or before the date of service
 * (session.abn.issuedOn; the payer's nonCoveredNeedling rule, citation cms-mm6563). When it was not,
 * a billed visit gets the `abn-missing` warning asking for it, and the needling line carries no GX.
 */
function abnGivenBy(session: Session, date: string, nonCovered: NonNullable<PayerPolicy['rules']['nonCoveredNeedling']>, payer: PayerPolicy, profiles: Profiles, billed: boolean, warnings: CodingWarning[]): boolean {
  const issuedOn = session.abn?.issuedOn;
  if (issuedOn !== undefined && issuedOn <= date) {
    const option = session.abn?.option;
    if (billed && option === 2) {
      warnings.push(warning('abn-option', `The patient chose option 2 on the ABN: they wanted the dry needling and asked that ${payer.name} not be billed. Bill the patient instead of sending this claim.`, profiles.rules.abnOption, 'abn.option'));
    } else if (option === 3) {
      warnings.push(warning('abn-option', 'The patient chose option 3 on the ABN: they did not want the dry needling. Check the record, since the needling is charted as given.', profiles.rules.abnOption, 'abn.option'));
    }
    return true;
  }
  if (!billed) return false;
  const modifiers = listed(nonCovered.modifiers);
  const message = issuedOn === undefined
    ? `No ${nonCovered.abn} ABN is recorded for this visit: ${modifiers} goes on the needling line only when the patient was given the ABN before treatment. Record the date it was given, or give it before the next visit.`
    : `The ${nonCovered.abn} ABN is recorded as given on ${formatDay(issuedOn)}, after this visit on ${formatDay(date)}: ${modifiers} goes on the needling line only when the patient was given the ABN before treatment.`;
  warnings.push(warning('abn-missing', `${message} ${payer.name} never covers dry needling by a physical therapist.`, sourcesOf(profiles.cite, nonCovered), 'abn.issuedOn'));
  return false;
}

/**
 * Suggests the claim lines for one session under one payer, each with the reason a biller can read
 * and its sources beside it, and the warnings the biller must see (codes.json, the payer's policy
 * file, icd10.json, src/domain/rule-sources.ts). A rule resting on no source that was read reads as
 * advice ("Check this with the payer: …"). Only what was in force on the date of service applies:
 * codes and modifiers by their `effective`/`expires`, the payer's rules and notes by theirs and its
 * policy by its history (payer-on-date.ts). The visit's other services get their own lines, timed units
 * shared over all timed minutes (timed-units.ts). Pure: no I/O.
 */
export function suggestCodes(session: Session, payerFile: PayerPolicy, profiles: Profiles, course: CourseContext = {}): CodeSuggestion {
  const warnings: CodingWarning[] = [];
  const date = dateOfService(session.date);
  // Only what was in force on the date of service: the payer's rules, notes and policy history, and the code table's dates.
  const payer = payerOnDate(payerFile, date);
  const services = servicesInForce(session, profiles, date, warnings);
  const timed = assignTimedUnits([...estimTimedMinutes(session, profiles, date), ...timedMinutesOf(services)]);
  const needling = needlingLine(session, payer, profiles, date, warnings);
  const drafts = [needling, estimLine(session, payer, profiles, date, timed, warnings), ...otherServiceLines(services, timed, profiles)].filter(
    (d): d is LineDraft => d !== undefined,
  );
  if (timed.byCode.size > 1 && timed.totalUnits === 0) {
    warnings.push(warning('timed-under-8-minutes', `The visit's timed services add up to ${timed.totalMinutes} minutes: under 8 minutes in all, no timed unit is billable.`, profiles.rules.timedUnitsShare, 'services'));
  }
  manualTherapyEditWarnings(session, services, needling?.entry, profiles, warnings);
  payerWarnings(session.billing, payer, profiles, course, warnings);
  therapyThresholdWarnings(payer, date, course, profiles, warnings);
  if (payer.coverage.status === 'no-policy-in-force') {
    warnings.push(warning('no-policy-in-force', payer.coverage.summary, coverageSources(profiles, payer), 'date'));
  }

  const linkage = linkDiagnoses(session.diagnoses, date, profiles);
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
  const modifierInForce = (code: string): boolean => {
    const entry = profiles.modifiers.get(code);
    return entry !== undefined && inForce(entry, date);
  };
  const therapy = payer.rules.therapyModifier;
  const nonCovered = payer.rules.nonCoveredNeedling;
  // GX (and GY) say the voluntary ABN is on file: suggested only when it was given on or before the visit.
  const abnOnFile = nonCovered ? abnGivenBy(session, date, nonCovered, payer, profiles, billed, warnings) : false;
  const therapyReason = therapy && modifierInForce(therapy.modifier)
    ? modifierReason(therapy.modifier, `${therapy.modifier} marks a service delivered under a physical-therapy plan of care, which this payer wants on therapy lines.`, sourcesOf(profiles.cite, therapy))
    : undefined;
  const nonCoveredReasons = nonCovered && abnOnFile
    ? nonCovered.modifiers.filter(modifierInForce).map((m) => modifierReason(m, `${m} says a ${nonCovered.abn} ABN is on file for a service ${payer.name} never covers when a physical therapist performs it.`, sourcesOf(profiles.cite, nonCovered)))
    : [];

  const codes: SuggestedCode[] = drafts.map((d) => {
    const modifierRationale = [...(therapyReason ? [therapyReason] : []), ...(d.needling ? nonCoveredReasons : [])];
    return {
      system: profiles.files.codes.systems[d.entry.system],
      code: d.entry.code,
      display: d.entry.short,
      units: d.units,
      modifiers: modifierRationale.map((m) => m.modifier),
      optionalModifiers: d.needling && nonCovered && abnOnFile ? nonCovered.optionalModifiers.filter(modifierInForce) : [],
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
