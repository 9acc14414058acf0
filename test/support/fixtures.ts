import { readdirSync, readFileSync } from 'node:fs';
import type { Session } from '../../src/domain/types.generated.js';
import type { Clinician } from '../../src/fhir/signed-in-user.js';
import { createCore, type Core } from '../../src/service/core.js';

/** The example sessions kept in the repository (examples/sessions/*.json). */
export const EXAMPLES = new URL('../../examples/sessions/', import.meta.url);

/** Every example session, by file name. */
export function exampleSessions(): { file: string; session: Session }[] {
  return readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, session: JSON.parse(readFileSync(new URL(file, EXAMPLES), 'utf8')) as Session }));
}

/** The main example (4 neck muscles, investigational payer, unattended e-stim). */
export function exampleSession(): Session {
  return JSON.parse(readFileSync(new URL('neck-4-muscles-investigational.json', EXAMPLES), 'utf8')) as Session;
}

let core: Promise<Core> | undefined;
/** One Core for the whole test file: profiles and templates are read once. */
export function testCore(): Promise<Core> {
  core ??= createCore();
  return core;
}

/**
 * A complete session with nothing a reviewer would flag: one muscle away from the thorax, consent,
 * cleared screening, needles counted, pain, ROM and a questionnaire. Tests change one thing at a time.
 */
export function completeSession(overrides: Partial<Session> = {}): Session {
  return {
    date: '2026-11-20T09:00:00-05:00',
    performer: { reference: 'Practitioner/pt-rivera', display: 'Alex Rivera, PT, DPT', dryNeedlingCertified: true },
    payer: 'commercial-covered',
    billing: 'bill-payer',
    diagnoses: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'M54.50', display: 'Low back pain, unspecified' }],
    consent: { obtained: true, investigationalStatusDisclosed: false },
    screening: { contraindications: [], precautions: [], cleared: true },
    needle: { type: 'solid filiform', diameterMm: 0.3, lengthMm: 50, countVerified: true },
    muscles: [{ muscle: 'quadratus-lumborum', side: 'left', depth: 'deep', technique: 'pistoning', needles: 2, retentionSeconds: 60, twitch: { elicited: true, count: 2 }, exam: { tautBand: true, triggerPoint: true, localPain: true } }],
    necessity: {
      chiefComplaint: 'Left low back pain when lifting',
      duration: '8 weeks',
      priorCare: [{ treatment: 'Home exercise program, 4 weeks', result: 'Partial relief; pain returns at work' }],
      functionalLimitation: 'Cannot sit through a workday.',
      goal: 'Sit 4 hours without pain within 4 weeks.',
    },
    practices: { sterileSingleUseNeedles: true, sharpsDisposed: true, gloves: true },
    planOfCare: { date: '2026-11-02', visitsPerWeek: 1, weeks: 6, certifiedBy: 'Dr. Maya Patel, MD' },
    outcomes: { painPre: 6, painPost: 3, rom: [{ movement: 'lumbar flexion', unit: 'degrees', pre: 40, post: 55 }], measures: [{ instrument: 'ODI', score: 32 }] },
    adverseEvents: [],
    response: 'Tolerated well.',
    plan: 'Continue weekly within the plan of care.',
    ...overrides,
  };
}

type MuscleEntry = Session['muscles'][number];
/** A needled muscle with sensible defaults. */
export function muscle(id: string, side: 'left' | 'right', extra: Partial<MuscleEntry> = {}): MuscleEntry {
  return { muscle: id, side, depth: 'deep', technique: 'pistoning', needles: 1, retentionSeconds: 30, twitch: { elicited: false }, ...extra };
}

