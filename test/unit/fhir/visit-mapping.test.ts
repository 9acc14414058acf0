import type { Bundle, DocumentReference, Observation, Procedure, Provenance } from 'fhir/r4.js';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../../src/domain/types.generated.js';
import { createR4SchemaValidator, type R4SchemaValidator } from '../../../src/fhir/r4-schema-validator.js';
import { EXT, LOINC, VISIT_ID_SYSTEM } from '../../../src/fhir/systems.js';
import type { ExistingVisit } from '../../../src/fhir/visit-bundle.js';
import { visitKey } from '../../../src/fhir/visit-context.js';
import { NotANeedleChartVisit, toSession } from '../../../src/fhir/visit-to-session.js';
import type { Core } from '../../../src/service/core.js';
import { analyseSession, visitTransactionFor } from '../../../src/service/preview-session.js';
import { completeSession, exampleSessions, exampleSession, fullSession, muscle, testCore } from '../../support/fixtures.js';

let core: Core;
let r4: R4SchemaValidator;
beforeAll(async () => {
  core = await testCore();
  r4 = createR4SchemaValidator();
});

const TARGET = { patient: 'Patient/p-1', encounter: 'Encounter/e-1' };
const NOW = '2026-11-20T20:00:00.000Z';

function bundleFor(session: Session, existing?: ExistingVisit): Bundle {
  return visitTransactionFor(core, analyseSession(session, core), TARGET, NOW, existing ? { existing } : {});
}

const resources = <T>(bundle: Bundle, type: string): T[] => (bundle.entry ?? []).map((e) => e.resource).filter((r) => r?.resourceType === type) as T[];


