import { readFileSync } from 'node:fs';
import type { Session } from '../../src/domain/types.generated.js';
import { createCore, type Core } from '../../src/service/core.js';

export const SHARED_EXAMPLES = new URL('../../../shared/examples/', import.meta.url);

/** The shared example (4 neck muscles, investigational payer, unattended e-stim). */
export function exampleSession(): Session {
  return JSON.parse(readFileSync(new URL('session-neck-4-muscles.json', SHARED_EXAMPLES), 'utf8')) as Session;
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
    muscles: [{ muscle: 'quadratus-lumborum', side: 'left', depth: 'deep', technique: 'pistoning', needles: 2, retentionSeconds: 60, twitch: { elicited: true, count: 2 } }],
    outcomes: { painPre: 6, painPost: 3, rom: [{ movement: 'lumbar flexion', preDegrees: 40, postDegrees: 55 }], measures: [{ instrument: 'ODI', score: 32 }] },
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
