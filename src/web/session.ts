// A new visit, and the visit as sent: empty values stripped so the document is what the therapist entered.

import { romUnitOf } from '../domain/rom-units.js';
import type { InstrumentScore, Session } from '../domain/types.generated.js';
import { pruneEmpty } from './copy-forward.js';
import { nowLocal, toIsoWithOffset } from './form-fields.js';
import { catalog, context, session } from './state.js';

/** The clinic's clean-technique defaults (NEEDLECHART_CLINIC_PRACTICES), pre-checked on a new visit only. */
function clinicPractices(): Pick<Session, 'practices'> | Record<string, never> {
  const fields = context().clinic?.practices ?? [];
  return fields.length ? { practices: Object.fromEntries(fields.map((f) => [f, true])) } : {};
}

/** Today's visit before anything is entered. */
export function newSession(): Session {
  const ctx = context();
  // The performer is the signed-in clinician as the EHR records them; the server fills it the same way whatever is sent.
  const clinician = ctx.launch.clinician;
  return {
    date: toIsoWithOffset(nowLocal()) ?? new Date().toISOString(),
    performer: clinician ? { ...clinician } : { reference: ctx.launch.fhirUser ?? '', display: ctx.launch.userName ?? '', dryNeedlingCertified: false },
    payer: ctx.payer.policyId ?? catalog().payers[0]?.id ?? '',
    billing: 'bill-payer',
    diagnoses: ctx.diagnoses.map((d) => ({ ...d })),
    consent: { obtained: false, investigationalStatusDisclosed: false },
    screening: { contraindications: [], precautions: [], cleared: false },
    needle: { type: 'solid filiform', diameterMm: 0.25, lengthMm: 40 },
    muscles: [],
    estim: { applied: false },
    outcomes: {},
    ...clinicPractices(),
  } as Session;
}

/**
 * A questionnaire row as sent: answers only when any item was answered (a blank form is a total-only
 * entry), unanswered items as null; for the PSFS the rated activities only, paired with their ratings.
 */
function cleanAnswers(m: InstrumentScore): InstrumentScore {
  const { answers, activities, ...rest } = m;
  if (!answers?.some((a) => typeof a === 'number')) return rest;
  if (!activities) return { ...rest, answers: Array.from(answers, (a) => (typeof a === 'number' ? a : null)) };
  const rated = Array.from({ length: Math.max(answers.length, activities.length) }, (_, i) => [activities[i]?.trim() ?? '', answers[i]] as const).filter(([text, a]) => text || typeof a === 'number');
  return { ...rest, answers: rated.map(([, a]) => (typeof a === 'number' ? a : null)), activities: rated.map(([text]) => text) };
}

/** The visit as sent: blank text, empty groups and rows, and fields that do not apply left out. */
export function cleanSession(): Session {
  const s = structuredClone(session()) as Session & Record<string, unknown>;
  if (s.performer && !s.performer.state) delete s.performer.state;
  if (s.estim && !s.estim.applied) s.estim = { applied: false };
  if (s.outcomes) {
    s.outcomes.rom = (s.outcomes.rom ?? []).filter((r) => r.movement && r.pre !== undefined && r.post !== undefined).map((r) => ({ ...r, unit: romUnitOf(r.movement, catalog().romMovements ?? []) ?? r.unit ?? 'degrees' }));
    // A questionnaire answered item by item but not yet complete has no score: it is still sent, so the check names what is missing instead of the row vanishing.
    s.outcomes.measures = (s.outcomes.measures ?? []).filter((m) => m.instrument && (m.score !== undefined || m.answers?.some((a) => typeof a === 'number'))).map(cleanAnswers);
    if (!s.outcomes.rom.length) delete s.outcomes.rom;
    if (!s.outcomes.measures.length) delete s.outcomes.measures;
  }
  for (const key of ['response', 'plan'] as const) if (typeof s[key] === 'string' && !s[key].trim()) delete s[key];
  // A notice the payer does not call for, and a justification for e-stim that was not attended, are hidden: not sent.
  const notices = catalog().payers.find((p) => p.id === s.payer)?.notices ?? {};
  if (!notices.abn) delete s.abn;
  if (!notices.waiver) delete s.waiver;
  if (s.estim && s.estim.attended !== true) delete s.estim.justification;
  // The newer parts of the record are optional throughout: blank text, empty groups and empty rows are left out.
  for (const key of ['necessity', 'planOfCare', 'goalProgress', 'abn', 'waiver', 'practices', 'services']) {
    const kept = pruneEmpty(s[key]);
    if (kept === undefined) delete s[key];
    else s[key] = kept;
  }
  if (s.estim && typeof s.estim.justification === 'string' && !s.estim.justification.trim()) delete s.estim.justification;
  for (const m of s.muscles) {
    if (!m.precaution?.trim()) delete m.precaution;
    if (!m.notes?.trim()) delete m.notes;
    if (!m.twitch.elicited || m.twitch.count === undefined) delete m.twitch.count;
    if (m.exam && !Object.keys(m.exam).length) delete m.exam;
  }
  return s;
}