describe('session → transaction bundle → session', () => {
  it.each([
    ['a session with every optional field', fullSession],
    ['the shared example', exampleSession],
    ['a minimal session (no e-stim, no outcomes, adverse events not recorded, no response or plan)', () => completeSession({ outcomes: undefined, adverseEvents: undefined, response: undefined, plan: undefined, estim: undefined })],
    ['e-stim recorded as not applied', () => completeSession({ estim: { applied: false } })],
  ])('when %s is written and read back, then every field survives', (_label, build) => {
    const session = build();
    const bundle = bundleFor(session);
    const [procedure] = resources<Procedure>(bundle, 'Procedure');
    expect(procedure).toBeDefined();
    expect(toSession(procedure as Procedure, resources<Observation>(bundle, 'Observation'), core.profiles)).toEqual(session);
  });

  it('when pain was written the earlier way (valueInteger, before US Core survey scores), then it still reads back', () => {
    const session = completeSession();
    const bundle = bundleFor(session);
    const [procedure] = resources<Procedure>(bundle, 'Procedure');
    const legacy = resources<Observation>(bundle, 'Observation').map((o) => (o.code.coding?.[0]?.code === '72514-3' ? (({ valueQuantity, ...rest }) => ({ ...rest, valueInteger: valueQuantity?.value }))(o) : o));
    expect(legacy.filter((o) => o.valueInteger !== undefined)).toHaveLength(2);
    expect(toSession(procedure as Procedure, legacy, core.profiles).outcomes).toMatchObject({ painPre: 6, painPost: 3 });
  });

  it('when mouth opening is recorded in mm, then its Observation carries UCUM mm (a neck angle UCUM deg) and both read back in their unit', () => {
    const session = completeSession({ outcomes: { rom: [{ movement: 'Mouth opening', unit: 'mm', pre: 28, post: 36.5 }, { movement: 'Cervical rotation', side: 'left', unit: 'degrees', pre: 55, post: 70 }] } });
    const bundle = bundleFor(session);
    const rom = resources<Observation>(bundle, 'Observation').filter((o) => o.code.coding?.some((c) => c.code === 'rom'));
    expect(rom.map((o) => o.component?.map((c) => [c.valueQuantity?.value, c.valueQuantity?.system, c.valueQuantity?.code, c.valueQuantity?.unit]))).toEqual([
      [[28, 'http://unitsofmeasure.org', 'mm', 'mm'], [36.5, 'http://unitsofmeasure.org', 'mm', 'mm']],
      [[55, 'http://unitsofmeasure.org', 'deg', 'deg'], [70, 'http://unitsofmeasure.org', 'deg', 'deg']],
    ]);
    const [procedure] = resources<Procedure>(bundle, 'Procedure');
    expect(toSession(procedure as Procedure, resources<Observation>(bundle, 'Observation'), core.profiles).outcomes?.rom).toEqual(session.outcomes?.rom);
  });

  it('when a range-of-motion Observation stored before units were recorded (deg components) is read, then it reads back in degrees', () => {
    const stored: Observation = {
      resourceType: 'Observation', status: 'final', identifier: [{ system: VISIT_ID_SYSTEM, value: 'k/rom-1' }],
      code: { coding: [{ system: 'https://needlechart.dev/fhir/CodeSystem/outcome-measure', code: 'rom', display: 'Active range of motion (degrees)' }], text: 'cervical rotation' },
      component: [
        { code: { coding: [{ system: 'https://needlechart.dev/fhir/CodeSystem/outcome-measure', code: 'rom-pre' }] }, valueQuantity: { value: 50, unit: 'deg', system: 'http://unitsofmeasure.org', code: 'deg' } },
        { code: { coding: [{ system: 'https://needlechart.dev/fhir/CodeSystem/outcome-measure', code: 'rom-post' }] }, valueQuantity: { value: 62, unit: 'deg', system: 'http://unitsofmeasure.org', code: 'deg' } },
      ],
    };
    const [procedure] = resources<Procedure>(bundleFor(completeSession()), 'Procedure');
    expect(toSession(procedure as Procedure, [stored], core.profiles).outcomes?.rom).toEqual([{ movement: 'cervical rotation', unit: 'degrees', pre: 50, post: 62 }]);
  });

  it('when a questionnaire is recorded item by item, then each answer is a component with NeedleChart’s own item code (no LOINC item code), an unanswered item a data-absent reason, and all read back exactly', () => {
    const session = completeSession({
      outcomes: {
        measures: [
          { instrument: 'ODI', score: 35.6, answers: [2, 2, 1, 2, 1, 2, 2, 2, 2, null] },
          { instrument: 'PSFS', score: 4.7, answers: [3, 5, 6], activities: ['Lifting my grandson', 'Sitting through a film', 'Gardening'] },
          { instrument: 'NDI', score: 12 },
        ],
      },
    });
    const bundle = bundleFor(session);
    const measures = resources<Observation>(bundle, 'Observation').filter((o) => o.identifier?.[0]?.value?.includes('/measure-'));
    const [odi, psfs, ndi] = measures;
    expect(odi?.component).toHaveLength(10);
    expect(odi?.component?.[0]).toEqual({
      code: { coding: [{ system: 'https://needlechart.dev/fhir/CodeSystem/outcome-measure', code: 'item-1', display: 'Questionnaire item 1 answer' }], text: 'Pain intensity' },
      valueQuantity: { value: 2, unit: '{score}', system: 'http://unitsofmeasure.org', code: '{score}' },
    });
    expect(odi?.component?.[9]?.dataAbsentReason?.coding?.[0]?.code).toBe('unknown');
    expect(odi?.component?.[9]?.valueQuantity).toBeUndefined();
    expect(measures.flatMap((o) => o.component ?? []).flatMap((c) => c.code.coding ?? []).some((c) => c.system === LOINC)).toBe(false);
    expect(psfs?.component?.map((c) => c.code.text)).toEqual(['Lifting my grandson', 'Sitting through a film', 'Gardening']);
    expect(ndi?.component).toBeUndefined();
    const [procedure] = resources<Procedure>(bundle, 'Procedure');
    expect(toSession(procedure as Procedure, resources<Observation>(bundle, 'Observation'), core.profiles).outcomes?.measures).toEqual(session.outcomes?.measures);
  });

  it('when a Procedure was not written by NeedleChart, then reading it back says so', () => {
    const foreign: Procedure = { resourceType: 'Procedure', status: 'completed', subject: { reference: 'Patient/p-1' } };
    expect(() => toSession(foreign, [], core.profiles)).toThrow(NotANeedleChartVisit);
  });
});

