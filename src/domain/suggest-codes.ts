import { citePolicy, advisory, bilateralCountsAsTwo, isInvestigational } from './payer-rules.js';
import type { CodeSuggestion, CodingWarning, CourseContext, SuggestedCode } from './coding-types.js';
import { linkDiagnoses } from './diagnosis-linkage.js';
import { countDistinctMuscles } from './distinct-muscles.js';
import { unitsByEightMinuteRule } from './estim-units.js';
import type { CodeEntry, Profiles } from './profiles.js';
import type { PayerPolicy, Session } from './types.generated.js';

/** Codes before this date of service are reported with the unlisted code 20999 (DOMAIN.md: CPT Assistant Oct 2014). */
const NEEDLING_CODES_START = '2020-01-01';

interface LineDraft {
  entry: CodeEntry;
  units: number;
  billable: boolean;
  rationale: string;
  verified: boolean;
  /** Needling lines take the payer's non-covered modifiers (GX); e-stim lines do not. */
  needling: boolean;
}

function codeEntry(profiles: Profiles, code: string): CodeEntry {
  const entry = profiles.codes.get(code);
  // indexProfiles guarantees the codes the rules name exist; reaching this is a broken profile set.
  if (!entry) throw new Error(`codes.json lacks ${code}`);
  return entry;
}

function needlingLine(session: Session, payer: PayerPolicy, profiles: Profiles, warnings: CodingWarning[]): LineDraft {
  const bilateral = bilateralCountsAsTwo(payer);
  const count = countDistinctMuscles(session.muscles, profiles, bilateral);
  for (const dup of count.duplicates) {
    const where = dup.entries.map((i) => `muscles[${i}]`).join(', ');
    warnings.push({
      rule: 'duplicate-muscle',
      message: `The ${dup.label} is entered more than once (${where}); it counts as one muscle.`,
      source: 'DOMAIN.md CPT codes for the needling: the unit is the distinct muscle',
      path: `muscles[${dup.entries[1] ?? dup.entries[0]}]`,
    });
  }
  for (const group of count.groups) {
    warnings.push({
      rule: 'region-not-muscle',
      message: `'${group.label}' names a region, not one muscle: a payer may not count it toward 20560/20561; name the muscles needled.`,
      source: 'DOMAIN.md CPT codes for the needling (AAPC guidance for 20552/20553)',
      path: `muscles[${group.index}].muscle`,
    });
  }
  const n = count.distinct.length;
  const names = count.distinct.map((d) => d.label).join(', ');
  const sides = bilateral ? 'left and right counted separately' : 'left and right counted as one muscle by this payer';
  const dateOfService = session.date.slice(0, 10);
  if (dateOfService < NEEDLING_CODES_START) {
    const entry = codeEntry(profiles, '20999');
    return {
      entry, units: 1, billable: true, needling: true, verified: entry.verified,
      rationale: `Dry needling on ${dateOfService}, before 20560/20561 took effect on 2020-01-01, is reported with the unlisted code 20999 (CPT Assistant Oct 2014, quoted by Codapedia; DOMAIN.md).`,
    };
  }
  const codeFor = (muscles: number): string => (muscles >= 3 ? '20561' : '20560');
  const entry = codeEntry(profiles, codeFor(n));
  // The side rule is advisory (VERIFY per payer); it matters only when counting sides the other way changes the code.
  const otherCount = countDistinctMuscles(session.muscles, profiles, !bilateral).distinct.length;
  const sideRuleMatters = codeFor(otherCount) !== entry.code;
  const sideRuleVerified = !sideRuleMatters || (payer.rules.bilateralCountsAsTwo?.verified ?? false);
  return {
    entry, units: 1, billable: true, needling: true,
    verified: entry.verified && sideRuleVerified,
    rationale: `${n} distinct muscle${n === 1 ? '' : 's'} needled (${names}; ${sides}), so ${entry.code} is reported once for the session: the unit is the distinct muscle, never needles or minutes (DOMAIN.md; seed 003; Codapedia)${advisory(sideRuleVerified)}.`,
  };
}

