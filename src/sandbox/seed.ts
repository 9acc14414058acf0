import type { Resource } from '@medplum/fhirtypes';
import type { Session } from '../domain/types.generated.js';
import { CLINICAL_NOTE_CATEGORY, DRY_NEEDLING_QUALIFICATION, NPI_SYSTEM, NUCC_TAXONOMY, PAYER_POLICY_SYSTEM, PLAN_NET_QUALIFICATION, QUALIFICATION_SYSTEM, USPS_STATE } from '../fhir/systems.js';
import type { Core } from '../service/core.js';
import { analyseSession, visitTransactionFor } from '../service/preview-session.js';
import { practitionerReference } from '../fhir/practitioner-reference.js';
import type { SandboxEngine } from './fhir-endpoint.js';
import { SEED_COMPLIANCE_OFFICER, SEED_ORGANIZATION, SEED_PATIENTS, SEED_PAYERS, SEED_PRACTITIONER_ROLES, SEED_PRACTITIONERS, type SeedPatient } from './seed-data.js';

const OFFSET = '-07:00';
const DAY_MS = 86_400_000;

/** The visit's clock time in the clinic's offset, `days` before `today`. */
function visitDate(today: Date, daysBefore: number): string {
  const d = new Date(today.getTime() - daysBefore * DAY_MS);
  return `${d.toISOString().slice(0, 10)}T09:30:00${OFFSET}`;
}

/**
 * When today's open encounter started: a quarter of an hour ago, in the clinic's offset, so a visit
 * charted now falls on the encounter's day (a save checks that) whatever the hour.
 */
function openEncounterStart(today: Date): string {
  const local = new Date(today.getTime() - 15 * 60_000 - 7 * 3_600_000);
  return `${local.toISOString().slice(0, 19)}${OFFSET}`;
}

export const encounterId = (patient: SeedPatient, visit: number): string => `e-${patient.id.slice(2)}-${visit}`;

/** One prior visit of the course: the same muscles each week, pain and scores improving. */
function priorSession(p: SeedPatient, visit: number, date: string): Session {
  const practitioner = SEED_PRACTITIONERS[0];
  const payer = SEED_PAYERS.find((x) => x.id === p.payer);
  const painPre = Math.max(1, p.painStart - (visit - 1));
  const investigational = payer?.policy === 'commercial-investigational';
  return {
    date,
    performer: { reference: `Practitioner/${practitioner.id}`, display: `${practitioner.given} ${practitioner.family}, ${practitioner.suffix}`, dryNeedlingCertified: practitioner.certified, state: practitioner.state, npi: practitioner.npi },
    payer: payer?.policy ?? 'commercial-covered',
    billing: investigational ? 'self-pay' : 'bill-payer',
    // A Medicare patient is given the voluntary ABN before each needling visit: GX rests on it (issue 13).
    ...(payer?.policy === 'medicare' ? { abn: { issuedOn: date.slice(0, 10), option: 1 as const } } : {}),
    diagnoses: [...p.diagnoses],
    consent: { obtained: true, investigationalStatusDisclosed: investigational, written: true },
    screening: { contraindications: [], precautions: [], cleared: true },
    needle: { type: 'solid filiform', diameterMm: 0.25, lengthMm: 40, countVerified: true },
    muscles: [...p.muscles],
    ...(p.estim ? { estim: p.estim } : {}),
    outcomes: {
      painPre,
      painPost: Math.max(0, painPre - 3),
      ...(p.rom ? { rom: [{ movement: p.rom.movement, ...(p.rom.side ? { side: p.rom.side } : {}), unit: p.rom.unit ?? 'degrees', pre: p.rom.start + p.rom.step * (visit - 1), post: p.rom.start + p.rom.step * visit }] } : {}),
      ...(p.instrument ? { measures: [{ instrument: p.instrument.id, score: p.instrument.start + p.instrument.step * (visit - 1) }] } : {}),
    },
    adverseEvents: visit === 1 ? [{ type: 'post-needling soreness', severity: 'mild' }] : [],
    response: visit === 1 ? 'Soreness for a day, then easier movement.' : 'Tolerated well; reports steady improvement since last visit.',
    plan: 'Continue dry needling weekly within the plan of care, with home stretching.',
  };
}

/** The compliance officer and their PractitionerRole at the clinic (what NEEDLECHART_COMPLIANCE_ROLE is checked against). */
function complianceOfficer(): Resource[] {
  const o = SEED_COMPLIANCE_OFFICER;
  return [
    { resourceType: 'Practitioner', id: o.id, active: true, name: [{ given: [o.given], family: o.family }] },
    { resourceType: 'PractitionerRole', id: `role-${o.id}`, active: true, practitioner: { reference: `Practitioner/${o.id}`, display: `${o.given} ${o.family}` }, organization: { reference: `Organization/${SEED_ORGANIZATION.id}` }, code: [{ coding: [{ ...o.role }], text: o.role.display }] },
  ];
}

