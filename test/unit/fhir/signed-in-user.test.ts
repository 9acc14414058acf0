import type { BundleEntry, Practitioner, PractitionerRole } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { toSignedInUser, userLookup } from '../../../src/fhir/signed-in-user.js';

const TODAY = '2026-12-03';
const whereValid = (state: string) => ({ url: 'http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/practitioner-qualification', extension: [{ url: 'status', valueCode: 'active' }, { url: 'whereValid', valueCodeableConcept: { coding: [{ system: 'https://www.usps.com/', code: state }] } }] });
const certificate = (period?: { start?: string; end?: string }) => ({ extension: [whereValid('AZ')], code: { coding: [{ system: 'https://needlechart.dev/fhir/CodeSystem/qualification', code: 'dry-needling' }] }, ...(period ? { period } : {}) });
const licence = { extension: [whereValid('CO')], code: { coding: [{ system: 'http://nucc.org/provider-taxonomy', code: '225100000X' }] } };
const practitioner = (extra: Partial<Practitioner> = {}): Practitioner => ({
  resourceType: 'Practitioner',
  id: 'pt-1',
  identifier: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: '1234567893' }],
  name: [{ use: 'official', given: ['Alex'], family: 'Rivera', suffix: ['PT', 'DPT'] }],
  qualification: [licence, certificate()],
  ...extra,
});
const ok = (resource: Practitioner | PractitionerRole): BundleEntry => ({ resource, response: { status: '200 OK' } });
const failed = (status: string): BundleEntry => ({ response: { status } });

describe('who the launch says is signed in', () => {
  it.each([
    ['no fhirUser', undefined, /does not say who is signed in/],
    ['a Patient', 'Patient/p-1', /only a clinician/],
    ['a RelatedPerson', 'RelatedPerson/r-1', /only a clinician/],
    ['a Device', 'Device/d-1', /only a practitioner/],
  ])('when the launch names %s, then no one can save, and the reason is in plain words', (_label, fhirUser, reason) => {
    const lookup = userLookup(fhirUser);
    expect('refused' in lookup && lookup.refused).toMatch(reason);
    const user = toSignedInUser({ fhirUser, today: TODAY });
    expect(user.ok).toBe(false);
    expect(!user.ok && user.reason).toMatch(reason);
  });

  it('when the EHR records the practitioner, then name with credentials, NPI, certification and state come from the record', () => {
    const user = toSignedInUser({ fhirUser: 'Practitioner/pt-1', idTokenName: 'Someone Else', user: ok(practitioner()), patientOrganization: 'Organization/org-1', today: TODAY });
    expect(user).toEqual({ ok: true, clinician: { fhirUser: 'Practitioner/pt-1', performer: { reference: 'Practitioner/pt-1', display: 'Alex Rivera, PT, DPT', dryNeedlingCertified: true, state: 'AZ', npi: '1234567893' }, organization: 'Organization/org-1' } });
  });

  it('when the dry-needling certificate has expired, then the clinician is not recorded as certified, and the state comes from the licence', () => {
    const user = toSignedInUser({ fhirUser: 'Practitioner/pt-1', user: ok(practitioner({ qualification: [licence, certificate({ end: '2025-12-31' })] })), today: TODAY });
    expect(user.ok && user.clinician.performer).toMatchObject({ dryNeedlingCertified: false, state: 'CO' });
  });

  it('when the user is a PractitionerRole, then the performer is its Practitioner and the role\'s organization comes before the patient\'s', () => {
    const role: PractitionerRole = { resourceType: 'PractitionerRole', id: 'role-1', practitioner: { reference: 'Practitioner/pt-1' }, organization: { reference: 'Organization/clinic' } };
    const user = toSignedInUser({ fhirUser: 'PractitionerRole/role-1', user: ok(role), practitioner: ok(practitioner()), patientOrganization: 'Organization/other', today: TODAY });
    expect(user.ok && user.clinician).toMatchObject({ fhirUser: 'PractitionerRole/role-1', performer: { reference: 'Practitioner/pt-1' }, organization: 'Organization/clinic' });
  });

  it('when the EHR has no record of the user, then no one can save', () => {
    const user = toSignedInUser({ fhirUser: 'Practitioner/pt-gone', user: failed('404 Not Found'), today: TODAY });
    expect(user).toEqual({ ok: false, reason: 'The EHR has no record of your user account, so NeedleChart cannot record who wrote the visit.' });
  });

  it('when the launch may not read practitioner records, then the verified id_token name stands in, without credentials; without a name no one can save', () => {
    expect(toSignedInUser({ fhirUser: 'Practitioner/pt-1', idTokenName: 'Alex Rivera', user: failed('403 Forbidden'), today: TODAY })).toEqual({ ok: true, clinician: { fhirUser: 'Practitioner/pt-1', performer: { reference: 'Practitioner/pt-1', display: 'Alex Rivera', dryNeedlingCertified: false } } });
    expect(toSignedInUser({ fhirUser: 'Practitioner/pt-1', user: failed('403 Forbidden'), today: TODAY }).ok).toBe(false);
  });

  it('when the EHR fails to answer for the user, then the error is transient and nothing is concluded (so nothing is cached)', () => {
    expect(() => toSignedInUser({ fhirUser: 'Practitioner/pt-1', user: failed('503 Service Unavailable'), today: TODAY })).toThrow(expect.objectContaining({ transient: true }));
  });
});