/** Every optional field set, every local outcome-measure code used. */
export function fullSession(): Session {
  return completeSession({
    performer: { reference: 'Practitioner/pt-rivera', display: 'Alex Rivera, PT, DPT', dryNeedlingCertified: true, state: 'CO' },
    payer: 'medicare',
    billing: 'self-pay',
    diagnoses: [
      { system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'M54.50', display: 'Low back pain, unspecified' },
      { system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'M62.830', display: 'Muscle spasm of back' },
    ],
    consent: { obtained: true, investigationalStatusDisclosed: true, written: true },
    screening: { contraindications: ['none known'], precautions: ['anticoagulant therapy', 'needle anxiety'], cleared: true },
    needle: { type: 'solid filiform', diameterMm: 0.25, lengthMm: 40, countVerified: true },
    muscles: [
      muscle('quadratus-lumborum', 'left', { depth: 'deep', technique: 'pistoning-rotation', needles: 3, retentionSeconds: 90, twitch: { elicited: true, count: 4 }, notes: 'taut band at L3', exam: { tautBand: true, triggerPoint: true, localPain: true, referredPain: false } }),
      muscle('gluteus-medius', 'right', { depth: 'superficial', technique: 'static', needles: 1, retentionSeconds: 600, twitch: { elicited: false } }),
      muscle('middle-trapezius', 'left', { precaution: 'pincer grip, needle angled away from the lung', twitch: { elicited: false, count: 0 } }),
    ],
    estim: { applied: true, attended: true, minutes: 23.5, frequencyHz: 2.5, waveform: 'asymmetric biphasic', intensity: 'visible contraction', justification: 'Intensity adjusted continuously to a visible contraction without pain.', muscles: [{ muscle: 'quadratus-lumborum', side: 'left' }, { muscle: 'gluteus-medius', side: 'right' }] },
    services: [{ code: '97140', minutes: 10, regions: ['hip', 'lumbopelvic'] }, { code: '97110', minutes: 12 }],
    necessity: {
      chiefComplaint: 'Low back pain when lifting',
      onsetDate: '2026-09-01',
      duration: '11 weeks',
      priorCare: [{ treatment: 'Home exercise program, 4 weeks', result: 'Partial relief; pain returns at work' }, { treatment: 'Massage', result: 'No lasting change' }],
      functionalLimitation: 'Cannot lift her toddler or sit through a workday.',
      goal: 'Lift 10 kg from the floor without pain within 4 weeks.',
    },
    planOfCare: { date: '2026-11-02', visitsPerWeek: 2, weeks: 4, certifiedBy: 'Dr. Maya Patel, MD' },
    goalProgress: 'Sits 2 hours at work, up from 45 minutes.',
    abn: { issuedOn: '2026-11-20', option: 2 },
    waiver: { signedOn: '2026-11-20' },
    practices: { sterileSingleUseNeedles: true, sharpsDisposed: true, gloves: true },
    outcomes: {
      painPre: 7,
      painPost: 3,
      rom: [{ movement: 'lumbar flexion', unit: 'degrees', pre: 40, post: 55 }, { movement: 'hip abduction', side: 'right', unit: 'degrees', pre: 30, post: 38.5 }, { movement: 'mouth opening', unit: 'mm', pre: 32, post: 38.5 }],
      measures: [
        { instrument: 'ODI', score: 32, answers: [2, 2, 1, 2, 1, 2, 1, 2, 1, 2] },
        { instrument: 'LEFS', score: 51 },
        { instrument: 'PSFS', score: 4.5, answers: [3, 5, 5, 5], activities: ['Lifting my grandson', 'Sitting through a film', 'Gardening', 'Driving to work'] },
        { instrument: 'QuickDASH', score: 22.7 },
      ],
    },
    adverseEvents: [{ type: 'bruising', severity: 'mild', muscle: 'quadratus-lumborum', side: 'left' }, { type: 'fatigue', severity: 'moderate' }],
    response: 'Less pain on bending.',
    plan: 'Two more visits.',
  });
}

/**
 * The signed-in clinician a service-level save is written by: exactly the session's performer (the
 * HTTP tests read the real one from the sandbox EHR instead).
 */
export function authorOf(session: Pick<Session, 'performer'>): Clinician {
  return { fhirUser: session.performer.reference, performer: { ...session.performer } };
}
