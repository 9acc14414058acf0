import { formatDay } from '../domain/human-dates.js';
import { labelMuscle } from '../domain/muscle-names.js';
import type { Profiles } from '../domain/profiles.js';
import type { PayerPolicy, Session } from '../domain/types.generated.js';

/**
 * One statement of the note: a label and the recorded value it states. `missing` lines exist only in
 * a draft, reading "not documented"; a signed note leaves out what was not recorded. Nothing here is
 * said without a recorded value behind it: each line names the field it comes from in its builder.
 */
export interface NoteLine {
  readonly label: string;
  readonly text: string;
  readonly missing: boolean;
}

export const NOT_DOCUMENTED = 'not documented';

/** Collects a section's lines: a recorded value gives a line; an absent one gives "not documented" in a draft, nothing when signed. */
export class Lines {
  readonly items: NoteLine[] = [];
  constructor(private readonly draft: boolean) {}

  /** `value` when recorded (a non-blank string), else a draft's "not documented". */
  add(label: string, value: string | null | undefined): this {
    // Blank is judged on the trimmed text; the text itself is kept as charted.
    if (value?.trim()) this.items.push({ label, text: value, missing: false });
    else if (this.draft) this.items.push({ label, text: NOT_DOCUMENTED, missing: true });
    return this;
  }

  /** A line only when recorded: for facts that are optional (nothing is missing without them). */
  addIfRecorded(label: string, value: string | null | undefined): this {
    if (value?.trim()) this.items.push({ label, text: value, missing: false });
    return this;
  }
}

/** The text as charted, ending in a full stop unless it already ends a sentence. */
export const sentence = (text: string): string => (/[.!?]\s*$/.test(text) ? text : `${text}.`);
const list = (items: readonly string[]): string | null => (items.length ? items.join('; ') : null);

const PALPATION: ReadonlyArray<readonly [keyof NonNullable<Session['muscles'][number]['exam']>, string]> = [
  ['tautBand', 'taut band'],
  ['triggerPoint', 'trigger point'],
  ['localPain', 'local pain reproduced'],
  ['referredPain', 'referred pain reproduced'],
];

/** "taut band, trigger point, referred pain reproduced": the palpation findings recorded as present. */
export function palpationFindings(exam: Session['muscles'][number]['exam']): string | null {
  const found = PALPATION.filter(([key]) => exam?.[key] === true).map(([, words]) => words);
  const absent = PALPATION.filter(([key]) => exam?.[key] === false).map(([, words]) => `no ${words}`);
  const all = [...found, ...absent];
  return all.length ? all.join(', ') : null;
}

/** Subjective: the complaint and why the visit is needed (necessity), the diagnoses, pain before. */
export function subjectiveLines(session: Session, draft: boolean): NoteLine[] {
  const n = session.necessity;
  const lines = new Lines(draft);
  lines.add('Chief complaint', n?.chiefComplaint);
  if (n?.onsetDate) lines.add('Onset', formatDay(n.onsetDate));
  else if (n?.duration) lines.add('Duration', n.duration);
  else lines.add('Onset or duration', null);
  lines.add('Prior care', list((n?.priorCare ?? []).map((c) => `${c.treatment}: ${c.result}`)));
  lines.add('Functional limitation', n?.functionalLimitation);
  lines.add('Goal', n?.goal);
  lines.add('Diagnoses', list(session.diagnoses.map((d) => `${d.display} (${d.code})`)));
  const pre = session.outcomes?.painPre;
  lines.add('Pain before treatment', pre === undefined ? null : `${pre}/10`);
  return lines.items;
}

const PRACTICES: ReadonlyArray<readonly [keyof NonNullable<Session['practices']>, string]> = [
  ['sterileSingleUseNeedles', 'sterile single-use needles'],
  ['sharpsDisposed', 'sharps disposed of in a sharps container'],
  ['gloves', 'gloves worn'],
];

/** Consent, screening and clean technique, each from its field. */
export function safetyLines(session: Session, payer: PayerPolicy, draft: boolean): NoteLine[] {
  const lines = new Lines(draft);
  const { consent, screening } = session;
  lines.add('Informed consent', consent.obtained ? (consent.written ? 'obtained in writing' : 'obtained') : null);
  if (payer.rules.investigational?.requiresDisclosure) lines.add("Investigational status under the payer's policy", consent.investigationalStatusDisclosed ? 'disclosed to the patient' : null);
  lines.add('Contraindication screening', screening.cleared ? 'cleared for needling' : null);
  lines.addIfRecorded('Contraindications noted', list(screening.contraindications));
  lines.addIfRecorded('Precautions noted', list(screening.precautions));
  lines.add('Needle count', session.needle.countVerified ? 'all needles counted in and out' : null);
  const practices = PRACTICES.filter(([key]) => session.practices?.[key] === true).map(([, words]) => words);
  lines.add('Clean technique', practices.length ? practices.join('; ') : null);
  return lines.items;
}

