import type { CodeableConcept, Procedure } from 'fhir/r4.js';
import type { SuggestedCode } from '../domain/coding-types.js';
import type { Profiles } from '../domain/profiles.js';
import type { AdverseEvent, NeedledMuscle, Session, Side } from '../domain/types.generated.js';
import { bool, code, complex, dec, fhirString, int, nonBlank, str } from './extensions.js';
import { practitionerReference } from './practitioner-reference.js';
import { recordExtensions } from './visit-record-extensions.js';
import { DRY_NEEDLING_CODE, DRY_NEEDLING_TEXT, EXT, LATERALITY, MUSCLE_SYSTEM, PROCEDURE_SYSTEM, SNOMED, US_CORE_PROFILE, VISIT_ID_SYSTEM } from './systems.js';
import type { VisitTarget } from './visit-context.js';


function muscleCoding(profiles: Profiles, muscle: string): CodeableConcept['coding'] {
  const entry = profiles.muscles.get(muscle);
  const local = { system: MUSCLE_SYSTEM, code: muscle, display: entry?.display ?? muscle };
  return entry?.snomed?.verified ? [local, { system: SNOMED, code: entry.snomed.code, display: entry.snomed.display }] : [local];
}

/** Laterality as an extension on the body site (profiles/fhir/extensions/laterality.json), SNOMED CT qualifier values. */
export function lateralityExtension(side: Side) {
  return { url: EXT.laterality, valueCoding: { system: SNOMED, ...LATERALITY[side] } };
}

function bodySite(profiles: Profiles, m: { muscle: string; side: Side }): CodeableConcept {
  const display = profiles.muscles.get(m.muscle)?.display ?? m.muscle;
  return { extension: [lateralityExtension(m.side)], coding: muscleCoding(profiles, m.muscle), text: `${display}, ${m.side}` };
}

function needledMuscle(profiles: Profiles, m: NeedledMuscle) {
  return complex(EXT.needledMuscle, [
    ['muscle', { valueCoding: muscleCoding(profiles, m.muscle)?.[0] ?? { system: MUSCLE_SYSTEM, code: m.muscle } }],
    ['side', code(m.side)],
    ['depth', code(m.depth)],
    ['technique', code(m.technique)],
    ['needles', int(m.needles)],
    ['retentionSeconds', int(m.retentionSeconds)],
    ['twitchElicited', bool(m.twitch.elicited)],
    ['twitchCount', int(m.twitch.count)],
    ['precaution', str(m.precaution)],
    ['notes', str(nonBlank(m.notes))],
    ['tautBand', bool(m.exam?.tautBand)],
    ['triggerPoint', bool(m.exam?.triggerPoint)],
    ['localPain', bool(m.exam?.localPain)],
    ['referredPain', bool(m.exam?.referredPain)],
  ]);
}

function complication(profiles: Profiles, e: AdverseEvent): CodeableConcept {
  return {
    extension: [
      complex(EXT.adverseEventDetail, [
        ['severity', code(e.severity)],
        ['muscle', e.muscle ? { valueCoding: muscleCoding(profiles, e.muscle)?.[0] ?? { system: MUSCLE_SYSTEM, code: e.muscle } } : undefined],
        ['side', code(e.side)],
      ]),
    ],
    text: fhirString(e.type),
  };
}

/**
 * The Procedure for one visit (US Core Procedure: status, code, subject, performed[x], encounter;
 * reasonCode from the diagnoses; bodySite per muscle with laterality). Everything a session holds
 * that FHIR has no element for travels in NeedleChart extensions, so fromVisitResources can rebuild
 * the session exactly (copy-forward, export).
 */
export function toProcedure(session: Session, target: VisitTarget, key: string, needlingCode: SuggestedCode | undefined, profiles: Profiles): Procedure {
  const estim = session.estim;
  return {
    resourceType: 'Procedure',
    meta: { profile: [US_CORE_PROFILE.procedure] },
    extension: [
      ...session.muscles.map((m) => needledMuscle(profiles, m)),
      complex(EXT.needle, [['type', str(session.needle.type)], ['diameterMm', dec(session.needle.diameterMm)], ['lengthMm', dec(session.needle.lengthMm)], ['countVerified', bool(session.needle.countVerified)]]),
      complex(EXT.consent, [['obtained', bool(session.consent.obtained)], ['investigationalStatusDisclosed', bool(session.consent.investigationalStatusDisclosed)], ['written', bool(session.consent.written)]]),
      complex(EXT.screening, [
        ...session.screening.contraindications.map((c) => ['contraindication', str(c)] as const),
        ...session.screening.precautions.map((p) => ['precaution', str(p)] as const),
        ['cleared', bool(session.screening.cleared)],
      ]),
      ...(estim
        ? [
            complex(EXT.estim, [
              ['applied', bool(estim.applied)],
              ['attended', bool(estim.attended)],
              ['minutes', dec(estim.minutes)],
              ['frequencyHz', dec(estim.frequencyHz)],
              ['waveform', str(estim.waveform)],
              ['intensity', str(estim.intensity)],
              ['justification', str(nonBlank(estim.justification))],
              ...(estim.muscles ?? []).map((m) => ['muscle', { extension: complex('muscle', [['muscle', { valueCoding: { system: MUSCLE_SYSTEM, code: m.muscle } }], ['side', code(m.side)]]).extension ?? [] }] as const),
            ]),
          ]
        : []),
      complex(EXT.billing, [['mode', code(session.billing)], ['payer', code(session.payer)]]),
      ...(session.adverseEvents ? [{ url: EXT.adverseEventsRecorded, valueBoolean: true }] : []),
      ...recordExtensions(session),
    ],
    identifier: [{ system: VISIT_ID_SYSTEM, value: key }],
    status: 'completed',
    code: {
      coding: [
        ...(needlingCode ? [{ system: needlingCode.system, code: needlingCode.code, display: needlingCode.display }] : []),
        { system: PROCEDURE_SYSTEM, code: DRY_NEEDLING_CODE, display: DRY_NEEDLING_TEXT },
      ],
      text: DRY_NEEDLING_TEXT,
    },
    subject: { reference: target.patient },
    encounter: { reference: target.encounter },
    performedDateTime: session.date,
    performer: [
      {
        extension: [complex(EXT.performerCredential, [['dryNeedlingCertified', bool(session.performer.dryNeedlingCertified)], ['state', code(session.performer.state)]])],
        actor: practitionerReference(session.performer),
      },
    ],
    reasonCode: session.diagnoses.map((d) => ({ coding: [{ system: d.system, code: d.code, display: fhirString(d.display) }], text: fhirString(d.display) })),
    bodySite: session.muscles.map((m) => bodySite(profiles, m)),
    ...(nonBlank(session.response) ? { outcome: { text: nonBlank(session.response) } } : {}),
    ...(session.adverseEvents?.length ? { complication: session.adverseEvents.map((e) => complication(profiles, e)) } : {}),
    ...(nonBlank(session.plan) ? { followUp: [{ text: nonBlank(session.plan) }] } : {}),
  };
}