describe('what the bundle carries', () => {
  it('when a first save is mapped, then it is one transaction: Procedure, Observations, DocumentReference, Provenance, each conditional on its identifier', () => {
    const bundle = bundleFor(fullSession());
    expect(bundle.type).toBe('transaction');
    const types = (bundle.entry ?? []).map((e) => e.resource?.resourceType);
    expect(types).toEqual(['Procedure', ...Array<string>(9).fill('Observation'), 'DocumentReference', 'Provenance']);
    for (const entry of bundle.entry ?? []) {
      expect(entry.fullUrl).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
      expect(entry.request?.ifNoneExist).toMatch(entry.resource?.resourceType === 'Provenance' ? /^_tag=/ : /^identifier=/);
    }
  });

  it('when the same session is mapped twice, then identifiers and placeholders are identical (a retry is the same write)', () => {
    const a = bundleFor(exampleSession());
    const b = bundleFor(exampleSession());
    expect(a).toEqual(b);
    expect(resources<Procedure>(a, 'Procedure')[0]?.identifier).toEqual([{ system: VISIT_ID_SYSTEM, value: visitKey(exampleSession(), TARGET) }]);
  });

  it('when the Procedure is mapped, then it carries CPT, the local dry-needling code, reasons, body sites with laterality and links', () => {
    const procedure = resources<Procedure>(bundleFor(exampleSession()), 'Procedure')[0] as Procedure;
    expect(procedure.code?.coding?.map((c) => c.code)).toEqual(['20561', 'dry-needling']);
    expect(procedure.subject.reference).toBe('Patient/p-1');
    expect(procedure.encounter?.reference).toBe('Encounter/e-1');
    expect(procedure.reasonCode?.map((r) => r.coding?.[0]?.code)).toEqual(['M79.12', 'M54.2']);
    expect(procedure.bodySite?.map((b) => b.text)).toEqual(['Upper trapezius, left', 'Upper trapezius, right', 'Levator scapulae, left', 'Splenius capitis, left']);
    expect(procedure.bodySite?.[1]?.extension?.[0]).toEqual({ url: EXT.laterality, valueCoding: { system: 'http://snomed.info/sct', code: '24028007', display: 'Right' } });
    expect(procedure.complication?.[0]?.text).toBe('bruising');
  });

  it('when gluteus medius is needled, then its body site also carries the verified SNOMED CT code 78333006', () => {
    const procedure = resources<Procedure>(bundleFor(completeSession({ muscles: [muscle('gluteus-medius', 'left')] })), 'Procedure')[0] as Procedure;
    expect(procedure.bodySite?.[0]?.coding?.map((c) => c.code)).toEqual(['gluteus-medius', '78333006']);
  });

  it('when outcomes are mapped, then pain is LOINC 72514-3 (before and after) and the NDI total is LOINC 82237-9', () => {
    const observations = resources<Observation>(bundleFor(exampleSession()), 'Observation');
    const pain = observations.filter((o) => o.code.coding?.[0]?.code === '72514-3');
    expect(pain.map((o) => [o.extension?.[0]?.valueCode, o.valueQuantity])).toEqual([['pre', { value: 7, unit: '{score}', system: 'http://unitsofmeasure.org', code: '{score}' }], ['post', { value: 4, unit: '{score}', system: 'http://unitsofmeasure.org', code: '{score}' }]]);
    expect(observations.find((o) => o.code.coding?.[0]?.system === LOINC && o.code.coding[0].code === '82237-9')?.valueQuantity?.value).toBe(38);
    for (const o of observations) expect(o.partOf?.[0]?.reference).toMatch(/^urn:uuid:/);
  });

  it('when the note is mapped, then the DocumentReference is a progress note with the HTML and text attached, related to the Procedure', () => {
    const bundle = bundleFor(exampleSession());
    const doc = resources<DocumentReference>(bundle, 'DocumentReference')[0] as DocumentReference;
    expect(doc.type?.coding?.[0]?.code).toBe('11506-3');
    expect(doc.category?.[0]?.coding?.[0]?.code).toBe('clinical-note');
    expect(doc.content.map((c) => c.attachment.contentType)).toEqual(['text/html', 'text/plain']);
    expect(Buffer.from(doc.content[0]?.attachment.data ?? '', 'base64').toString('utf8')).toContain('<article class="nc-note');
    expect(doc.context?.related?.[0]?.reference).toBe(bundle.entry?.[0]?.fullUrl);
  });

  it('when provenance is mapped, then it targets every written resource, declares US Core, names the author and NeedleChart as a versioned transmitter', () => {
    const bundle = bundleFor(exampleSession());
    const provenance = resources<Provenance>(bundle, 'Provenance')[0] as Provenance;
    const written = (bundle.entry ?? []).filter((e) => e.resource?.resourceType !== 'Provenance').map((e) => e.fullUrl);
    expect(provenance.target.map((t) => t.reference)).toEqual(written);
    expect(provenance.meta?.profile).toEqual(['http://hl7.org/fhir/us/core/StructureDefinition/us-core-provenance']);
    expect(provenance.agent.map((a) => [a.type?.coding?.[0]?.system, a.type?.coding?.[0]?.code])).toEqual([
      ['http://terminology.hl7.org/CodeSystem/provenance-participant-type', 'author'],
      ['http://hl7.org/fhir/us/core/CodeSystem/us-core-provenance-participant-type', 'transmitter'],
    ]);
    expect(provenance.agent[0]?.who.reference).toBe(exampleSession().performer.reference);
    expect(provenance.contained?.[0]).toMatchObject({ resourceType: 'Device', version: [{ value: core.version }] });
    // provenance-1: no organization known, so no onBehalfOf at all (never a practitioner there).
    expect(provenance.agent.map((a) => a.onBehalfOf)).toEqual([undefined, undefined]);
  });

  it('when the write names the clinic and a signed-in author, then both agents act on behalf of the clinic and the author is the signed-in clinician with the NPI', () => {
    const author = { reference: 'Practitioner/pt-chen', display: 'Sam Chen, PT', npi: '1987654328' };
    const bundle = visitTransactionFor(core, analyseSession(completeSession(), core), TARGET, NOW, { author, organization: 'Organization/org-harbor-pt' });
    const provenance = resources<Provenance>(bundle, 'Provenance')[0] as Provenance;
    expect(provenance.agent[0]?.who).toEqual({ reference: 'Practitioner/pt-chen', display: 'Sam Chen, PT', identifier: { system: 'http://hl7.org/fhir/sid/us-npi', value: '1987654328' } });
    expect(provenance.agent.map((a) => a.onBehalfOf?.reference)).toEqual(['Organization/org-harbor-pt', 'Organization/org-harbor-pt']);
    expect(resources<DocumentReference>(bundle, 'DocumentReference')[0]?.author?.[0]?.reference).toBe('Practitioner/pt-chen');
    expect(resources<Procedure>(bundle, 'Procedure')[0]?.performer?.[0]?.actor.reference).toBe('Practitioner/pt-rivera');
  });
});