/** Where a licence or certificate is valid (Plan-Net practitioner-qualification extension). */
function whereValid(state: string) {
  return { url: PLAN_NET_QUALIFICATION, extension: [{ url: 'status', valueCode: 'active' }, { url: 'whereValid', valueCodeableConcept: { coding: [{ system: USPS_STATE, code: state }] } }] };
}

const LOINC = 'http://loinc.org';

/**
 * The documents a clinic's chart holds beside the visit notes, which a payer's record request asks
 * for: the plan of care (LOINC 18776-5 Plan of care note) and the signed consent to dry needling
 * (LOINC 59284-0 Consent Document), both confirmed in the C-CDA on FHIR and Consent Management value
 * sets; and, for a Medicare patient, the Advance Beneficiary Notice, for which no LOINC document code
 * was confirmed, so it is typed by its title only.
 */
function chartDocuments(p: SeedPatient, today: Date): Resource[] {
  const start = visitDate(today, 7 * (p.priorVisits + 1));
  const medicare = SEED_PAYERS.find((x) => x.id === p.payer)?.policy === 'medicare';
  const doc = (key: string, type: { coding?: { system: string; code: string; display: string }[]; text: string }, text: string): Resource => ({
    resourceType: 'DocumentReference', id: `doc-${p.id.slice(2)}-${key}`, status: 'current', docStatus: 'final',
    type, category: [{ coding: [{ ...CLINICAL_NOTE_CATEGORY }] }], subject: { reference: `Patient/${p.id}` }, date: start,
    author: [{ reference: `Practitioner/${SEED_PRACTITIONERS[0].id}`, display: `${SEED_PRACTITIONERS[0].given} ${SEED_PRACTITIONERS[0].family}, ${SEED_PRACTITIONERS[0].suffix}` }],
    description: type.text,
    content: [{ attachment: { contentType: 'text/plain', title: type.text, data: Buffer.from(text).toString('base64') } }],
  });
  const name = `${p.given} ${p.family}`;
  return [
    doc('plan-of-care', { coding: [{ system: LOINC, code: '18776-5', display: 'Plan of care note' }], text: 'Plan of care' },
      `Plan of care for ${name}.\nDiagnoses: ${p.diagnoses.map((d) => `${d.display} (${d.code})`).join('; ')}.\nGoals: reduce pain by half and restore function within 8 weeks.\nInterventions: dry needling of trigger points weekly, therapeutic exercise, home stretching.\nFrequency and duration: once a week for 8 weeks.\nCertified by the referring physician.`),
    doc('consent', { coding: [{ system: LOINC, code: '59284-0', display: 'Consent Document' }], text: 'Consent to dry needling' },
      `${name} was told the purpose, risks (including bruising, soreness and, near the chest, collapsed lung), benefits and alternatives of dry needling, asked questions, and agreed in writing to treatment.`),
    ...(medicare ? [doc('abn', { text: 'Advance Beneficiary Notice of Noncoverage (ABN)' }, `${name} was given an Advance Beneficiary Notice before dry needling: Medicare is not expected to pay for dry needling of trigger points. Option chosen: option 1, bill Medicare for a decision and the patient pays if Medicare does not.`)] : []),
  ];
}

