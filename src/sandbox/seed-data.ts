import type { Diagnosis, NeedledMuscle, Session } from '../domain/types.generated.js';

/**
 * Synthetic patients for the sandbox EHR. No real person: names are invented. Ids are fixed so tests,
 * demos and the README can name them. Each has a course of prior dry-needling visits (written
 * exactly as NeedleChart writes them) and an open encounter today to chart.
 */
export interface SeedPatient {
  readonly id: string;
  readonly given: string;
  readonly family: string;
  readonly gender: 'female' | 'male';
  readonly birthDate: string;
  readonly payer: string;
  readonly diagnoses: readonly Diagnosis[];
  readonly muscles: readonly NeedledMuscle[];
  readonly estim?: Session['estim'];
  readonly instrument?: { readonly id: string; readonly start: number; readonly step: number };
  readonly rom?: { readonly movement: string; readonly side?: 'left' | 'right'; readonly unit?: 'degrees' | 'mm'; readonly start: number; readonly step: number };
  /** Prior visits in the course; today's encounter is visit priorVisits + 1. */
  readonly priorVisits: number;
  readonly painStart: number;
}

const dx = (code: string, display: string): Diagnosis => ({ system: 'http://hl7.org/fhir/sid/icd-10-cm', code, display });
const m = (muscle: string, side: 'left' | 'right', extra: Partial<NeedledMuscle> = {}): NeedledMuscle => ({
  muscle, side, depth: 'deep', technique: 'pistoning', needles: 1, retentionSeconds: 60, twitch: { elicited: true, count: 1 }, ...extra,
});

/** The clinic: its name, address and organisation NPI (synthetic, check digit valid) are what a payer's cover letter names. */
export const SEED_ORGANIZATION = {
  id: 'org-harbor-pt',
  name: 'Harbor Physical Therapy',
  npi: '1245319599',
  address: { line: ['1200 Harbor Way, Suite 3'], city: 'Denver', state: 'CO', postalCode: '80202' },
} as const;

/**
 * The clinic's physical therapists. The EHR records what NeedleChart reads about the signed-in user:
 * name with credentials (suffix), NPI (synthetic, check digit valid), the licence with the state it is
 * valid in, and the dry-needling certificate when there is one.
 */
export const SEED_PRACTITIONERS = [
  { id: 'pt-rivera', given: 'Alex', family: 'Rivera', suffix: 'PT, DPT', npi: '1234567893', certified: true, state: 'CO' },
  { id: 'pt-chen', given: 'Sam', family: 'Chen', suffix: 'PT', npi: '1987654328', certified: true, state: 'AZ' },
  { id: 'pt-okafor', given: 'Jordan', family: 'Okafor', suffix: 'PT', npi: '1555000011', certified: false, state: 'CO' },
] as const;

/**
 * The clinic's compliance officer (staff, not a clinician), with a PractitionerRole carrying `role`:
 * the sandbox's default compliance-export user, and the one to try NEEDLECHART_COMPLIANCE_ROLE with.
 */
export const SEED_COMPLIANCE_OFFICER = {
  id: 'staff-jordan-ellis',
  given: 'Jordan',
  family: 'Ellis',
  role: { system: 'https://needlechart.dev/fhir/CodeSystem/staff-role', code: 'compliance-officer', display: 'Compliance officer' },
} as const;

/** A role of a practitioner at the clinic: an EHR may name it as the signed-in user (fhirUser). */
export const SEED_PRACTITIONER_ROLES = [{ id: 'role-rivera-harbor', practitioner: 'pt-rivera' }] as const;

/** Payer organisations; each carries the NeedleChart payer-policy id its Coverage maps to. */
export const SEED_PAYERS = [
  { id: 'payer-acme-health', name: 'Acme Health PPO', policy: 'commercial-covered' },
  { id: 'payer-premera', name: 'Premera Blue Cross', policy: 'commercial-investigational' },
  { id: 'payer-medicare', name: 'Medicare Part B', policy: 'medicare' },
  { id: 'payer-wa-lni', name: 'Washington L&I', policy: 'wa-lni' },
] as const;

