/** The 12-muscle session the core benchmark and its HTTP comparison send: a busy live preview. */
import type { Session } from '../../src/domain/types.generated.js';

const side = (i: number): 'left' | 'right' => (i % 2 ? 'right' : 'left');
const ids = ['upper-trapezius', 'levator-scapulae', 'splenius-capitis', 'infraspinatus', 'gluteus-medius', 'piriformis'];

export const TWELVE_MUSCLE_SESSION: Session = {
  date: '2026-11-20T14:30:00-05:00',
  performer: { reference: 'Practitioner/pt-rivera', display: 'Alex Rivera, PT, DPT', dryNeedlingCertified: true, state: 'CO' },
  payer: 'medicare',
  billing: 'bill-payer',
  diagnoses: [
    { system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'M79.12', display: 'Myalgia of auxiliary muscles, head and neck' },
    { system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'M54.2', display: 'Cervicalgia' },
  ],
  consent: { obtained: true, investigationalStatusDisclosed: true, written: true },
  screening: { contraindications: [], precautions: ['anticoagulant therapy'], cleared: true },
  needle: { type: 'solid filiform', diameterMm: 0.25, lengthMm: 40, countVerified: true },
  muscles: Array.from({ length: 12 }, (_, i) => ({
    muscle: ids[Math.floor(i / 2)] ?? 'deltoid', side: side(i), depth: 'deep' as const, technique: 'pistoning' as const,
    needles: 2, retentionSeconds: 60, twitch: { elicited: true, count: 2 }, precaution: 'pincer grip',
  })),
  estim: { applied: true, attended: true, minutes: 24, frequencyHz: 2, waveform: 'biphasic', intensity: 'tolerance', muscles: [{ muscle: 'upper-trapezius', side: 'left' }] },
  outcomes: { painPre: 7, painPost: 4, rom: [{ movement: 'cervical rotation', side: 'left', unit: 'degrees', pre: 55, post: 70 }], measures: [{ instrument: 'NDI', score: 30 }] },
  adverseEvents: [{ type: 'bruising', severity: 'mild', muscle: 'upper-trapezius', side: 'left' }],
  response: 'Tolerated well.',
  plan: 'Weekly for 3 visits.',
};
