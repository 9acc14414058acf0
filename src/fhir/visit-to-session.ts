import type { Observation, Procedure } from 'fhir/r4.js';
import type { Profiles } from '../domain/profiles.js';
import type { AdverseEvent, Diagnosis, Estim, NeedledMuscle, Outcomes, Session, Side } from '../domain/types.generated.js';
import { ExtensionReader } from './extensions.js';
import { EXT, ICD10CM, NPI_SYSTEM, SNOMED } from './systems.js';
import { romUnitOfQuantity, scoreOf } from './session-to-observations.js';
import { answersFromComponents } from './questionnaire-answers.js';
import { recordFromExtensions } from './visit-record-extensions.js';
import { withoutUndefined } from '../domain/without-undefined.js';

/** Thrown when a Procedure was not written by NeedleChart (it lacks the extensions the session needs). */
export class NotANeedleChartVisit extends Error {
  constructor(what: string) {
    super(`Procedure is not a NeedleChart visit: ${what}`);
    this.name = 'NotANeedleChartVisit';
  }
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new NotANeedleChartVisit(`missing ${what}`);
  return value;
}

const side = (v: string | undefined): Side | undefined => (v === 'left' || v === 'right' ? v : undefined);

function laterality(extensions: Procedure['extension']): Side | undefined {
  const code = extensions?.find((e) => e.url === EXT.laterality)?.valueCoding;
  if (code?.system !== SNOMED) return undefined;
  return code.code === '7771000' ? 'left' : code.code === '24028007' ? 'right' : undefined;
}

function muscles(procedure: Procedure): NeedledMuscle[] {
  return ExtensionReader.all(procedure.extension, EXT.needledMuscle).map((m, i) => {
    const count = m.integer('twitchCount');
    const precaution = m.string('precaution');
    const notes = m.string('notes');
    const exam = withoutUndefined({ tautBand: m.boolean('tautBand'), triggerPoint: m.boolean('triggerPoint'), localPain: m.boolean('localPain'), referredPain: m.boolean('referredPain') });
    return {
      muscle: need(m.coding('muscle')?.code, `muscle ${i} id`),
      side: need(side(m.code('side')), `muscle ${i} side`),
      depth: need(m.code('depth'), `muscle ${i} depth`) as NeedledMuscle['depth'],
      technique: need(m.code('technique'), `muscle ${i} technique`) as NeedledMuscle['technique'],
      needles: need(m.integer('needles'), `muscle ${i} needles`),
      retentionSeconds: need(m.integer('retentionSeconds'), `muscle ${i} retention`),
      twitch: { elicited: need(m.boolean('twitchElicited'), `muscle ${i} twitch`), ...(count !== undefined ? { count } : {}) },
      ...(precaution !== undefined ? { precaution } : {}),
      ...(notes !== undefined ? { notes } : {}),
      ...(Object.keys(exam).length ? { exam } : {}),
    };
  });
}

function estim(procedure: Procedure): Estim | undefined {
  const e = ExtensionReader.of(procedure.extension, EXT.estim);
  if (!e) return undefined;
  const optional = {
    attended: e.boolean('attended'),
    minutes: e.decimal('minutes'),
    frequencyHz: e.decimal('frequencyHz'),
    waveform: e.string('waveform'),
    intensity: e.string('intensity'),
    justification: e.string('justification'),
  };
  const stimulated = e.children('muscle').map((m) => ({ muscle: need(m.coding('muscle')?.code, 'e-stim muscle'), side: need(side(m.code('side')), 'e-stim side') }));
  return {
    applied: need(e.boolean('applied'), 'e-stim applied'),
    ...withoutUndefined(optional),
    ...(stimulated.length ? { muscles: stimulated } : {}),
  };
}

function adverseEvents(procedure: Procedure): AdverseEvent[] | undefined {
  const recorded = procedure.extension?.some((e) => e.url === EXT.adverseEventsRecorded && e.valueBoolean === true);
  if (!recorded) return undefined;
  return (procedure.complication ?? []).map((c) => {
    const d = ExtensionReader.of(c.extension, EXT.adverseEventDetail);
    const muscle = d?.coding('muscle')?.code;
    const eventSide = side(d?.code('side'));
    return {
      type: need(c.text, 'adverse event type'),
      severity: need(d?.code('severity'), 'adverse event severity') as AdverseEvent['severity'],
      ...(muscle ? { muscle } : {}),
      ...(eventSide ? { side: eventSide } : {}),
    };
  });
}

