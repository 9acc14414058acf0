import type { FhirResource, PractitionerRole } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { complianceScopes, decideComplianceAccess, holdsRole, NOBODY_CONFIGURED, resolveCompliancePolicy, type CompliancePolicy } from '../../../src/export/compliance-access.js';
import { notFound, upstream } from '../../../src/outcome/operation-outcome-error.js';

const ROLE = { system: 'https://ehr.example.org/roles', code: 'compliance' };
const role = (over: Partial<PractitionerRole> = {}): PractitionerRole => ({ resourceType: 'PractitionerRole', id: 'r-1', active: true, practitioner: { reference: 'Practitioner/co-1' }, code: [{ coding: [{ ...ROLE }] }], ...over });

/** A stand-in for the user's FHIR gateway that records what it was asked. */
function ehr(answers: { read?: () => Promise<FhirResource>; search?: () => Promise<FhirResource[]> } = {}) {
  const calls: string[] = [];
  return {
    calls,
    gateway: {
      read: async <T extends FhirResource>(type: string, id: string): Promise<T> => {
        calls.push(`read ${type}/${id}`);
        if (!answers.read) throw new Error('unexpected read');
        return (await answers.read()) as T;
      },
      searchAll: async <T extends FhirResource>(type: string, params: Record<string, string>): Promise<T[]> => {
        calls.push(`search ${type}?practitioner=${params.practitioner}`);
        if (!answers.search) throw new Error('unexpected search');
        return (await answers.search()) as T[];
      },
    },
  };
}

const listed: CompliancePolicy = { users: ['Practitioner/co-1'] };
const byRole: CompliancePolicy = { users: [], role: ROLE };
const ROLE_SCOPES = 'openid fhirUser user/PractitionerRole.rs';

describe('holdsRole', () => {
  it.each([
    ['an active role with the code and system', role(), ROLE, true],
    ['the code alone, any system', role({ code: [{ coding: [{ system: 'other', code: 'compliance' }] }] }), { code: 'compliance' }, true],
    ['the code in another system', role({ code: [{ coding: [{ system: 'other', code: 'compliance' }] }] }), ROLE, false],
    ['an inactive role', role({ active: false }), ROLE, false],
    ['a role that ended', role({ period: { end: '2020-01-01' } }), ROLE, false],
    ['a role not started yet', role({ period: { start: '2999-01-01' } }), ROLE, false],
    ['another code', role({ code: [{ coding: [{ ...ROLE, code: 'nurse' }] }] }), ROLE, false],
  ])('when the PractitionerRole is %s, then it is %s', (_what, r, wanted, expected) => {
    expect(holdsRole(r, wanted)).toBe(expected);
  });
});