describe('visit identity', () => {
  it('when only the time of a visit differs, then its key is the same; another performer or encounter is another visit', () => {
    const key = visitKey(completeSession(), TARGET);
    expect(visitKey(completeSession({ date: '2026-11-20T11:45:00-05:00' }), TARGET)).toBe(key);
    expect(visitKey(completeSession({ performer: { reference: 'Practitioner/pt-chen', display: 'Sam Chen, PT', dryNeedlingCertified: true } }), TARGET)).not.toBe(key);
    expect(visitKey(completeSession(), { ...TARGET, encounter: 'Encounter/e-2' })).not.toBe(key);
  });
});

describe('amendments', () => {
  it('when a saved visit is amended, then existing resources are updated with If-Match, dropped ones retracted, and the note replaced', () => {
    const first = bundleFor(fullSession());
    const stored = (type: string, i: number) => ({ ...(resources<Procedure & Observation & DocumentReference>(first, type)[i] as unknown as object), id: `${type}-${i}`, meta: { versionId: '1' } });
    const existing: ExistingVisit = {
      procedure: stored('Procedure', 0) as ExistingVisit['procedure'],
      baseVersion: '1',
      observations: [0, 1, 2, 3, 4, 5, 6, 7].map((i) => stored('Observation', i)) as unknown as ExistingVisit['observations'],
      document: stored('DocumentReference', 0) as ExistingVisit['document'],
    };
    const changed = { ...fullSession(), outcomes: { painPre: 7, painPost: 2 } };
    const amend = bundleFor(changed, existing);
    const requests = (amend.entry ?? []).map((e) => `${e.request?.method} ${e.request?.url} ${e.request?.ifMatch ?? (e.request?.ifNoneExist ? `${e.request.ifNoneExist.split('=')[0]}=` : '')}`.trim());
    expect(requests).toEqual([
      'PUT Procedure/Procedure-0 W/"1"',
      'PUT Observation/Observation-0 W/"1"',
      'PUT Observation/Observation-1 W/"1"',
      'PUT Observation/Observation-2 W/"1"',
      'PUT Observation/Observation-3 W/"1"',
      'PUT Observation/Observation-4 W/"1"',
      'PUT Observation/Observation-5 W/"1"',
      'PUT Observation/Observation-6 W/"1"',
      'PUT Observation/Observation-7 W/"1"',
      'POST DocumentReference identifier=',
      'PUT DocumentReference/DocumentReference-0 W/"1"',
      'POST Provenance _tag=',
    ]);
    const retracted = resources<Observation>(amend, 'Observation').filter((o) => o.status === 'entered-in-error');
    expect(retracted).toHaveLength(6);
    const docs = resources<DocumentReference>(amend, 'DocumentReference');
    expect(docs[0]?.relatesTo).toEqual([{ code: 'replaces', target: { reference: 'DocumentReference/DocumentReference-0' } }]);
    expect(docs[1]?.status).toBe('superseded');
    // The new note and the Provenance are keyed on the version amended: a resend finds them, the next amendment adds its own.
    expect(docs[0]?.identifier?.[0]?.value).toMatch(/\/note-[0-9a-f]{16}\/amends-1$/);
    expect(docs[0]?.identifier?.[0]?.value).not.toBe(docs[1]?.identifier?.[0]?.value);
    const provenance = resources<Provenance>(amend, 'Provenance')[0];
    expect(provenance?.meta?.tag?.[0]?.code).toMatch(/\/provenance-amends-1$/);
    expect(provenance?.meta?.tag?.[0]?.code).not.toBe(resources<Provenance>(first, 'Provenance')[0]?.meta?.tag?.[0]?.code);
  });
});

