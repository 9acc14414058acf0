import type { Extension } from 'fhir/r4.js';
import type { Necessity, OtherService, Session } from '../domain/types.generated.js';
import { withoutUndefined } from '../domain/without-undefined.js';
import { bool, code, complex, date, ExtensionReader, int, nonBlank, str } from './extensions.js';
import { EXT } from './systems.js';


const hasParts = (e: Extension): boolean => (e.extension?.length ?? 0) > 0;

/**
 * The parts of a visit's record R4 Procedure has no element for, beyond the needling itself: medical
 * necessity, the plan of care and progress toward it, the financial notice (voluntary ABN or waiver),
 * the clean-technique confirmations and the visit's other services. Each travels in its NeedleChart
 * extension (profiles/fhir/extensions), so `recordFromExtensions` rebuilds exactly what was charted.
 */
export function recordExtensions(session: Session): Extension[] {
  const n = session.necessity;
  const plan = session.planOfCare;
  const out: Extension[] = [];
  if (n) {
    out.push(
      complex(EXT.necessity, [
        ['chiefComplaint', str(n.chiefComplaint)],
        ['onsetDate', date(n.onsetDate)],
        ['duration', str(n.duration)],
        ...(n.priorCare ?? []).map((c) => ['priorCare', { extension: complex('priorCare', [['treatment', str(c.treatment)], ['result', str(c.result)]]).extension ?? [] }] as const),
        ['functionalLimitation', str(nonBlank(n.functionalLimitation))],
        ['goal', str(nonBlank(n.goal))],
      ]),
    );
  }
  if (plan || nonBlank(session.goalProgress)) {
    out.push(complex(EXT.planOfCare, [['date', date(plan?.date)], ['visitsPerWeek', int(plan?.visitsPerWeek)], ['weeks', int(plan?.weeks)], ['certifiedBy', str(plan?.certifiedBy)], ['progress', str(nonBlank(session.goalProgress))]]));
  }
  if (session.abn || session.waiver) {
    out.push(complex(EXT.financialNotice, [['abnIssuedOn', date(session.abn?.issuedOn)], ['abnOption', int(session.abn?.option)], ['waiverSignedOn', date(session.waiver?.signedOn)]]));
  }
  const p = session.practices;
  if (p) out.push(complex(EXT.cleanTechnique, [['sterileSingleUseNeedles', bool(p.sterileSingleUseNeedles)], ['sharpsDisposed', bool(p.sharpsDisposed)], ['gloves', bool(p.gloves)]]));
  for (const s of session.services ?? []) {
    out.push(complex(EXT.otherService, [['code', code(s.code)], ['minutes', int(s.minutes)], ...(s.regions ?? []).map((r) => ['region', code(r)] as const)]));
  }
  // An object charted with nothing in it (e.g. `practices: {}`) writes no extension: FHIR forbids an empty one.
  return out.filter(hasParts);
}

type RecordParts = Pick<Session, 'necessity' | 'planOfCare' | 'goalProgress' | 'abn' | 'waiver' | 'practices' | 'services'>;

/** The reverse of `recordExtensions`: only the parts that were written. */
export function recordFromExtensions(extensions: readonly Extension[] | undefined): Partial<RecordParts> {
  const out: Partial<RecordParts> = {};
  const n = ExtensionReader.of(extensions, EXT.necessity);
  if (n) {
    const priorCare = n.children('priorCare').map((c) => ({ treatment: c.string('treatment') ?? '', result: c.string('result') ?? '' }));
    const necessity: Necessity = withoutUndefined({
      chiefComplaint: n.string('chiefComplaint'),
      onsetDate: n.date('onsetDate'),
      duration: n.string('duration'),
      priorCare: priorCare.length ? priorCare : undefined,
      functionalLimitation: n.string('functionalLimitation'),
      goal: n.string('goal'),
    });
    out.necessity = necessity;
  }
  const plan = ExtensionReader.of(extensions, EXT.planOfCare);
  if (plan) {
    const planDate = plan.date('date');
    if (planDate) out.planOfCare = { date: planDate, ...withoutUndefined({ visitsPerWeek: plan.integer('visitsPerWeek'), weeks: plan.integer('weeks'), certifiedBy: plan.string('certifiedBy') }) };
    const progress = plan.string('progress');
    if (progress !== undefined) out.goalProgress = progress;
  }
  const notice = ExtensionReader.of(extensions, EXT.financialNotice);
  const issuedOn = notice?.date('abnIssuedOn');
  const option = notice?.integer('abnOption');
  if (issuedOn) out.abn = { issuedOn, ...(option === 1 || option === 2 || option === 3 ? { option } : {}) };
  const signedOn = notice?.date('waiverSignedOn');
  if (signedOn) out.waiver = { signedOn };
  const clean = ExtensionReader.of(extensions, EXT.cleanTechnique);
  if (clean) out.practices = withoutUndefined({ sterileSingleUseNeedles: clean.boolean('sterileSingleUseNeedles'), sharpsDisposed: clean.boolean('sharpsDisposed'), gloves: clean.boolean('gloves') });
  const services: OtherService[] = ExtensionReader.all(extensions, EXT.otherService).map((s) => {
    const regions = s.codes('region') as NonNullable<OtherService['regions']>;
    return { code: s.code('code') ?? '', minutes: s.integer('minutes') ?? 0, ...(regions.length ? { regions } : {}) };
  });
  if (services.length) out.services = services;
  return out;
}
