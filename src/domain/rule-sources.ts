import type { CheckWith } from './advice.js';
import type { Sources } from './citations.js';

/** The sources of a rule written in code (the data files carry their own `citations`). */
export interface RuleSources {
  /** What the rule says, in plain words (the /rules page lists it). */
  readonly about: string;
  /** Ids into profiles/citations.json; empty for NeedleChart's own bookkeeping, which needs no outside source. */
  readonly citations: readonly string[];
  /** false when the rule goes beyond what its sources say (an analogy, say), even if they were read. */
  readonly verified?: boolean;
  /** Who confirms it while it is unverified; the payer unless said. */
  readonly checkWith?: CheckWith;
}

/**
 * The built-in rules' sources, as data: one place to read what each readiness and coding rule rests
 * on. indexProfiles checks every id exists, so a typo stops start-up instead of reaching a reviewer.
 */
export const RULE_SOURCES = {
  consent: { about: 'Informed consent is recorded before needling.', citations: ['fl-stat-486-117', 'apta-dn-resource-2013'], checkWith: 'clinical-guidance' },
  performerCredential: { about: "The performer's dry-needling training and professional credential are recorded.", citations: ['fl-stat-486-117', 'cms-100-02-15'] },
  screening: { about: 'Contraindications are screened before needling; bleeding risk limits deep needling; e-stim is not used with a pacemaker or implanted stimulator.', citations: ['apta-dn-resource-2013'], checkWith: 'clinical-guidance' },
  thoraxBothSides: { about: 'Muscles over the thorax are not needled on both sides in one session.', citations: ['apta-dn-resource-2013'], checkWith: 'clinical-guidance' },
  needleCount: { about: 'Needles are counted in and out.', citations: ['apta-dn-resource-2013'], checkWith: 'clinical-guidance' },
  treatmentNote: { about: "The treatment note holds the indication, pain and other outcomes before and after, the patient's response, adverse events and the plan.", citations: ['cms-100-02-15'] },
  adverseEventFollowUp: { about: 'A moderate or severe adverse event has its follow-up documented.', citations: ['brady-2014', 'apta-dn-resource-2013'], verified: false, checkWith: 'clinical-guidance' },
  distinctMuscles: { about: '20560 and 20561 count distinct muscles, never needles, trigger points or minutes.', citations: ['nethealth-2025', 'cpt-2020'] },
  sidesApart: { about: 'Left and right of the same muscle count as two muscles unless the payer says otherwise (said of the injection codes 20552 and 20553, applied by analogy).', citations: ['aapc-tpi-muscles'], verified: false },
  regionWord: { about: 'Each muscle is named: a region word such as paraspinals does not count (said of the injection codes 20552 and 20553, applied by analogy).', citations: ['aapc-tpi-muscles'], verified: false },
  estimDocumentation: { about: 'Electrical stimulation through the needles is documented with its type, area and parameters: attendance, minutes, frequency, waveform, intensity and muscles.', citations: ['codapedia-estim-2018', 'mcd-a53065'] },
  estimAttendance: { about: 'Attended and unattended electrical stimulation take different codes, so attendance is recorded.', citations: ['codapedia-estim-2018'] },
  eightMinuteRule: { about: 'Timed codes such as 97032 are billed in 15-minute units by the 8-minute rule.', citations: ['cms-100-04-5'] },
  timedUnitsShare: { about: "When several timed codes share a visit, their total minutes give the units by the 8-minute rule; each code keeps a unit for each full 15 minutes of its own, and the units left go to the services with the most minutes left.", citations: ['cms-100-04-5', 'chirosecure-8-minute-2014'] },
  manualTherapyWithNeedling: { about: 'Manual therapy (97140) on the same day as dry needling (20560, 20561) may be paired by the correct-coding edits; 59 or XS marks manual therapy in a distinct region only, never in the region needled.', citations: ['cms-ncci-ptp', 'chiroeco-59-subsets'], verified: false },
  abnOption: { about: "The option the patient chose on the ABN decides the billing: option 1 bills Medicare, option 2 bills the patient and not Medicare, option 3 means the patient did not want the service.", citations: ['cms-r-131'], verified: false },
  estimPairing: { about: 'No ruling covers coding electrical stimulation delivered through dry needles, so that line is suggested by attendance and marked for review.', citations: ['codapedia-estim-2018'] },
  diagnosisCodes: { about: 'A diagnosis code is billable only at its full number of characters and on the date of service.', citations: ['icd10cm-guidelines-2026', 'cms-icd10-files'], checkWith: 'code-set' },
  courseLength: { about: 'A course of dry needling is typically 2 to 6 sessions.', citations: ['orthowell-faq'] },
  medicalNecessity: { about: "The record shows why the visit is needed: the complaint, its onset or duration, the functional limitation in the patient's terms and a measurable goal.", citations: ['cms-100-02-15'], verified: false },
  priorCareAndPalpation: { about: 'Trigger points found by palpation and conservative care tried before support dry needling (one payer\'s criteria).', citations: ['premera-2-01-100'], verified: false },
  planOfCare: { about: 'Therapy visits belong to a plan of care (its date, frequency and duration, who certified it), and each note shows progress toward its goals.', citations: ['cms-100-02-15'] },
  attendedEstim: { about: 'Attended electrical stimulation (97032) needs the note to say why constant one-on-one contact was needed.', citations: ['codapedia-estim-2018', 'mcd-a53065'], verified: false },
  cleanTechnique: { about: 'Clean technique is recorded for the visit: sterile single-use needles, sharps disposal, gloves.', citations: ['apta-dn-resource-2013'], checkWith: 'clinical-guidance' },
  clonedDocumentation: { about: "Each visit's note describes that visit: a narrative copied unchanged from an earlier visit reads as cloned documentation.", citations: ['oig-oei-01-11-00571', 'ibx-cloned-documentation'] },
  billingChoice: { about: 'A visit the patient pays for, or documented only, keeps its codes in the record without billing the payer.', citations: [] },
} as const satisfies Record<string, RuleSources>;

export type RuleName = keyof typeof RULE_SOURCES;

/** A built-in rule's sources, resolved at start-up (Profiles.rules). */
export interface RuleCited extends Sources {
  readonly checkWith: CheckWith;
}
