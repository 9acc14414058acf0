import type { CourseContext } from './coding-types.js';
import type { Profiles } from './profiles.js';
import { dateOfService } from './in-force.js';
import { payerOnDate } from './payer-on-date.js';
import * as documentation from './readiness-documentation-rules.js';
import * as necessity from './readiness-necessity-rules.js';
import * as safety from './readiness-safety-rules.js';
import type { Finding, FindingSeverity, Readiness, ReadinessInput, ReadinessRule } from './readiness-types.js';
import type { PayerPolicy, Session } from './types.generated.js';

/** Every rule, in the order a reviewer reads a note: consent and safety first, then the record, then outcomes. */
const RULES: readonly ReadinessRule[] = [
  documentation.consentObtained,
  documentation.investigationalDisclosed,
  safety.screeningCleared,
  safety.contraindicationsReasoned,
  safety.implantWithEstim,
  documentation.performerScope,
  necessity.necessityRecorded,
  necessity.priorCareAndPalpation,
  documentation.diagnosesBillable,
  documentation.musclesNamed,
  safety.pneumothoraxPrecautions,
  safety.anticoagulantDeepNeedling,
  documentation.needlesCounted,
  necessity.cleanTechniqueRecorded,
  documentation.estimParameters,
  necessity.attendedEstimJustified,
  documentation.outcomesRecorded,
  safety.adverseEventsRecorded,
  documentation.responseAndPlan,
  necessity.planOfCareLinked,
  necessity.notCloned,
  documentation.abnOnFile,
  documentation.waiverOnFile,
];

const PENALTY: Record<FindingSeverity, number> = { error: 20, warning: 5, info: 0 };

/**
 * Checks one session against what a payer reviewer looks for, the safety rules and the state's scope
 * of practice; each finding carries its sources (src/domain/rule-sources.ts and the profile files).
 * Pure: no I/O. Score: 100 minus 20 per error and 5 per warning, floored at 0; info findings cost
 * nothing. A rule resting on no source that was read gives at most a warning.
 */
export function checkReadiness(session: Session, payer: PayerPolicy, profiles: Profiles, course: CourseContext = {}): Readiness {
  // Only the payer's rules in force on the date of service apply (a 2019 Medicare visit needs no ABN for GX).
  const input: ReadinessInput = { session, payer: payerOnDate(payer, dateOfService(session.date)), profiles, course };
  const findings: Finding[] = [];
  let score = 100;
  for (const rule of RULES) {
    for (const found of rule(input)) {
      findings.push(found);
      score -= PENALTY[found.severity];
    }
  }
  score = Math.max(0, score);
  return { score, findings };
}
