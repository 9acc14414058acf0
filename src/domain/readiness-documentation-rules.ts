import { dateOfService } from './in-force.js';
import { stateOnDate } from './state-on-date.js';
import { linkDiagnoses } from './diagnosis-linkage.js';
import { countDistinctMuscles } from './distinct-muscles.js';
import { formatDay } from './human-dates.js';
import { describeMuscle } from './muscle-names.js';
import { bilateralCountsAsTwo } from './payer-rules.js';
import { finding, type Finding, type ReadinessRule } from './readiness-types.js';
import type { Estim } from './types.generated.js';

/** Informed consent is a reviewer item on every visit (rule sources: `consent`). */
export const consentObtained: ReadinessRule = ({ session, profiles }) =>
  session.consent.obtained
    ? []
    : [finding('error', 'consent.obtained', 'consent-missing', 'Informed consent is not recorded: obtain and record it before needling.', profiles.rules.consent, profiles.rules.consent.checkWith)];

/** Where the payer calls dry needling investigational, the patient must have been told (the payer's `investigational` rule). */
export const investigationalDisclosed: ReadinessRule = ({ session, payer, profiles }) => {
  const rule = payer.rules.investigational;
  if (!rule?.requiresDisclosure || session.consent.investigationalStatusDisclosed) return [];
  return [finding('error', 'consent.investigationalStatusDisclosed', 'investigational-disclosure', `${payer.name} calls dry needling investigational: record that this was disclosed to the patient.`, profiles.cite(rule.citations, rule.verified))];
};

/**
 * Performer credential and the state's scope of practice (state-scope.json): data with dates, advice
 * unless its sources were read; a state that permits it with an endorsement reminds to keep it on file.
 */
export const performerScope: ReadinessRule = ({ session, profiles }) => {
  const findings: Finding[] = [];
  const scope = profiles.files.stateScope;
  if (!session.performer.dryNeedlingCertified) {
    findings.push(finding('warning', 'performer.dryNeedlingCertified', 'performer-not-certified', `${session.performer.display} is not recorded as trained in dry needling: reviewers check the performer's credential.`, profiles.rules.performerCredential));
  }
  // The state's entry as it stood on the date of service (state-scope.json entries are dated).
  const state = stateOnDate(profiles, session.performer.state, dateOfService(session.date));
  if (!state) return findings;
  const sources = profiles.cite(state.citations ?? scope.citations, state.verified ?? scope.verified);
  const asOf = `as of ${formatDay(scope.asOf)}`;
  if (state.status === 'not-permitted') {
    findings.push(finding('error', 'performer.state', 'state-not-permitted', `${state.name} does not permit physical therapists to perform dry needling (${asOf}).`, sources, 'state-board'));
  } else if (state.status === 'silent-or-ambiguous') {
    findings.push(finding('warning', 'performer.state', 'state-ambiguous', `${state.name}'s practice act is silent or ambiguous on dry needling by physical therapists${state.requirements ? `; ${state.requirements.charAt(0).toLowerCase()}${state.requirements.slice(1, -1)}` : ''} (${asOf}).`, sources, 'state-board'));
  } else if (state.endorsement) {
    const details = state.requirements ? ` ${state.requirements}` : '';
    findings.push(finding('info', 'performer.state', 'state-endorsement', `${state.name} permits physical therapists to perform dry needling with an endorsement from the state board (${asOf}): keep the endorsement on file.${details}`, sources, 'state-board'));
  } else if (state.requirements || state.trainingHours) {
    findings.push(finding('info', 'performer.state', 'state-requirements', `${state.name} (${asOf}): ${state.requirements ?? `${state.trainingHours} hours of training.`}`, sources, 'state-board'));
  }
  if (state.writtenConsent && session.consent.written !== true) {
    // Written consent rests on the state's own sources and the table's flag, like the rest of the entry.
    findings.push(finding('warning', 'consent.written', 'written-consent', `${state.name} requires written consent for dry needling: record that consent was signed.`, sources, 'state-board'));
  }
  return findings;
};