describe('R4 validity', () => {
  it('when every shared example and the full session are mapped, then every resource passes the official R4 JSON Schema', () => {
    const sessions = [fullSession(), ...exampleSessions().map((e) => e.session)];
    for (const session of sessions) {
      const bundle = bundleFor(session);
      const { entry, ...shell } = bundle;
      expect(r4.validate({ ...shell, entry: entry?.map(({ resource: _r, ...e }) => e) })).toEqual([]);
      (entry ?? []).forEach((e, i) => expect(r4.validate(e.resource, `entry[${i}]`)).toEqual([]));
    }
  });

  it('when free text holds Unicode spaces FHIR strings forbid (found by fuzzing), then they are written as plain spaces and stay valid R4', () => {
    const session = completeSession({ plan: 'Plan\u00a0with\u2028odd\u3000spaces', muscles: [muscle('masseter', 'left', { notes: '\u00a0!' })] });
    const bundle = bundleFor(session);
    (bundle.entry ?? []).forEach((e, i) => expect(r4.validate(e.resource, `entry[${i}]`)).toEqual([]));
    expect(resources<Procedure>(bundle, 'Procedure')[0]?.followUp?.[0]?.text).toBe('Plan with odd spaces');
  });

  it('when a resource breaks R4, then the validator names the field', () => {
    expect(r4.validate({ resourceType: 'Observation', status: 'done', code: { text: 'x' } })).toEqual([
      { path: 'status', message: 'status must be registered, preliminary, final, amended, corrected, cancelled, entered-in-error or unknown' },
    ]);
  });
});