/** Electrical stimulation through the needles: each parameter from its field; the justification when attended. */
export function estimLines(session: Session, profiles: Profiles, draft: boolean): NoteLine[] {
  const estim = session.estim;
  if (!estim?.applied) return [];
  const lines = new Lines(draft);
  lines.add('Attendance', estim.attended === undefined ? null : estim.attended ? 'attended (constant one-on-one contact)' : 'unattended');
  lines.add('Minutes', estim.minutes === undefined ? null : `${estim.minutes} min`);
  lines.add('Frequency', estim.frequencyHz === undefined ? null : `${estim.frequencyHz} Hz`);
  lines.add('Waveform', estim.waveform);
  lines.add('Intensity', estim.intensity);
  lines.add('Muscles stimulated', list((estim.muscles ?? []).map((m) => labelMuscle(profiles, m.muscle, m.side))));
  if (estim.attended) lines.add('Why attended', estim.justification);
  return lines.items;
}

const REGION_WORDS: Readonly<Record<string, string>> = {
  'head-jaw': 'head and jaw', neck: 'neck', shoulder: 'shoulder', 'upper-arm': 'upper arm', 'forearm-hand': 'forearm and hand', thorax: 'thorax',
  back: 'back', lumbopelvic: 'low back and pelvis', hip: 'hip', thigh: 'thigh', leg: 'leg', foot: 'foot',
};

/** Other services of the visit: "Manual therapy (97140): 10 min; hip, low back and pelvis". */
export function serviceLines(session: Session, profiles: Profiles): NoteLine[] {
  return (session.services ?? []).map((s) => {
    const entry = profiles.files.codes.codes.find((c) => c.code === s.code);
    const where = (s.regions ?? []).map((r) => REGION_WORDS[r] ?? r).join(', ');
    return { label: entry ? `${entry.short} (${s.code})` : s.code, text: `${s.minutes} min${where ? `; ${where}` : ''}`, missing: false };
  });
}

/** Assessment: response, adverse events, progress toward the plan-of-care goals. */
export function assessmentLines(session: Session, profiles: Profiles, draft: boolean): NoteLine[] {
  const lines = new Lines(draft);
  lines.add('Response', session.response ? sentence(session.response) : null);
  const events = session.adverseEvents;
  const eventText = events === undefined ? null : events.length === 0 ? 'none occurred' : events.map((e) => `${e.type} (${e.severity})${e.muscle && e.side ? `, ${labelMuscle(profiles, e.muscle, e.side)}` : e.muscle ? `, ${profiles.muscles.get(e.muscle)?.display.toLowerCase() ?? e.muscle}` : ''}`).join('; ');
  lines.add('Adverse events', eventText);
  lines.add('Progress toward goals', session.goalProgress);
  return lines.items;
}

/** Plan: the plan text and the plan of care it belongs to. */
export function planLines(session: Session, draft: boolean): NoteLine[] {
  const lines = new Lines(draft);
  lines.add('Plan', session.plan);
  const p = session.planOfCare;
  const parts = p ? [`established ${formatDay(p.date)}`, p.visitsPerWeek && p.weeks ? `${p.visitsPerWeek} visit${p.visitsPerWeek === 1 ? '' : 's'} a week for ${p.weeks} week${p.weeks === 1 ? '' : 's'}` : p.weeks ? `${p.weeks} weeks` : null, p.certifiedBy ? `certified by ${p.certifiedBy}` : null].filter((x): x is string => !!x) : [];
  lines.add('Plan of care', parts.length ? parts.join('; ') : null);
  return lines.items;
}

const ABN_OPTIONS: Readonly<Record<number, string>> = {
  1: 'option 1 (wants the service and Medicare billed)',
  2: 'option 2 (wants the service, Medicare not billed)',
  3: 'option 3 (does not want the service)',
};

/** The financial notices the payer calls for: Medicare's voluntary ABN, an investigational payer's waiver. */
export function noticeLines(session: Session, payer: PayerPolicy, draft: boolean): NoteLine[] {
  const lines = new Lines(draft);
  if (payer.rules.nonCoveredNeedling && session.billing !== 'document-only') {
    const abn = session.abn;
    lines.add('Voluntary ABN', abn ? `given to the patient on ${formatDay(abn.issuedOn)}${abn.option ? `; the patient chose ${ABN_OPTIONS[abn.option]}` : ''}` : null);
  }
  if (payer.rules.investigational && session.billing !== 'document-only') {
    lines.add('Financial waiver', session.waiver ? `signed by the patient on ${formatDay(session.waiver.signedOn)}` : null);
  }
  return lines.items;
}
