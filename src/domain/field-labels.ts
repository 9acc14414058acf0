import { describeMuscle } from './muscle-names.js';
import type { Profiles } from './profiles.js';
import type { Session } from './types.generated.js';

/** Finding severities in the words people read them. */
export const SEVERITY_WORDS: Readonly<Record<'error' | 'warning' | 'info', string>> = {
  error: 'Needs fixing',
  warning: 'Worth checking',
  info: 'For information',
};

/**
 * A finding keeps its field path (`muscles[0].precaution`) as data, so the app can focus the field;
 * people read the field's name in words instead: "Muscle 1 (left upper trapezius): precaution".
 */
const FIELDS: Readonly<Record<string, string>> = {
  'consent': 'Consent',
  'consent.obtained': 'Consent: informed consent',
  'consent.investigationalStatusDisclosed': 'Consent: investigational status disclosed',
  'consent.written': 'Consent: in writing',
  'screening': 'Screening',
  'screening.cleared': 'Screening: result',
  'screening.contraindications': 'Screening: contraindications',
  'screening.precautions': 'Screening: precautions',
  'performer': 'Performer',
  'performer.dryNeedlingCertified': "Performer: dry-needling training",
  'performer.state': 'Performer: state of practice',
  'diagnoses': 'Diagnoses',
  'needle': 'Needle',
  'needle.countVerified': 'Needles: counted in and out',
  'muscles': 'Muscles needled',
  'estim': 'Electrical stimulation',
  'estim.applied': 'Electrical stimulation',
  'estim.attended': 'Electrical stimulation: attended or not',
  'estim.minutes': 'Electrical stimulation: minutes',
  'estim.frequencyHz': 'Electrical stimulation: frequency',
  'estim.waveform': 'Electrical stimulation: waveform',
  'estim.intensity': 'Electrical stimulation: intensity',
  'estim.muscles': 'Electrical stimulation: muscles',
  'outcomes': 'Outcomes',
  'outcomes.painPre': 'Outcomes: pain before needling',
  'outcomes.painPost': 'Outcomes: pain after needling',
  'outcomes.rom': 'Outcomes: range of motion',
  'outcomes.measures': 'Outcomes: questionnaire',
  'adverseEvents': 'Adverse events',
  'response': "Patient's response",
  'plan': 'Plan',
  'billing': 'Billing',
  'date': 'Date of service',
  'payer': 'Payer',
  'estim.justification': 'Electrical stimulation: why attended',
  'necessity': 'Why today',
  'necessity.chiefComplaint': 'Why today: chief complaint',
  'necessity.onsetDate': 'Why today: onset or duration',
  'necessity.duration': 'Why today: duration',
  'necessity.priorCare': 'Why today: care tried before',
  'necessity.functionalLimitation': 'Why today: functional limitation',
  'necessity.goal': 'Why today: goal',
  'planOfCare': 'Plan of care',
  'planOfCare.date': 'Plan of care: date established',
  'planOfCare.visitsPerWeek': 'Plan of care: visits per week',
  'planOfCare.weeks': 'Plan of care: frequency and duration',
  'planOfCare.certifiedBy': 'Plan of care: certified by',
  'goalProgress': 'Progress toward goals',
  'abn': 'Voluntary ABN',
  'abn.issuedOn': 'Voluntary ABN: date given',
  'abn.option': "Voluntary ABN: the patient's option",
  'waiver': 'Financial waiver',
  'waiver.signedOn': 'Financial waiver: date signed',
  'practices': 'Clean technique',
  'practices.sterileSingleUseNeedles': 'Clean technique',
  'practices.sharpsDisposed': 'Clean technique: sharps disposal',
  'practices.gloves': 'Clean technique: gloves',
  'services': 'Other services',
};

/** Field words inside a listed entry: `precaution` → "precaution", `retentionSeconds` → "retention". */
const ENTRY_FIELDS: Readonly<Record<string, string>> = {
  muscle: 'muscle',
  side: 'side',
  depth: 'depth',
  technique: 'technique',
  needles: 'number of needles',
  retentionSeconds: 'retention',
  twitch: 'local twitch response',
  precaution: 'precaution',
  notes: 'notes',
  code: 'code',
  display: 'description',
  type: 'type',
  severity: 'severity',
  movement: 'movement',
  unit: 'unit',
  pre: 'measurement before',
  post: 'measurement after',
  answers: 'answers',
  activities: 'activities',
  instrument: 'questionnaire',
  score: 'score',
  exam: 'palpation findings',
  minutes: 'minutes',
  regions: 'regions',
  treatment: 'treatment',
  result: 'result',
};

function words(name: string): string {
  // One item of a list inside an entry: "answers[4]" is the answer to item 5, "activities[0]" activity 1.
  const item = /^(answers|activities)\[(\d+)\]$/.exec(name);
  if (item) return item[1] === 'answers' ? `answer to item ${Number(item[2]) + 1}` : `activity ${Number(item[2]) + 1}`;
  return ENTRY_FIELDS[name] ?? name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/** The words for one entry of a list: "Muscle 1 (left upper trapezius)", "Diagnosis 2 (M54.5)". */
function entryLabel(list: string, index: number, session: Session, profiles: Profiles): string {
  const n = index + 1;
  switch (list) {
    case 'muscles': {
      const m = session.muscles[index];
      return m ? `Muscle ${n} (${describeMuscle(profiles, m.muscle, m.side)})` : `Muscle ${n}`;
    }
    case 'estim.muscles': {
      const m = session.estim?.muscles?.[index];
      return m ? `Electrical stimulation: muscle ${n} (${describeMuscle(profiles, m.muscle, m.side)})` : `Electrical stimulation: muscle ${n}`;
    }
    case 'diagnoses': {
      const d = session.diagnoses[index];
      return d ? `Diagnosis ${n} (${d.code})` : `Diagnosis ${n}`;
    }
    case 'adverseEvents': {
      const e = session.adverseEvents?.[index];
      return e?.type ? `Adverse event ${n} (${e.type})` : `Adverse event ${n}`;
    }
    case 'outcomes.rom':
      return `Range of motion ${n}`;
    case 'outcomes.measures':
      return `Questionnaire ${n}`;
    default:
      return `${FIELDS[list] ?? words(list)} ${n}`;
  }
}

/**
 * The name of a session field in words, for people: "Consent: informed consent",
 * "Muscle 1 (left upper trapezius): precaution", "Diagnosis 1 (M54.5): code". Never a path.
 */
export function describeField(path: string, session: Session, profiles: Profiles): string {
  const fixed = FIELDS[path];
  if (fixed) return fixed;
  const known = unlistedPaths.get(path);
  if (known !== undefined) return known;
  const m = ENTRY_PATH.exec(path);
  if (m?.[1] && m[2]) {
    const entry = entryLabel(m[1], Number(m[2]), session, profiles);
    return m[3] ? `${entry}: ${m[3].split('.').map(words).join(', ')}` : entry;
  }
  const [head, ...rest] = path.split('.');
  const base = FIELDS[head ?? ''] ?? words(head ?? path);
  const text = rest.length ? `${base}: ${rest.map(words).join(', ')}` : base;
  // Without a list entry the words depend on the path alone: remember them (rules name a few dozen such paths).
  if (unlistedPaths.size < 1000) unlistedPaths.set(path, text);
  return text;
}

const ENTRY_PATH = /^([a-zA-Z.]+)\[(\d+)\](?:\.(.+))?$/;
const unlistedPaths = new Map<string, string>();
