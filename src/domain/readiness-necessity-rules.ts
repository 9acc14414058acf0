import { dateOfService } from './in-force.js';
import { formatDay } from './human-dates.js';
import { finding, type Finding, type ReadinessRule } from './readiness-types.js';

const blank = (text: string | undefined): boolean => !text?.trim();

/**
 * Medical necessity, as a payer reviewer reads it: the complaint, its onset or duration, the
 * functional limitation in the patient's terms and a measurable goal (rule sources: `medicalNecessity`).
 */
export const necessityRecorded: ReadinessRule = ({ session, profiles }) => {
  const n = session.necessity;
  const sources = profiles.rules.medicalNecessity;
  const findings: Finding[] = [];
  if (blank(n?.chiefComplaint)) findings.push(finding('warning', 'necessity.chiefComplaint', 'complaint-missing', 'Record the chief complaint.', sources));
  if (!n?.onsetDate && blank(n?.duration)) findings.push(finding('warning', 'necessity.onsetDate', 'duration-missing', 'Record when the symptoms began, or how long they have lasted.', sources));
  if (blank(n?.functionalLimitation)) findings.push(finding('warning', 'necessity.functionalLimitation', 'limitation-missing', "Record the functional limitation in the patient's own terms (what they cannot do).", sources));
  if (blank(n?.goal)) findings.push(finding('warning', 'necessity.goal', 'goal-missing', 'Record a measurable goal (what, how much, by when).', sources));
  return findings;
};

/** Conservative care tried before, and trigger points found by palpation (rule sources: `priorCareAndPalpation`). */
export const priorCareAndPalpation: ReadinessRule = ({ session, profiles }) => {
  const sources = profiles.rules.priorCareAndPalpation;
  const findings: Finding[] = [];
  if (!session.necessity?.priorCare?.length) findings.push(finding('warning', 'necessity.priorCare', 'prior-care-missing', 'Record the conservative care tried before dry needling and its result.', sources));
  const palpated = session.muscles.some((m) => m.exam?.tautBand === true || m.exam?.triggerPoint === true);
  if (!palpated) {
    const first = session.muscles.findIndex((m) => !m.exam);
    findings.push(finding('warning', `muscles[${first < 0 ? 0 : first}].exam`, 'palpation-missing', 'Record what palpation found (a taut band, a trigger point, local or referred pain reproduced) in the muscles needled.', sources));
  }
  return findings;
};

/** The plan of care this visit belongs to, and progress toward its goals after the first visit (rule sources: `planOfCare`). */
export const planOfCareLinked: ReadinessRule = ({ session, profiles, course }) => {
  const sources = profiles.rules.planOfCare;
  const findings: Finding[] = [];
  const plan = session.planOfCare;
  if (!plan) {
    findings.push(finding('warning', 'planOfCare.date', 'plan-of-care-missing', 'Record the plan of care this visit belongs to: the date it was established, visits per week and weeks, and who certified it.', sources));
  } else {
    if (plan.date > dateOfService(session.date)) findings.push(finding('error', 'planOfCare.date', 'plan-of-care-after-visit', `The plan of care is dated ${formatDay(plan.date)}, after this visit: check the date.`, sources));
    if (!plan.visitsPerWeek || !plan.weeks) findings.push(finding('warning', 'planOfCare.weeks', 'plan-of-care-frequency', 'Record the frequency (visits per week) and duration (weeks) of the plan of care.', sources));
    if (blank(plan.certifiedBy)) findings.push(finding('warning', 'planOfCare.certifiedBy', 'plan-of-care-certification', 'Record who certified the plan of care.', sources));
  }
  if ((course.visitNumber ?? 1) > 1 && blank(session.goalProgress)) {
    findings.push(finding('warning', 'goalProgress', 'progress-missing', 'Record the progress toward the plan-of-care goals at this visit.', sources));
  }
  return findings;
};

/** Attended e-stim needs its reason in the note (rule sources: `attendedEstim`). */
export const attendedEstimJustified: ReadinessRule = ({ session, profiles }) => {
  const estim = session.estim;
  if (!estim?.applied || estim.attended !== true || !blank(estim.justification)) return [];
  return [finding('error', 'estim.justification', 'attended-estim-justification', 'Attended e-stim was recorded: say why constant one-on-one contact was needed.', profiles.rules.attendedEstim)];
};

/** Clean technique confirmed for the visit (rule sources: `cleanTechnique`). */
export const cleanTechniqueRecorded: ReadinessRule = ({ session, profiles }) => {
  const p = session.practices;
  if (p?.sterileSingleUseNeedles && p.sharpsDisposed) return [];
  return [finding('info', 'practices.sterileSingleUseNeedles', 'clean-technique', 'Confirm the clean technique used this visit (sterile single-use needles, sharps disposal, gloves).', profiles.rules.cleanTechnique, profiles.rules.cleanTechnique.checkWith)];
};

const NARRATIVE = [
  ['response', 'response', (s: { response?: string }) => s.response],
  ['plan', 'plan', (s: { plan?: string }) => s.plan],
  ['goalProgress', 'progress toward goals', (s: { goalProgress?: string }) => s.goalProgress],
  ['necessity.functionalLimitation', 'functional limitation', (s: { necessity?: { functionalLimitation?: string } }) => s.necessity?.functionalLimitation],
] as const;

const same = (a: string | undefined, b: string | undefined): boolean => !!a?.trim() && !!b?.trim() && a.trim().replace(/\s+/g, ' ').toLowerCase() === b.trim().replace(/\s+/g, ' ').toLowerCase();

/** A narrative word for word the previous visit's reads as cloned documentation (rule sources: `clonedDocumentation`). */
export const notCloned: ReadinessRule = ({ session, profiles, course }) => {
  const previous = course.previousNarrative;
  if (!previous) return [];
  const before = { response: previous.response, plan: previous.plan, goalProgress: previous.goalProgress, necessity: { functionalLimitation: previous.functionalLimitation } };
  return NARRATIVE.filter(([, , read]) => same(read(session), read(before))).map(([path, words, read]) =>
    finding('warning', path, 'cloned-documentation', `The ${words} is word for word the same as at the visit of ${formatDay(previous.date)} ("${truncate(read(session) ?? '')}"): describe this visit.`, profiles.rules.clonedDocumentation),
  );
};

const truncate = (text: string): string => (text.length > 60 ? `${text.slice(0, 57).trimEnd()}…` : text);