function estimLine(session: Session, payer: PayerPolicy, profiles: Profiles, warnings: CodingWarning[]): LineDraft | undefined {
  const estim = session.estim;
  if (!estim?.applied) return undefined;
  warnings.push({
    rule: 'estim-pairing-review',
    message: 'No authoritative ruling covers coding e-stim delivered through dry needles: the e-stim line is suggested by attendance and should be reviewed.',
    source: 'DOMAIN.md Electrical stimulation through needles',
    path: 'estim',
  });
  if (estim.attended === undefined) {
    warnings.push({ rule: 'estim-attendance-missing', message: 'E-stim was applied but not marked attended or unattended: no e-stim code can be suggested.', source: 'DOMAIN.md Electrical stimulation through needles', path: 'estim.attended' });
    return undefined;
  }
  if (!estim.attended) {
    const rule = payer.rules.unattendedEstimCode;
    const entry = codeEntry(profiles, rule?.code ?? '97014');
    const why = entry.code === 'G0283' ? `${payer.name} follows Medicare, which takes G0283 for unattended e-stim` : 'unattended e-stim with a non-Medicare payer is 97014';
    return {
      entry, units: 1, billable: true, needling: false, verified: false,
      rationale: `E-stim was unattended and ${why}, one untimed unit per visit (${rule?.source ?? 'DOMAIN.md Electrical stimulation through needles'}).`,
    };
  }
  const entry = codeEntry(profiles, '97032');
  const minutes = estim.minutes;
  if (minutes === undefined) {
    warnings.push({ rule: 'estim-minutes-missing', message: 'Attended e-stim (97032) is timed: record the minutes of constant attendance to bill it.', source: 'DOMAIN.md Electrical stimulation through needles', path: 'estim.minutes' });
    return { entry, units: 0, billable: false, needling: false, verified: entry.verified, rationale: 'Attended e-stim is billed in 15-minute units by the 8-minute rule, and no minutes were recorded, so no unit can be billed (DOMAIN.md).' };
  }
  const units = unitsByEightMinuteRule(minutes);
  if (units === 0) {
    warnings.push({ rule: 'estim-under-8-minutes', message: `Attended e-stim lasted ${minutes} minutes: under 8 minutes 97032 is not billable.`, source: 'DOMAIN.md Electrical stimulation through needles (8-minute rule)', path: 'estim.minutes' });
  }
  return {
    entry, units, billable: units > 0, needling: false, verified: entry.verified,
    rationale: `Attended e-stim for ${minutes} minutes gives ${units} unit${units === 1 ? '' : 's'} of 97032 by the 8-minute rule (8–22 min = 1, 23–37 = 2, 38–52 = 3; DOMAIN.md), and the note must justify the constant one-on-one attendance.`,
  };
}

/**
 * What a payer's policy means for dry needling, as warnings: investigational (waiver, self-pay,
 * document-only), statutorily non-covered (voluntary ABN, GX), notes, visit limits, and a billing mode
 * that keeps the codes off the claim. Used for every code suggestion and by the CDS Hooks payer card.
 */
export function payerWarnings(billing: Session['billing'], payer: PayerPolicy, course: CourseContext, warnings: CodingWarning[] = []): CodingWarning[] {
  const investigational = payer.rules.investigational;
  if (isInvestigational(payer) && investigational) {
    warnings.push({
      rule: 'investigational-payer',
      message: `${citePolicy(payer)} calls dry needling investigational, not covered regardless of diagnosis. Options: the patient signs a financial-responsibility waiver and self-pays; document only (no charge, effect recorded); or bill with the waiver on file.`,
      source: payer.coverage.source,
      path: 'billing',
    });
  }
  const nonCovered = payer.rules.nonCoveredNeedling;
  if (nonCovered) {
    const optional = nonCovered.optionalModifiers.length ? ` (${nonCovered.optionalModifiers.join(', ')} at the payer's option)` : '';
    warnings.push({
      rule: 'abn-reminder',
      message: `${payer.name} never covers dry needling by a physical therapist: have the patient sign a ${nonCovered.abn} ABN before treatment and bill the needling with ${nonCovered.modifiers.join(' + ')}${optional}; GA is wrong here.`,
      source: nonCovered.source,
      path: 'billing',
    });
  }
  for (const note of payer.notes) {
    warnings.push({ rule: 'payer-note', message: `${note.text}${advisory(note.verified)}`, source: note.source });
  }
  const limit = payer.rules.visitLimit;
  if (limit) {
    const ceiling = limit.visitsWithJustification ?? limit.visits;
    const visit = course.visitNumber;
    const where = visit === undefined ? 'count the visits in this course' : `this is visit ${visit}`;
    if (visit === undefined || visit > limit.visits) {
      const beyond = visit !== undefined && visit > ceiling ? `, beyond the ceiling of ${ceiling}: not payable` : `; up to ${ceiling} with documented justification`;
      warnings.push({ rule: 'visit-limit', message: `${payer.name} allows ${limit.visits} treatments (${where}${beyond})${advisory(limit.verified)}.`, source: limit.source });
    }
  }
  if (billing !== 'bill-payer') {
    warnings.push({
      rule: 'not-billed',
      message: `Billing is ${billing}: the codes are kept in the record but not billed to ${payer.name}.`,
      source: 'DOMAIN.md Modifiers and payer status (self-pay, document-only); seed 002',
      path: 'billing',
    });
  }
  return warnings;
}