function chartResources(today: Date): Resource[] {
  const resources: Resource[] = [
    {
      resourceType: 'Organization', id: SEED_ORGANIZATION.id, active: true, name: SEED_ORGANIZATION.name,
      identifier: [{ system: NPI_SYSTEM, value: SEED_ORGANIZATION.npi }],
      address: [{ use: 'work', line: [...SEED_ORGANIZATION.address.line], city: SEED_ORGANIZATION.address.city, state: SEED_ORGANIZATION.address.state, postalCode: SEED_ORGANIZATION.address.postalCode }],
      type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/organization-type', code: 'prov', display: 'Healthcare Provider' }] }] },
    ...SEED_PAYERS.map((p): Resource => ({ resourceType: 'Organization', id: p.id, active: true, name: p.name, identifier: [{ system: PAYER_POLICY_SYSTEM, value: p.policy }], type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/organization-type', code: 'pay', display: 'Payer' }] }] })),
    ...SEED_PRACTITIONERS.map((p): Resource => ({
      resourceType: 'Practitioner', id: p.id, active: true,
      identifier: [{ system: NPI_SYSTEM, value: p.npi }],
      name: [{ use: 'official', given: [p.given], family: p.family, suffix: p.suffix.split(', ') }],
      qualification: [
        { extension: [whereValid(p.state)], code: { coding: [{ system: NUCC_TAXONOMY, code: '225100000X', display: 'Physical Therapist' }], text: 'Physical therapist licence' } },
        ...(p.certified ? [{ extension: [whereValid(p.state)], code: { coding: [{ system: QUALIFICATION_SYSTEM, code: DRY_NEEDLING_QUALIFICATION, display: 'Dry needling' }], text: 'Certified in dry needling' } }] : []),
      ],
    })),
    ...SEED_PRACTITIONER_ROLES.map((r): Resource => ({
      resourceType: 'PractitionerRole', id: r.id, active: true,
      practitioner: { reference: `Practitioner/${r.practitioner}` }, organization: { reference: `Organization/${SEED_ORGANIZATION.id}`, display: SEED_ORGANIZATION.name },
      code: [{ coding: [{ system: NUCC_TAXONOMY, code: '225100000X', display: 'Physical Therapist' }] }],
    })),
    ...complianceOfficer(),
  ];
  for (const p of SEED_PATIENTS) {
    const patient = `Patient/${p.id}`;
    resources.push(
      { resourceType: 'Patient', id: p.id, active: true, identifier: [{ use: 'usual', type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR', display: 'Medical record number' }], text: 'MRN' }, system: 'https://needlechart.dev/fhir/sandbox/mrn', value: `MRN-${p.id.slice(2).toUpperCase()}` }], name: [{ given: [p.given], family: p.family }], gender: p.gender, birthDate: p.birthDate, managingOrganization: { reference: `Organization/${SEED_ORGANIZATION.id}` } },
      { resourceType: 'Coverage', id: `cov-${p.id.slice(2)}`, status: 'active', beneficiary: { reference: patient }, subscriberId: `SUB-${p.id.slice(2).toUpperCase()}`, payor: [{ reference: `Organization/${p.payer}`, identifier: { system: PAYER_POLICY_SYSTEM, value: SEED_PAYERS.find((x) => x.id === p.payer)?.policy }, display: SEED_PAYERS.find((x) => x.id === p.payer)?.name }] },
      ...p.diagnoses.map((d, i): Resource => ({
        resourceType: 'Condition', id: `cond-${p.id.slice(2)}-${i + 1}`, subject: { reference: patient },
        clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
        verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }] },
        category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item', display: 'Problem List Item' }] }],
        code: { coding: [{ ...d }], text: d.display },
        onsetDateTime: visitDate(today, 7 * (p.priorVisits + 2)),
      })),
      ...chartDocuments(p, today),
    );
    for (let visit = 1; visit <= p.priorVisits + 1; visit++) {
      const today_ = visit === p.priorVisits + 1;
      const start = today_ ? openEncounterStart(today) : visitDate(today, 7 * (p.priorVisits + 1 - visit));
      resources.push({
        resourceType: 'Encounter', id: encounterId(p, visit), status: today_ ? 'in-progress' : 'finished',
        class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' },
        type: [{ text: 'Physical therapy visit' }],
        subject: { reference: patient },
        participant: [{ individual: { reference: `Practitioner/${SEED_PRACTITIONERS[0].id}` } }],
        period: today_ ? { start } : { start, end: start.replace('T09:30', 'T10:15') },
        serviceProvider: { reference: `Organization/${SEED_ORGANIZATION.id}` },
      });
    }
  }
  return resources;
}

/**
 * Seeds the sandbox: the chart (organisations, practitioners, patients, coverage, conditions,
 * encounters) with fixed ids, then each patient's prior visits through NeedleChart's own mapping
 * and the same transaction path a save takes.
 */
export async function seedSandbox(engine: SandboxEngine, core: Core, today = new Date()): Promise<void> {
  for (const resource of chartResources(today)) {
    const [outcome, , status] = await engine.execute({ method: 'PUT', path: `/${resource.resourceType}/${resource.id}`, body: resource });
    if (status >= 300) throw new Error(`Seeding ${resource.resourceType}/${resource.id} failed: ${outcome.issue?.[0]?.details?.text ?? status}`);
  }
  for (const p of SEED_PATIENTS) {
    for (let visit = 1; visit <= p.priorVisits; visit++) {
      const date = visitDate(today, 7 * (p.priorVisits + 1 - visit));
      const session = priorSession(p, visit, date);
      const recorded = new Date(new Date(date).getTime() + 3_600_000).toISOString();
      // Earlier visits were signed by their performer an hour after the visit, as a clinic's would be.
      const analysis = analyseSession(session, core, { visitNumber: visit }, { signed: { by: session.performer.display, at: recorded }, addenda: [] });
      const signing = { state: 'signed' as const, authenticator: practitionerReference(session.performer) };
      const bundle = visitTransactionFor(core, analysis, { patient: `Patient/${p.id}`, encounter: `Encounter/${encounterId(p, visit)}` }, recorded, { organization: `Organization/${SEED_ORGANIZATION.id}`, signing });
      const [outcome, , status] = await engine.execute({ method: 'POST', path: '/', body: bundle });
      if (status >= 300) throw new Error(`Seeding a visit of ${p.id} failed: ${outcome.issue?.[0]?.details?.text ?? status}`);
    }
  }
}
