import { linkDiagnoses } from './diagnosis-linkage.js';
import { countDistinctMuscles } from './distinct-muscles.js';
import { describeMuscle } from './muscle-names.js';
import { bilateralCountsAsTwo, citePolicy } from './payer-rules.js';
import type { Finding, ReadinessRule } from './readiness-types.js';
import type { Estim } from './types.generated.js';

const REVIEWER = 'DOMAIN.md Documentation a payer reviewer looks for';

/** Informed consent is a reviewer item on every visit. */
export const consentObtained: ReadinessRule = ({ session }) =>
  session.consent.obtained
    ? []
    : [{ severity: 'error', path: 'consent.obtained', rule: 'consent-missing', source: REVIEWER, message: 'Informed consent is not recorded: obtain and record it before needling.' }];

/** Where the payer calls dry needling investigational, the patient must have been told (DOMAIN.md; seeds 000, 001). */
export const investigationalDisclosed: ReadinessRule = ({ session, payer }) =>
  payer.rules.investigational?.requiresDisclosure && !session.consent.investigationalStatusDisclosed
    ? [{ severity: 'error', path: 'consent.investigationalStatusDisclosed', rule: 'investigational-disclosure', source: payer.rules.investigational.source, message: `${citePolicy(payer)} calls dry needling investigational: record that this was disclosed to the patient.` }]
    : [];

/** Performer credential and the state's scope of practice (DOMAIN.md 'Who may perform it'): data with dates, advisory. */
export const performerScope: ReadinessRule = ({ session, profiles }) => {
  const findings: Finding[] = [];
  const scope = profiles.files.stateScope;
  if (!session.performer.dryNeedlingCertified) {
    findings.push({ severity: 'warning', path: 'performer.dryNeedlingCertified', rule: 'performer-not-certified', source: REVIEWER, message: `${session.performer.display} is not recorded as trained in dry needling: reviewers check the performer's credential.` });
  }
  const state = session.performer.state ? profiles.states.get(session.performer.state) : undefined;
  if (!state) return findings;
  const asOf = `per the ${scope.asOf} state summary; verify with the state board`;
  if (state.status === 'not-permitted') {
    findings.push({ severity: 'error', path: 'performer.state', rule: 'state-not-permitted', source: scope.source, message: `${state.name} does not permit physical therapists to perform dry needling (${asOf}).` });
  } else if (state.status === 'silent-or-ambiguous') {
    findings.push({ severity: 'warning', path: 'performer.state', rule: 'state-ambiguous', source: scope.source, message: `${state.name}'s practice act is silent or ambiguous on dry needling by physical therapists${state.requirements ? ` (${state.requirements})` : ''} (${asOf}).` });
  } else if (state.requirements || state.trainingHours) {
    findings.push({ severity: 'info', path: 'performer.state', rule: 'state-requirements', source: scope.source, message: `${state.name}: ${state.requirements ?? `${state.trainingHours} hours of training`} (${asOf}).` });
  }
  if (state.writtenConsent && session.consent.written !== true) {
    findings.push({ severity: 'warning', path: 'consent.written', rule: 'written-consent', source: scope.source, message: `${state.name} requires written consent for dry needling: record that consent was signed.` });
  }
  return findings;
};

/** A diagnosis must carry the indication, and be billable on the date of service (DOMAIN.md Diagnoses). */
export const diagnosesBillable: ReadinessRule = ({ session, profiles }) => {
  if (session.diagnoses.length === 0) {
    return [{ severity: 'error', path: 'diagnoses', rule: 'diagnosis-missing', source: REVIEWER, message: 'No diagnosis is linked: the indication and medical necessity need one.' }];
  }
  const linkage = linkDiagnoses(session.diagnoses, session.date.slice(0, 10), profiles);
  return [
    ...linkage.refused.map((r): Finding => ({ severity: 'error', path: `diagnoses[${r.index}].code`, rule: 'diagnosis-not-billable', source: r.source, message: r.message })),
    ...linkage.unknown.map((u): Finding => ({ severity: 'info', path: `diagnoses[${u.index}].code`, rule: 'diagnosis-unverified', source: 'profiles/icd10.json', message: `${u.code} is not in NeedleChart's ICD-10-CM table: verify it is billable.` })),
  ];
};

/** Each muscle by name and side, the count matching the code (DOMAIN.md CPT codes for the needling). */
export const musclesNamed: ReadinessRule = ({ session, payer, profiles }) => {
  const count = countDistinctMuscles(session.muscles, profiles, bilateralCountsAsTwo(payer));
  return [
    ...count.groups.map((g): Finding => ({ severity: 'warning', path: `muscles[${g.index}].muscle`, rule: 'region-not-muscle', source: 'DOMAIN.md CPT codes for the needling (AAPC)', message: `'${g.label}' names a region, not one muscle: name each muscle needled so the count matches the code.` })),
    ...count.duplicates.map((d): Finding => ({ severity: 'warning', path: `muscles[${d.entries[1] ?? d.entries[0]}]`, rule: 'duplicate-muscle', source: 'DOMAIN.md CPT codes for the needling', message: `The ${d.label} is entered more than once; merge the entries (it counts as one muscle).` })),
  ];
};

