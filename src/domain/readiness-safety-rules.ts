import { describeMuscle } from './muscle-names.js';
import type { Finding, ReadinessRule } from './readiness-types.js';

const SAFETY = 'DOMAIN.md Safety';

/** Screening not cleared: needling must not go ahead (DOMAIN.md Safety: contraindications / precautions). */
export const screeningCleared: ReadinessRule = ({ session }) =>
  session.screening.cleared
    ? []
    : [{ severity: 'error', path: 'screening.cleared', rule: 'screening-not-cleared', source: SAFETY, message: 'Contraindication screening is not marked cleared: record the screening result before needling.' }];

/** Contraindications listed yet cleared: the reviewer wants the reasoning. */
export const contraindicationsReasoned: ReadinessRule = ({ session }) =>
  session.screening.cleared && session.screening.contraindications.length > 0
    ? [{ severity: 'warning', path: 'screening.contraindications', rule: 'cleared-despite-contraindication', source: SAFETY, message: `Screening lists ${session.screening.contraindications.join(', ')} yet is cleared: document why needling was still appropriate.` }]
    : [];

/**
 * Muscles over the lung: record the precaution (pincer grip, rib bracketing, needle directed away
 * from the lung) for each, and avoid both sides of the thorax in one session (DOMAIN.md Safety).
 */
export const pneumothoraxPrecautions: ReadinessRule = ({ session, profiles }) => {
  const findings: Finding[] = [];
  const sides = new Set<string>();
  session.muscles.forEach((m, i) => {
    const risk = profiles.muscles.get(m.muscle)?.pneumothoraxRisk;
    if (!risk?.risk) return;
    sides.add(m.side);
    if (!m.precaution?.trim()) {
      findings.push({
        severity: 'warning', path: `muscles[${i}].precaution`, rule: 'pneumothorax-precaution', source: SAFETY,
        message: `The ${describeMuscle(profiles, m.muscle, m.side)} carries pneumothorax risk: ${risk.reason ?? 'it lies over the thorax.'} Record the precaution taken, e.g. pincer grip, rib bracketing, needle directed away from the lung.`,
      });
    }
  });
  if (sides.size > 1) {
    findings.push({ severity: 'warning', path: 'muscles', rule: 'bilateral-thorax', source: SAFETY, message: 'Muscles over the thorax were needled on both sides in one session: safe practice avoids this; document why it was necessary.' });
  }
  return findings;
};

const BLEEDING = /anticoag|blood thinner|warfarin|apixaban|rivaroxaban|bleeding|haemophilia|hemophilia/i;

/** Anticoagulants: a precaution, not absolute; avoid deep muscles that cannot be compressed (DOMAIN.md Safety). */
export const anticoagulantDeepNeedling: ReadinessRule = ({ session }) => {
  const noted = [...session.screening.precautions, ...session.screening.contraindications].find((p) => BLEEDING.test(p));
  const deep = session.muscles.findIndex((m) => m.depth === 'deep');
  if (!noted || deep < 0) return [];
  return [{ severity: 'warning', path: `muscles[${deep}].depth`, rule: 'anticoagulant-deep', source: SAFETY, message: `'${noted}' is recorded and muscles were needled deep: confirm each deep site could be compressed.` }];
};

const IMPLANT = /pacemaker|defibrillator|implanted (stimulator|device|pump)|neurostimulator/i;

/** A pacemaker or implanted stimulator is a contraindication for e-stim (DOMAIN.md Safety). */
export const implantWithEstim: ReadinessRule = ({ session }) => {
  const noted = [...session.screening.contraindications, ...session.screening.precautions].find((p) => IMPLANT.test(p));
  if (!noted || !session.estim?.applied) return [];
  return [{ severity: 'error', path: 'estim.applied', rule: 'implant-estim', source: SAFETY, message: `E-stim was applied although screening records '${noted}': e-stim is contraindicated with a pacemaker or implanted stimulator.` }];
};

/** Adverse events must be recorded, an empty list meaning none occurred (DOMAIN.md Documentation; Brady 2014). */
export const adverseEventsRecorded: ReadinessRule = ({ session, profiles }) => {
  if (!session.adverseEvents) {
    return [{ severity: 'warning', path: 'adverseEvents', rule: 'adverse-events-unrecorded', source: 'DOMAIN.md Documentation a payer reviewer looks for', message: 'Adverse events are not recorded: record any that occurred, or record that none did.' }];
  }
  const findings: Finding[] = [];
  session.adverseEvents.forEach((event, i) => {
    if (event.muscle && !session.muscles.some((m) => m.muscle === event.muscle && (!event.side || m.side === event.side))) {
      const where = event.side ? describeMuscle(profiles, event.muscle, event.side) : event.muscle;
      findings.push({ severity: 'warning', path: `adverseEvents[${i}].muscle`, rule: 'adverse-event-muscle', source: 'DOMAIN.md Documentation a payer reviewer looks for', message: `Adverse event '${event.type}' names the ${where}, which was not needled in this session.` });
    }
    if (event.severity !== 'mild') {
      findings.push({ severity: 'info', path: `adverseEvents[${i}].severity`, rule: 'adverse-event-significant', source: SAFETY, message: `A ${event.severity} adverse event (${event.type}) was recorded: document the follow-up; some states require reporting (e.g. Florida within 15 days).` });
    }
  });
  return findings;
};
