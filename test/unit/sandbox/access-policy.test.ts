import { describe, expect, it } from 'vitest';
import { refusal, refusesResult, type Grant } from '../../../src/sandbox/access-policy.js';

const grant: Grant = { scope: 'launch patient/Patient.r patient/Observation.crus patient/Procedure.rs patient/Provenance.c', patient: 'p-1' };
const req = (method: string, path: string, query: Record<string, string> = {}, body?: unknown) => ({ method, path, query, body });

describe('the sandbox access policy (SMART patient scopes)', () => {
  it.each([
    ['reading the own patient', req('GET', '/Patient/p-1'), undefined],
    ['reading another patient', req('GET', '/Patient/p-2'), /another patient/],
    ['searching own observations', req('GET', '/Observation', { patient: 'Patient/p-1' }), undefined],
    ['searching without naming the patient', req('GET', '/Observation', { code: 'x' }), /must name the patient/],
    ['searching another patient', req('GET', '/Observation', { patient: 'Patient/p-2' }), /another patient/],
    ['creating a procedure without c', req('POST', '/Procedure', {}, { resourceType: 'Procedure', subject: { reference: 'Patient/p-1' } }), /do not allow 'c'/],
    ['creating an observation for another patient', req('POST', '/Observation', {}, { resourceType: 'Observation', subject: { reference: 'Patient/p-2' } }), /does not belong/],
    ['creating an observation for the patient', req('POST', '/Observation', {}, { resourceType: 'Observation', subject: { reference: 'Patient/p-1' } }), undefined],
    ['reading a type not granted', req('GET', '/Coverage', { patient: 'Patient/p-1' }), /do not allow 's' on Coverage/],
    ['a transaction with one refused entry', req('POST', '/', {}, { type: 'transaction', entry: [{ request: { method: 'POST', url: 'Observation' }, resource: { resourceType: 'Observation', subject: { reference: 'Patient/p-1' } } }, { request: { method: 'POST', url: 'Procedure' }, resource: { resourceType: 'Procedure', subject: { reference: 'Patient/p-1' } } }] }), /Bundle\.entry\[1\]/],
  ])('when %s, then %s', (_label, request, expected) => {
    const reason = refusal(grant, request);
    if (expected === undefined) expect(reason).toBeUndefined();
    else expect(reason).toMatch(expected);
  });

  it('when a user/ scope is granted for one type, then that type leaves the patient compartment and every other type stays in it', () => {
    const withUser: Grant = { ...grant, scope: `${grant.scope} user/Practitioner.r` };
    expect(refusal(withUser, req('GET', '/Practitioner/pt-1'))).toBeUndefined();
    expect(refusesResult(withUser, { resourceType: 'Practitioner', id: 'pt-1' })).toBe(false);
    expect(refusal(withUser, req('GET', '/Patient/p-2'))).toMatch(/another patient/);
    expect(refusal(withUser, req('GET', '/Observation', { patient: 'Patient/p-2' }))).toMatch(/another patient/);
    expect(refusesResult(withUser, { resourceType: 'Observation', subject: { reference: 'Patient/p-2' } })).toBe(true);
    expect(refusal(withUser, req('GET', '/Practitioner', { name: 'x' }))).toMatch(/do not allow 's' on Practitioner/);
  });

  it('when a read returns another patient\'s resource, then it is refused after the read', () => {
    expect(refusesResult(grant, { resourceType: 'Observation', subject: { reference: 'Patient/p-2' } })).toBe(true);
    expect(refusesResult(grant, { resourceType: 'Observation', subject: { reference: 'Patient/p-1' } })).toBe(false);
    expect(refusesResult({ scope: 'user/*.rs' }, { resourceType: 'Observation', subject: { reference: 'Patient/p-2' } })).toBe(false);
  });
});
