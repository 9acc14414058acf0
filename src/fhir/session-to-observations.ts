import type { Observation, Reference } from 'fhir/r4.js';
import type { Profiles } from '../domain/profiles.js';
import type { RomMeasurement, Session } from '../domain/types.generated.js';
import { fhirString } from './extensions.js';
import { answerComponents } from './questionnaire-answers.js';
import { lateralityExtension } from './session-to-procedure.js';
import { practitionerReference } from './practitioner-reference.js';
import { EXT, OBSERVATION_CATEGORY, UCUM, US_CORE_PROFILE, VISIT_ID_SYSTEM } from './systems.js';
import type { VisitTarget } from './visit-context.js';

/** One Observation with the role it plays in the visit; the role makes its identifier and placeholder. */
export interface VisitObservation {
  readonly role: string;
  readonly resource: Observation;
}

/** A score as US Core survey observations carry it: a Quantity in UCUM's dimensionless {score}. */
function score(value: number): NonNullable<Observation['valueQuantity']> {
  return { value, unit: '{score}', system: UCUM, code: '{score}' };
}

/** A score as written (valueQuantity) or as NeedleChart wrote pain before it followed US Core (valueInteger). */
export function scoreOf(observation: Observation): number | undefined {
  return observation.valueQuantity?.value ?? observation.valueInteger;
}

/** A range-of-motion measurement as a UCUM Quantity: `mm` for the jaw's millimetres, `deg` for degrees. */
export function romQuantity(value: number, unit: RomMeasurement['unit']): NonNullable<Observation['valueQuantity']> {
  const code = unit === 'mm' ? 'mm' : 'deg';
  return { value, unit: code, system: UCUM, code };
}

/** The unit a stored ROM Quantity was written in: `mm` read back as millimetres, anything else (NeedleChart has always written `deg`) as degrees. */
export function romUnitOfQuantity(quantity: Observation['valueQuantity']): RomMeasurement['unit'] {
  return quantity?.code === 'mm' ? 'mm' : 'degrees';
}

function category(code: 'survey' | 'exam', display: string): Observation['category'] {
  return [{ coding: [{ system: OBSERVATION_CATEGORY, code, display }] }];
}

/**
 * The visit's outcome Observations: pain before and after as LOINC
 * 72514-3 and each instrument score with its LOINC or local code, as US Core screening assessments
 * (category survey, the score a {score} Quantity, with its answers item by item as components when they
 * were recorded); ROM before/after as components of a US Core simple observation (category exam), in
 * UCUM `deg` or `mm` by the measurement's unit. Each points at the
 * Procedure with partOf and carries an identifier derived from the visit key (idempotent writes).
 */
export function toObservations(session: Session, target: VisitTarget, key: string, procedure: Reference, profiles: Profiles): VisitObservation[] {
  const pain = profiles.files.outcomeMeasures.pain;
  const rom = profiles.files.outcomeMeasures.rom;
  const base = (role: string, profile: string): Omit<Observation, 'code'> => ({
    resourceType: 'Observation',
    meta: { profile: [profile] },
    identifier: [{ system: VISIT_ID_SYSTEM, value: `${key}/${role}` }],
    status: 'final',
    partOf: [procedure],
    subject: { reference: target.patient },
    encounter: { reference: target.encounter },
    effectiveDateTime: session.date,
    performer: [practitionerReference(session.performer)],
  });
  const out: VisitObservation[] = [];
  const o = session.outcomes;
  for (const [timing, value] of [['pre', o?.painPre], ['post', o?.painPost]] as const) {
    if (value === undefined) continue;
    const role = `pain-${timing}`;
    out.push({
      role,
      resource: {
        ...base(role, US_CORE_PROFILE.screeningAssessment),
        extension: [{ url: EXT.outcomeTiming, valueCode: timing }],
        category: category('survey', 'Survey'),
        code: { coding: [{ system: pain.system, code: pain.code, display: pain.display }], text: `Pain ${timing === 'pre' ? 'before' : 'after'} dry needling (0-10)` },
        valueQuantity: score(value),
      } as Observation,
    });
  }
  (o?.rom ?? []).forEach((r, i) => {
    const role = `rom-${i + 1}`;
    const measured = (value: number) => romQuantity(value, r.unit);
    out.push({
      role,
      resource: {
        ...base(role, US_CORE_PROFILE.simpleObservation),
        category: category('exam', 'Exam'),
        code: { coding: [{ system: rom.system, code: rom.code, display: rom.display }], text: fhirString(r.movement) },
        ...(r.side ? { bodySite: { extension: [lateralityExtension(r.side)], text: r.side } } : {}),
        component: [
          { code: { coding: [{ system: rom.system, code: 'rom-pre', display: 'Range of motion before treatment' }] }, valueQuantity: measured(r.pre) },
          { code: { coding: [{ system: rom.system, code: 'rom-post', display: 'Range of motion after treatment' }] }, valueQuantity: measured(r.post) },
        ],
      } as Observation,
    });
  });
  (o?.measures ?? []).forEach((m, i) => {
    const instrument = profiles.instruments.get(m.instrument);
    const role = `measure-${i + 1}`;
    const items = answerComponents(m, instrument, profiles.files.outcomeMeasures.localSystem);
    out.push({
      role,
      resource: {
        ...base(role, US_CORE_PROFILE.screeningAssessment),
        category: category('survey', 'Survey'),
        code: instrument ? { coding: [instrument.coding], text: instrument.display } : { text: m.instrument },
        valueQuantity: score(m.score),
        ...(items.length ? { component: items } : {}),
      } as Observation,
    });
  });
  return out;
}