/**
 * Suggests the claim lines for one session under one payer, each with the reason a biller can read,
 * and the warnings the biller must see (DOMAIN.md 'CPT codes for the needling', 'Electrical
 * stimulation through needles', 'Modifiers and payer status', 'Diagnoses'). Pure: no I/O.
 */
export function suggestCodes(session: Session, payer: PayerPolicy, profiles: Profiles, course: CourseContext = {}): CodeSuggestion {
  const warnings: CodingWarning[] = [];
  const drafts = [needlingLine(session, payer, profiles, warnings), estimLine(session, payer, profiles, warnings)].filter(
    (d): d is LineDraft => d !== undefined,
  );
  payerWarnings(session.billing, payer, course, warnings);

  const linkage = linkDiagnoses(session.diagnoses, session.date.slice(0, 10), profiles);
  for (const refused of linkage.refused) {
    warnings.push({ rule: 'diagnosis-not-billable', message: refused.message, source: refused.source, path: `diagnoses[${refused.index}].code` });
  }
  for (const unknown of linkage.unknown) {
    warnings.push({ rule: 'diagnosis-unverified', message: `${unknown.code} is not in NeedleChart's ICD-10-CM table: it is linked as entered; verify it is billable.`, source: 'profiles/icd10.json', path: `diagnoses[${unknown.index}].code` });
  }
  if (linkage.linked.length === 0) {
    warnings.push({ rule: 'no-billable-diagnosis', message: 'No billable diagnosis is linked: a claim line needs at least one.', source: 'DOMAIN.md Documentation a payer reviewer looks for (indication and medical necessity)', path: 'diagnoses' });
  }
  const diagnoses = linkage.linked.map((d) => d.code);
  const billed = session.billing === 'bill-payer';
  const therapy = payer.rules.therapyModifier;
  const nonCovered = payer.rules.nonCoveredNeedling;

  const codes: SuggestedCode[] = drafts.map((d) => {
    const modifierRationale: { modifier: string; rationale: string }[] = [];
    if (therapy) {
      modifierRationale.push({ modifier: therapy.modifier, rationale: `${therapy.modifier}: delivered under a physical-therapy plan of care, which this payer wants marked on therapy lines (${therapy.source})${advisory(therapy.verified)}.` });
    }
    if (d.needling && nonCovered) {
      for (const m of nonCovered.modifiers) {
        modifierRationale.push({ modifier: m, rationale: `${m}: a ${nonCovered.abn} ABN is on file for a service ${payer.name} never covers when a physical therapist performs it (${nonCovered.source}).` });
      }
    }
    const verified = d.verified && (therapy?.verified ?? true) && (!d.needling || (nonCovered?.verified ?? true));
    return {
      system: profiles.files.codes.systems[d.entry.system],
      code: d.entry.code,
      display: d.entry.short,
      units: d.units,
      modifiers: modifierRationale.map((m) => m.modifier),
      optionalModifiers: d.needling && nonCovered ? nonCovered.optionalModifiers : [],
      billable: billed && d.billable,
      diagnoses,
      rationale: d.rationale,
      modifierRationale,
      verified,
    };
  });
  return { codes, warnings };
}