function outcomes(observations: readonly Observation[], profiles: Profiles): Outcomes | undefined {
  const live = observations.filter((o) => o.status !== 'entered-in-error' && o.status !== 'cancelled');
  const painCode = profiles.files.outcomeMeasures.pain.code;
  const romCode = profiles.files.outcomeMeasures.rom.code;
  const result: Outcomes = {};
  const identifierOrder = (o: Observation): number => Number(/-(\d+)$/.exec(o.identifier?.[0]?.value ?? '')?.[1] ?? 0);
  for (const o of live) {
    if (!o.code.coding?.some((c) => c.code === painCode)) continue;
    const timing = o.extension?.find((e) => e.url === EXT.outcomeTiming)?.valueCode;
    const value = scoreOf(o);
    if (timing === 'pre' && value !== undefined) result.painPre = value;
    if (timing === 'post' && value !== undefined) result.painPost = value;
  }
  const rom = live.filter((o) => o.code.coding?.some((c) => c.code === romCode)).sort((a, b) => identifierOrder(a) - identifierOrder(b));
  if (rom.length) {
    result.rom = rom.map((o) => {
      const quantity = (code: string) => o.component?.find((c) => c.code.coding?.some((x) => x.code === code))?.valueQuantity;
      const pre = quantity('rom-pre');
      const romSide = laterality(o.bodySite?.extension);
      return {
        movement: need(o.code.text, 'ROM movement'),
        ...(romSide ? { side: romSide } : {}),
        unit: romUnitOfQuantity(pre),
        pre: need(pre?.value, 'ROM rom-pre'),
        post: need(quantity('rom-post')?.value, 'ROM rom-post'),
      };
    });
  }
  const instruments = [...profiles.instruments.values()];
  const measures = live
    .filter((o) => o.valueQuantity && !o.code.coding?.some((c) => c.code === romCode || c.code === painCode))
    .sort((a, b) => identifierOrder(a) - identifierOrder(b))
    .map((o) => {
      const instrument = instruments.find((i) => o.code.coding?.some((c) => c.system === i.coding.system && c.code === i.coding.code));
      return { instrument: instrument?.id ?? need(o.code.text, 'instrument'), score: need(o.valueQuantity?.value, 'instrument score'), ...answersFromComponents(o, instrument, profiles.files.outcomeMeasures.localSystem) };
    });
  if (measures.length) result.measures = measures;
  return Object.keys(result).length ? result : undefined;
}

/**
 * Rebuilds the session from the Procedure and Observations NeedleChart wrote: the reverse of
 * toProcedure/toObservations, used for copy-forward and export. Throws NotANeedleChartVisit for a
 * Procedure written by something else.
 */
export function toSession(procedure: Procedure, observations: readonly Observation[], profiles: Profiles): Session {
  const performer = procedure.performer?.[0];
  const credential = ExtensionReader.of(performer?.extension, EXT.performerCredential);
  const needle = need(ExtensionReader.of(procedure.extension, EXT.needle), 'needle');
  const consent = need(ExtensionReader.of(procedure.extension, EXT.consent), 'consent');
  const screening = need(ExtensionReader.of(procedure.extension, EXT.screening), 'screening');
  const billing = need(ExtensionReader.of(procedure.extension, EXT.billing), 'billing');
  const state = credential?.code('state');
  const identifier = performer?.actor.identifier;
  const npi = identifier?.system === NPI_SYSTEM ? identifier.value : undefined;
  const countVerified = needle.boolean('countVerified');
  const written = consent.boolean('written');
  const diagnoses: Diagnosis[] = (procedure.reasonCode ?? []).flatMap((r) => r.coding?.filter((c) => c.system === ICD10CM).map((c) => ({ system: ICD10CM, code: c.code ?? '', display: c.display ?? r.text ?? '' })) ?? []);
  const e = estim(procedure);
  const o = outcomes(observations, profiles);
  const events = adverseEvents(procedure);
  const response = procedure.outcome?.text;
  const plan = procedure.followUp?.[0]?.text;
  return {
    date: need(procedure.performedDateTime, 'performedDateTime'),
    performer: {
      reference: need(performer?.actor.reference, 'performer'),
      display: performer?.actor.display ?? '',
      dryNeedlingCertified: credential?.boolean('dryNeedlingCertified') ?? false,
      ...(state ? { state } : {}),
      ...(npi ? { npi } : {}),
    },
    payer: need(billing.code('payer'), 'payer'),
    billing: need(billing.code('mode'), 'billing mode') as Session['billing'],
    diagnoses,
    consent: { obtained: need(consent.boolean('obtained'), 'consent'), investigationalStatusDisclosed: consent.boolean('investigationalStatusDisclosed') ?? false, ...(written !== undefined ? { written } : {}) },
    screening: { contraindications: screening.strings('contraindication'), precautions: screening.strings('precaution'), cleared: need(screening.boolean('cleared'), 'screening result') },
    needle: {
      type: need(needle.string('type'), 'needle type'),
      diameterMm: need(needle.decimal('diameterMm'), 'needle diameter'),
      lengthMm: need(needle.decimal('lengthMm'), 'needle length'),
      ...(countVerified !== undefined ? { countVerified } : {}),
    },
    muscles: muscles(procedure),
    ...(e ? { estim: e } : {}),
    ...(o ? { outcomes: o } : {}),
    ...(events ? { adverseEvents: events } : {}),
    ...(response !== undefined ? { response } : {}),
    ...(plan !== undefined ? { plan } : {}),
    ...recordFromExtensions(procedure.extension),
  };
}
