import { describeMuscle } from './muscle-names.js';
import { finding, type Finding, type ReadinessRule } from './readiness-types.js';

/** Screening not cleared: needling must not go ahead (rule sources: `screening`). */
export const screeningCleared: ReadinessRule = ({ session, profiles }) =>
  session.screening.cleared
    ? []
    : [finding('error', 'screening.cleared', 'screening-not-cleared', 'Contraindication screening is not marked cleared: record the screening result before needling.', profiles.rules.screening, profiles.rules.screening.checkWith)];

/** Contraindications listed yet cleared: the reviewer wants the reasoning. */
export const contraindicationsReasoned: ReadinessRule = ({ session, profiles }) =>
  session.screening.cleared && session.screening.contraindications.length > 0
    ? [finding('warning', 'screening.contraindications', 'cleared-despite-contraindication', `Screening lists ${session.screening.contraindications.join(', ')} yet is cleared: document why needling was still appropriate.`, profiles.rules.screening, profiles.rules.screening.checkWith)]
    : [];

const lowerFirst = (text: string): string => `${text.charAt(0).toLowerCase()}${text.slice(1)}`;

/**
 * Muscles over the lung (muscles.json `pneumothoraxRisk`, sources in `pneumothoraxCitations`): record
 * the precaution (pincer grip, rib bracketing, needle directed away from the lung) for each, and avoid
 * both sides of the thorax in one session (rule sources: `thoraxBothSides`).
 */
export const pneumothoraxPrecautions: ReadinessRule = ({ session, profiles }) => {
  const findings: Finding[] = [];
  const sides = new Set<string>();
  const sources = profiles.cite(profiles.files.muscles.pneumothoraxCitations);
  session.muscles.forEach((m, i) => {
    const risk = profiles.muscles.get(m.muscle)?.pneumothoraxRisk;
    if (!risk?.risk) return;
    sides.add(m.side);
    if (!m.precaution?.trim()) {
      const why = risk.reason ? lowerFirst(risk.reason) : 'it lies over the thorax.';
      findings.push(finding('warning', `muscles[${i}].precaution`, 'pneumothorax-precaution', `The ${describeMuscle(profiles, m.muscle, m.side)} carries pneumothorax risk: ${why} Record the precaution taken, for example a pincer grip, rib bracketing or the needle directed away from the lung.`, sources));
    }
  });
  if (sides.size > 1) {
    findings.push(finding('warning', 'muscles', 'bilateral-thorax', 'Muscles over the thorax were needled on both sides in one session: safe practice avoids this; document why it was necessary.', profiles.rules.thoraxBothSides, profiles.rules.thoraxBothSides.checkWith));
  }
  return findings;
};

const BLEEDING = /anticoag|blood thinner|warfarin|apixaban|rivaroxaban|bleeding|haemophilia|hemophilia/i;

/** Anticoagulants: a precaution, not absolute; avoid deep muscles that cannot be compressed (rule sources: `screening`). */
export const anticoagulantDeepNeedling: ReadinessRule = ({ session, profiles }) => {
  const noted = [...session.screening.precautions, ...session.screening.contraindications].find((p) => BLEEDING.test(p));
  const deep = session.muscles.findIndex((m) => m.depth === 'deep');
  if (!noted || deep < 0) return [];
  return [finding('warning', `muscles[${deep}].depth`, 'anticoagulant-deep', `'${noted}' is recorded and muscles were needled deep: confirm each deep site could be compressed.`, profiles.rules.screening, profiles.rules.screening.checkWith)];
};

const IMPLANT = /pacemaker|defibrillator|implanted (stimulator|device|pump)|neurostimulator/i;

/** A pacemaker or implanted stimulator is a contraindication for e-stim (rule sources: `screening`). */
export const implantWithEstim: ReadinessRule = ({ session, profiles }) => {
  const noted = [...session.screening.contraindications, ...session.screening.precautions].find((p) => IMPLANT.test(p));
  if (!noted || !session.estim?.applied) return [];
  return [finding('error', 'estim.applied', 'implant-estim', `E-stim was applied although screening records '${noted}': e-stim is contraindicated with a pacemaker or implanted stimulator.`, profiles.rules.screening, profiles.rules.screening.checkWith)];
};

/** Adverse events must be recorded, an empty list meaning none occurred (rule sources: `treatmentNote`, `adverseEventFollowUp`). */
export const adverseEventsRecorded: ReadinessRule = ({ session, profiles }) => {
  if (!session.adverseEvents) {
    return [finding('warning', 'adverseEvents', 'adverse-events-unrecorded', 'Adverse events are not recorded: record any that occurred, or record that none did.', profiles.rules.treatmentNote)];
  }
  const findings: Finding[] = [];
  session.adverseEvents.forEach((event, i) => {
    if (event.muscle && !session.muscles.some((m) => m.muscle === event.muscle && (!event.side || m.side === event.side))) {
      const where = event.side ? describeMuscle(profiles, event.muscle, event.side) : (profiles.muscles.get(event.muscle)?.display.toLowerCase() ?? event.muscle);
      findings.push(finding('warning', `adverseEvents[${i}].muscle`, 'adverse-event-muscle', `Adverse event '${event.type}' names the ${where}, which was not needled in this session.`, profiles.rules.treatmentNote));
    }
    if (event.severity !== 'mild') {
      findings.push(finding('info', `adverseEvents[${i}].severity`, 'adverse-event-significant', `A ${event.severity} adverse event (${event.type}) was recorded: document the follow-up, and check whether your state requires reporting it.`, profiles.rules.adverseEventFollowUp, profiles.rules.adverseEventFollowUp.checkWith));
    }
  });
  return findings;
};