export const SEED_PATIENTS: readonly SeedPatient[] = [
  {
    id: 'p-maria-lopez', given: 'Maria', family: 'Lopez', gender: 'female', birthDate: '1984-03-12', payer: 'payer-premera',
    diagnoses: [dx('M79.12', 'Myalgia of auxiliary muscles, head and neck'), dx('M54.2', 'Cervicalgia')],
    muscles: [m('upper-trapezius', 'left', { precaution: 'pincer grip, needle directed posteriorly away from the lung apex', twitch: { elicited: true, count: 2 } }), m('levator-scapulae', 'left', { precaution: 'needle directed toward the scapula' }), m('splenius-capitis', 'left', { depth: 'superficial', technique: 'static', retentionSeconds: 600, twitch: { elicited: false } })],
    estim: { applied: true, attended: false, minutes: 10, frequencyHz: 2, waveform: 'asymmetric biphasic', intensity: 'visible contraction, to tolerance', muscles: [{ muscle: 'upper-trapezius', side: 'left' }] },
    instrument: { id: 'NDI', start: 40, step: -4 }, rom: { movement: 'cervical rotation', side: 'left', start: 50, step: 6 },
    priorVisits: 3, painStart: 8,
  },
  {
    id: 'p-james-carter', given: 'James', family: 'Carter', gender: 'male', birthDate: '1951-07-30', payer: 'payer-medicare',
    diagnoses: [dx('M54.50', 'Low back pain, unspecified')],
    muscles: [m('quadratus-lumborum', 'left', { needles: 2 }), m('lumbar-multifidus', 'left'), m('lumbar-multifidus', 'right'), m('gluteus-medius', 'left', { twitch: { elicited: true, count: 3 } })],
    instrument: { id: 'ODI', start: 44, step: -5 }, rom: { movement: 'lumbar flexion', start: 35, step: 5 },
    priorVisits: 2, painStart: 7,
  },
  {
    id: 'p-aisha-khan', given: 'Aisha', family: 'Khan', gender: 'female', birthDate: '1990-11-02', payer: 'payer-acme-health',
    diagnoses: [dx('M72.2', 'Plantar fascial fibromatosis')],
    muscles: [m('gastrocnemius', 'right', { needles: 2 }), m('soleus', 'right'), m('flexor-digitorum-brevis', 'right', { depth: 'superficial', twitch: { elicited: false } }), m('quadratus-plantae', 'right', { twitch: { elicited: false } })],
    estim: { applied: true, attended: true, minutes: 15, frequencyHz: 4, waveform: 'symmetric biphasic', intensity: 'strong, comfortable', muscles: [{ muscle: 'gastrocnemius', side: 'right' }, { muscle: 'soleus', side: 'right' }] },
    instrument: { id: 'LEFS', start: 42, step: 5 },
    priorVisits: 4, painStart: 6,
  },
  {
    id: 'p-tom-becker', given: 'Tom', family: 'Becker', gender: 'male', birthDate: '1978-05-19', payer: 'payer-wa-lni',
    diagnoses: [dx('M62.830', 'Muscle spasm of back')],
    muscles: [m('quadratus-lumborum', 'right', { needles: 2 }), m('gluteus-medius', 'right'), m('piriformis', 'right', { retentionSeconds: 90 })],
    instrument: { id: 'ODI', start: 38, step: -4 },
    priorVisits: 3, painStart: 7,
  },
  {
    id: 'p-nora-silva', given: 'Nora', family: 'Silva', gender: 'female', birthDate: '1996-01-25', payer: 'payer-acme-health',
    diagnoses: [dx('M26.622', 'Arthralgia of left temporomandibular joint'), dx('M79.11', 'Myalgia of mastication muscle')],
    muscles: [m('masseter', 'left'), m('temporalis', 'left', { depth: 'superficial' }), m('lateral-pterygoid', 'left', { technique: 'static', retentionSeconds: 120, twitch: { elicited: false } })],
    priorVisits: 0, painStart: 6,
  },
  {
    id: 'p-li-wei', given: 'Li', family: 'Wei', gender: 'male', birthDate: '1958-09-08', payer: 'payer-medicare',
    diagnoses: [dx('M79.18', 'Myalgia, other site')],
    muscles: [m('infraspinatus', 'right', { needles: 2, twitch: { elicited: true, count: 2 } }), m('teres-minor', 'right'), m('supraspinatus', 'right', { precaution: 'needle directed caudally into the fossa, away from the lung' }), m('deltoid', 'right', { depth: 'superficial', twitch: { elicited: false } })],
    instrument: { id: 'QuickDASH', start: 52, step: -6 }, rom: { movement: 'shoulder flexion', side: 'right', start: 120, step: 8 },
    priorVisits: 5, painStart: 8,
  },
];
