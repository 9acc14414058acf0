import type { Resource } from '@medplum/fhirtypes';
import type { Session } from '../domain/types.generated.js';
import { DRY_NEEDLING_QUALIFICATION, NPI_SYSTEM, NUCC_TAXONOMY, PAYER_POLICY_SYSTEM, PLAN_NET_QUALIFICATION, QUALIFICATION_SYSTEM, USPS_STATE } from '../fhir/systems.js';
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
      ...(p.rom ? { rom: [{ movement: p.rom.movement, ...(p.rom.side ? { side: p.rom.side } : {}), preDegrees: p.rom.start + p.rom.step * (visit - 1), postDegrees: p.rom.start + p.rom.step * visit }] } : {}),
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

function chartResources(today: Date): Resource[] {
  const resources: Resource[] = [
    { resourceType: 'Organization', id: SEED_ORGANIZATION.id, active: true, name: SEED_ORGANIZATION.name, type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/organization-type', code: 'prov', display: 'Healthcare Provider' }] }] },
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
      { resourceType: 'Patient', id: p.id, active: true, identifier: [{ system: 'https://needlechart.dev/fhir/sandbox/mrn', value: `MRN-${p.id.slice(2).toUpperCase()}` }], name: [{ given: [p.given], family: p.family }], gender: p.gender, birthDate: p.birthDate, managingOrganization: { reference: `Organization/${SEED_ORGANIZATION.id}` } },
      { resourceType: 'Coverage', id: `cov-${p.id.slice(2)}`, status: 'active', beneficiary: { reference: patient }, subscriberId: `SUB-${p.id.slice(2).toUpperCase()}`, payor: [{ reference: `Organization/${p.payer}`, identifier: { system: PAYER_POLICY_SYSTEM, value: SEED_PAYERS.find((x) => x.id === p.payer)?.policy }, display: SEED_PAYERS.find((x) => x.id === p.payer)?.name }] },
      ...p.diagnoses.map((d, i): Resource => ({
        resourceType: 'Condition', id: `cond-${p.id.slice(2)}-${i + 1}`, subject: { reference: patient },
        clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
        verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }] },
        category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item', display: 'Problem List Item' }] }],
        code: { coding: [{ ...d }], text: d.display },
        onsetDateTime: visitDate(today, 7 * (p.priorVisits + 2)),
      })),
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