describe('decideComplianceAccess', () => {
  it.each(['Patient/p-1', 'RelatedPerson/rp-1', 'Person/x'])('when %s signs in, then it is refused without asking the EHR, even if listed by mistake', async (who) => {
    const { gateway, calls } = ehr();
    const decision = await decideComplianceAccess({ users: [who], role: ROLE }, { fhirUser: who, scope: ROLE_SCOPES }, gateway);
    expect(decision).toEqual({ allowed: false, message: expect.stringMatching(/^Patients and people signed in for a patient cannot export/) });
    expect(calls).toEqual([]);
  });

  it('when neither users nor a role are configured, then nobody may export', async () => {
    expect(await decideComplianceAccess({ users: [] }, { fhirUser: 'Practitioner/co-1', scope: '' }, ehr().gateway)).toEqual({ allowed: false, message: NOBODY_CONFIGURED });
  });

  it('when the EHR sent no fhirUser, then it is refused', async () => {
    expect(await decideComplianceAccess(listed, { scope: '' }, ehr().gateway)).toMatchObject({ allowed: false, message: expect.stringContaining('did not say who signed in') });
  });

  it('when the user is listed, then they may export without a read of the EHR', async () => {
    const { gateway, calls } = ehr();
    expect(await decideComplianceAccess(listed, { fhirUser: 'Practitioner/co-1', scope: 'openid fhirUser' }, gateway)).toEqual({ allowed: true });
    expect(calls).toEqual([]);
  });

  it('when the user is not listed and no role is configured, then it is refused', async () => {
    expect(await decideComplianceAccess(listed, { fhirUser: 'Practitioner/pt-2', scope: ROLE_SCOPES }, ehr().gateway)).toMatchObject({ allowed: false, message: expect.stringContaining('not one of the compliance staff') });
  });

  it('when a Practitioner holds the role, then their roles are searched with their token and they may export', async () => {
    const { gateway, calls } = ehr({ search: async () => [role({ active: false }), role({ id: 'r-2' })] });
    expect(await decideComplianceAccess(byRole, { fhirUser: 'Practitioner/co-1', scope: ROLE_SCOPES }, gateway)).toEqual({ allowed: true });
    expect(calls).toEqual(['search PractitionerRole?practitioner=Practitioner/co-1']);
  });

  it('when the search answers with another practitioner\'s role (a server that ignores the parameter), then it does not count', async () => {
    const { gateway } = ehr({ search: async () => [role({ practitioner: { reference: 'https://ehr.example.org/fhir/Practitioner/someone-else' } })] });
    expect(await decideComplianceAccess(byRole, { fhirUser: 'Practitioner/co-1', scope: ROLE_SCOPES }, gateway)).toMatchObject({ allowed: false });
  });

  it('when the user is a PractitionerRole, then that role is read and must carry the code', async () => {
    const yes = ehr({ read: async () => role() });
    expect(await decideComplianceAccess(byRole, { fhirUser: 'PractitionerRole/r-1', scope: ROLE_SCOPES }, yes.gateway)).toEqual({ allowed: true });
    expect(yes.calls).toEqual(['read PractitionerRole/r-1']);
    const no = ehr({ read: async () => role({ code: [{ text: 'Physical therapist' }] }) });
    expect(await decideComplianceAccess(byRole, { fhirUser: 'PractitionerRole/r-1', scope: ROLE_SCOPES }, no.gateway)).toMatchObject({ allowed: false });
  });

  it('when the sign-in was not granted the PractitionerRole scope, then it is refused with the reason and the EHR is not asked', async () => {
    const { gateway, calls } = ehr();
    expect(await decideComplianceAccess(byRole, { fhirUser: 'Practitioner/co-1', scope: 'openid fhirUser patient/PractitionerRole.rs' }, gateway)).toMatchObject({ allowed: false, message: expect.stringContaining('did not let NeedleChart read your staff roles') });
    expect(calls).toEqual([]);
  });

  it('when the EHR has no such role, then it is a refusal; when the EHR fails, then the error stands', async () => {
    expect(await decideComplianceAccess(byRole, { fhirUser: 'PractitionerRole/gone', scope: ROLE_SCOPES }, ehr({ read: async () => Promise.reject(notFound('gone')) }).gateway)).toMatchObject({ allowed: false });
    await expect(decideComplianceAccess(byRole, { fhirUser: 'Practitioner/co-1', scope: ROLE_SCOPES }, ehr({ search: async () => Promise.reject(upstream('down', { status: 502 })) }).gateway)).rejects.toMatchObject({ status: 502 });
  });
});

describe('resolveCompliancePolicy', () => {
  it('when nothing is configured with a real EHR, then nobody may export', () => {
    expect(resolveCompliancePolicy({ users: undefined, role: undefined }, undefined)).toEqual({ users: [], sandboxDefault: false });
  });

  it('when nothing is configured in the sandbox, then its compliance officer may', () => {
    expect(resolveCompliancePolicy({ users: undefined, role: undefined }, 'Practitioner/staff-jordan-ellis')).toEqual({ users: ['Practitioner/staff-jordan-ellis'], sandboxDefault: true });
  });

  it('when users or a role are configured, then they replace the sandbox default', () => {
    expect(resolveCompliancePolicy({ users: ['Practitioner/co-1'], role: undefined }, 'Practitioner/staff-jordan-ellis')).toEqual({ users: ['Practitioner/co-1'], sandboxDefault: false });
    expect(resolveCompliancePolicy({ users: undefined, role: ROLE }, 'Practitioner/staff-jordan-ellis')).toEqual({ users: [], role: ROLE, sandboxDefault: false });
  });
});

describe('the compliance sign-in scopes', () => {
  it('when no compliance role is configured, then the sign-in asks for the registered scopes without the PractitionerRole read; with one, it asks for that too', () => {
    const registered = ['openid', 'fhirUser', 'user/Patient.rs', 'user/Practitioner.rs', 'user/PractitionerRole.rs'];
    expect(complianceScopes(registered, false)).toEqual(['openid', 'fhirUser', 'user/Patient.rs', 'user/Practitioner.rs']);
    expect(complianceScopes(registered, true)).toEqual(registered);
  });
});