/** A diagnosis must carry the indication, and be billable on the date of service (icd10.json: categories, unknown codes and codes outside their fiscal years refused; codes outside its blocks noted as not checked). */
export const diagnosesBillable: ReadinessRule = ({ session, profiles }) => {
  if (session.diagnoses.length === 0) {
    return [finding('error', 'diagnoses', 'diagnosis-missing', 'No diagnosis is linked: the indication and medical necessity need one.', profiles.rules.treatmentNote)];
  }
  const linkage = linkDiagnoses(session.diagnoses, dateOfService(session.date), profiles);
  return [
    ...linkage.refused.map((r): Finding => finding('error', `diagnoses[${r.index}].code`, 'diagnosis-not-billable', r.message, r.sources, 'code-set')),
    ...linkage.unknown.map((u): Finding => finding('info', `diagnoses[${u.index}].code`, 'diagnosis-unverified', u.message, profiles.rules.diagnosisCodes, 'code-set')),
    ...linkage.unchecked.map((u): Finding => finding('info', `diagnoses[${u.index}].code`, 'diagnosis-not-checked', u.message, profiles.rules.diagnosisCodes, 'code-set')),
  ];
};

/** Each muscle by name and side, the count matching the code (rule sources: `regionWord`, `distinctMuscles`). */
export const musclesNamed: ReadinessRule = ({ session, payer, profiles }) => {
  const count = countDistinctMuscles(session.muscles, profiles, bilateralCountsAsTwo(payer));
  return [
    ...count.groups.map((g): Finding => finding('warning', `muscles[${g.index}].muscle`, 'region-not-muscle', `'${g.label}' names a region, not one muscle, and is not counted toward 20560 or 20561: chart each muscle needled instead (${g.choices}) so the count matches the code.`, profiles.rules.regionWord)),
    ...count.duplicates.map((d): Finding => finding('warning', `muscles[${d.entries[1] ?? d.entries[0]}]`, 'duplicate-muscle', `The ${d.label} is entered more than once; merge the entries (it counts as one muscle).`, profiles.rules.distinctMuscles)),
  ];
};

/** Needles counted in and out (rule sources: `needleCount`). */
export const needlesCounted: ReadinessRule = ({ session, profiles }) =>
  session.needle.countVerified
    ? []
    : [finding('warning', 'needle.countVerified', 'needle-count', 'Record that all needles were counted in and out.', profiles.rules.needleCount, profiles.rules.needleCount.checkWith)];

const ESTIM_PARAMETERS: ReadonlyArray<readonly [keyof Estim, string]> = [
  ['attended', 'whether it was attended'],
  ['minutes', 'the minutes'],
  ['frequencyHz', 'the frequency'],
  ['waveform', 'the device waveform'],
  ['intensity', 'the intensity'],
];

/** E-stim must state type and area: device/waveform, frequency, intensity, minutes, attendance, muscles (rule sources: `estimDocumentation`). */
export const estimParameters: ReadinessRule = ({ session, profiles }) => {
  const estim = session.estim;
  if (!estim?.applied) return [];
  const sources = profiles.rules.estimDocumentation;
  const findings: Finding[] = ESTIM_PARAMETERS.filter(([key]) => estim[key] === undefined).map(([key, words]) => finding('error', `estim.${key}`, 'estim-parameters', `E-stim was applied: record ${words}.`, sources));
  if (!estim.muscles?.length) {
    findings.push(finding('error', 'estim.muscles', 'estim-parameters', 'E-stim was applied: record the muscles stimulated.', sources));
  }
  (estim.muscles ?? []).forEach((m, i) => {
    if (!session.muscles.some((n) => n.muscle === m.muscle && n.side === m.side)) {
      findings.push(finding('error', `estim.muscles[${i}]`, 'estim-muscle-not-needled', `E-stim lists the ${describeMuscle(profiles, m.muscle, m.side)}, which was not needled in this session.`, sources));
    }
  });
  if (estim.attended && estim.minutes !== undefined && estim.minutes < 8) {
    findings.push(finding('info', 'estim.minutes', 'estim-under-8-minutes', `Attended e-stim for ${estim.minutes} minutes is under the 8 minutes one unit of 97032 needs.`, profiles.rules.eightMinuteRule));
  }
  return findings;
};