/** Needles counted in and out is a reviewer item. */
export const needlesCounted: ReadinessRule = ({ session }) =>
  session.needle.countVerified
    ? []
    : [{ severity: 'warning', path: 'needle.countVerified', rule: 'needle-count', source: REVIEWER, message: 'Record that all needles were counted in and out.' }];

const ESTIM_PARAMETERS: ReadonlyArray<readonly [keyof Estim, string]> = [
  ['attended', 'whether it was attended'],
  ['minutes', 'the minutes'],
  ['frequencyHz', 'the frequency'],
  ['waveform', 'the device waveform'],
  ['intensity', 'the intensity'],
];

/** E-stim must state type and area: device/waveform, frequency, intensity, minutes, attendance, muscles (DOMAIN.md; A53065). */
export const estimParameters: ReadinessRule = ({ session, profiles }) => {
  const estim = session.estim;
  if (!estim?.applied) return [];
  const source = 'DOMAIN.md Electrical stimulation through needles (Medicare billing article A53065)';
  const findings: Finding[] = ESTIM_PARAMETERS.filter(([key]) => estim[key] === undefined).map(([key, words]) => ({
    severity: 'error', path: `estim.${key}`, rule: 'estim-parameters', source, message: `E-stim was applied: record ${words}.`,
  }));
  if (!estim.muscles?.length) {
    findings.push({ severity: 'error', path: 'estim.muscles', rule: 'estim-parameters', source, message: 'E-stim was applied: record the muscles stimulated.' });
  }
  (estim.muscles ?? []).forEach((m, i) => {
    if (!session.muscles.some((n) => n.muscle === m.muscle && n.side === m.side)) {
      findings.push({ severity: 'error', path: `estim.muscles[${i}]`, rule: 'estim-muscle-not-needled', source, message: `E-stim lists the ${describeMuscle(profiles, m.muscle, m.side)}, which was not needled in this session.` });
    }
  });
  if (estim.attended && estim.minutes !== undefined && estim.minutes < 8) {
    findings.push({ severity: 'info', path: 'estim.minutes', rule: 'estim-under-8-minutes', source, message: `Attended e-stim for ${estim.minutes} minutes is under the 8 minutes one unit of 97032 needs.` });
  }
  return findings;
};

/** Objective outcomes before and after, ROM, and a region-specific questionnaire (DOMAIN.md Documentation). */
export const outcomesRecorded: ReadinessRule = ({ session }) => {
  const o = session.outcomes;
  const findings: Finding[] = [];
  if (o?.painPre === undefined) findings.push({ severity: 'warning', path: 'outcomes.painPre', rule: 'pain-missing', source: REVIEWER, message: 'Record pain (0–10) before needling.' });
  if (o?.painPost === undefined) findings.push({ severity: 'warning', path: 'outcomes.painPost', rule: 'pain-missing', source: REVIEWER, message: 'Record pain (0–10) after needling.' });
  if (!o?.rom?.length) findings.push({ severity: 'info', path: 'outcomes.rom', rule: 'rom-missing', source: REVIEWER, message: 'No range of motion before/after is recorded.' });
  if (!o?.measures?.length) findings.push({ severity: 'info', path: 'outcomes.measures', rule: 'questionnaire-missing', source: REVIEWER, message: 'No region-specific questionnaire (NDI, ODI, LEFS, PSFS, QuickDASH) is recorded.' });
  return findings;
};

/** Patient response and the plan (link to plan-of-care goals) are reviewer items. */
export const responseAndPlan: ReadinessRule = ({ session }) => {
  const findings: Finding[] = [];
  if (!session.response?.trim()) findings.push({ severity: 'warning', path: 'response', rule: 'response-missing', source: REVIEWER, message: "Record the patient's response to treatment." });
  if (!session.plan?.trim()) findings.push({ severity: 'warning', path: 'plan', rule: 'plan-missing', source: REVIEWER, message: 'Record the plan and its link to the plan-of-care goals.' });
  return findings;
};

/** Medicare: the voluntary ABN must be on file before treatment (DOMAIN.md Modifiers and payer status). */
export const abnOnFile: ReadinessRule = ({ session, payer }) => {
  const rule = payer.rules.nonCoveredNeedling;
  if (!rule || session.billing !== 'bill-payer') return [];
  return [{ severity: 'info', path: 'billing', rule: 'abn-reminder', source: rule.source, message: `${payer.name}: keep the signed ${rule.abn} ABN with this visit's record.` }];
};