/** Objective outcomes before and after, ROM, and a region-specific questionnaire (rule sources: `treatmentNote`). */
export const outcomesRecorded: ReadinessRule = ({ session, profiles }) => {
  const o = session.outcomes;
  const sources = profiles.rules.treatmentNote;
  const findings: Finding[] = [];
  if (o?.painPre === undefined) findings.push(finding('warning', 'outcomes.painPre', 'pain-missing', 'Record pain (0–10) before needling.', sources));
  if (o?.painPost === undefined) findings.push(finding('warning', 'outcomes.painPost', 'pain-missing', 'Record pain (0–10) after needling.', sources));
  if (!o?.rom?.length) findings.push(finding('info', 'outcomes.rom', 'rom-missing', 'No range of motion before and after is recorded.', sources));
  if (!o?.measures?.length) findings.push(finding('info', 'outcomes.measures', 'questionnaire-missing', 'No region-specific questionnaire (NDI, ODI, LEFS, PSFS, QuickDASH) is recorded.', sources));
  return findings;
};

/** Patient response and the plan (link to plan-of-care goals) are treatment-note items. */
export const responseAndPlan: ReadinessRule = ({ session, profiles }) => {
  const sources = profiles.rules.treatmentNote;
  const findings: Finding[] = [];
  if (!session.response?.trim()) findings.push(finding('warning', 'response', 'response-missing', "Record the patient's response to treatment.", sources));
  if (!session.plan?.trim()) findings.push(finding('warning', 'plan', 'plan-missing', 'Record the plan and its link to the plan-of-care goals.', sources));
  return findings;
};

/**
 * Medicare: the voluntary ABN is given before a service Medicare never covers, and GX on the claim says
 * it was; GX is suggested only when its date is recorded (the payer's `nonCoveredNeedling` rule).
 */
export const abnOnFile: ReadinessRule = ({ session, payer, profiles }) => {
  const rule = payer.rules.nonCoveredNeedling;
  if (!rule || session.billing !== 'bill-payer') return [];
  const sources = profiles.cite(rule.citations, rule.verified);
  if (!session.abn) return [finding('error', 'abn.issuedOn', 'abn-missing', `${payer.name} never covers dry needling by a physical therapist: record the date the ${rule.abn} ABN was given to the patient (the claim's GX modifier says it was).`, sources)];
  if (session.abn.issuedOn > dateOfService(session.date)) return [finding('error', 'abn.issuedOn', 'abn-after-visit', `The ABN is dated ${formatDay(session.abn.issuedOn)}, after this visit: it must be given before the service.`, sources)];
  return [];
};

/** A payer that calls dry needling investigational: the patient's financial waiver, or the document-only choice (the payer's `investigational` rule). */
export const waiverOnFile: ReadinessRule = ({ session, payer, profiles }) => {
  const rule = payer.rules.investigational;
  if (!rule || session.billing === 'document-only') return [];
  const sources = profiles.cite(rule.citations, rule.verified);
  if (!session.waiver) return [finding('error', 'waiver.signedOn', 'waiver-missing', `${payer.name} calls dry needling investigational: record the date the patient signed the financial waiver, or choose "Document only".`, sources)];
  if (session.waiver.signedOn > dateOfService(session.date)) return [finding('error', 'waiver.signedOn', 'waiver-after-visit', `The financial waiver is dated ${formatDay(session.waiver.signedOn)}, after this visit: it must be signed before the service.`, sources)];
  return [];
};
