import { beforeAll, describe, expect, it } from 'vitest';
import type { CdsClient } from '../../../src/cds/cds-auth.js';
import { lentFhirServer } from '../../../src/cds/cds-fhir-server.js';
import { completeHookData, readHookData, requireHookRequest } from '../../../src/cds/cds-request.js';
import { createR4SchemaValidator, type R4SchemaValidator } from '../../../src/fhir/r4-schema-validator.js';
import { OperationOutcomeError } from '../../../src/outcome/operation-outcome-error.js';
import type { Core } from '../../../src/service/core.js';
import { testCore } from '../../support/fixtures.js';

let core: Core;
let r4: R4SchemaValidator;
beforeAll(async () => {
  core = await testCore();
  r4 = createR4SchemaValidator();
});

const searchset = (...resources: unknown[]) => ({ resourceType: 'Bundle', type: 'searchset', entry: resources.map((resource) => ({ resource })) });
const procedure = { resourceType: 'Procedure', id: 'pr-1', status: 'completed', subject: { reference: 'Patient/p-1' }, code: { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '20561' }] } };
const prefetch = () => ({ patient: { resourceType: 'Patient', id: 'p-1' }, coverage: searchset(), procedures: searchset(procedure, { resourceType: 'OperationOutcome', issue: [] }), observations: { resourceType: 'Bundle', type: 'searchset', total: 0 } });

describe('the hook request body', () => {
  const valid = { hook: 'patient-view', hookInstance: 'd1577c69-dfbe-44ad-ba6d-3e05e953b2ea', context: { patientId: 'p-1' } };

  it.each([
    ['context.patientId is a number', { ...valid, context: { patientId: 42 } }, 'context.patientId', 'context.patientId must be text'],
    ['context.patientId holds a slash', { ...valid, context: { patientId: '../x' } }, 'context.patientId', 'context.patientId must be a FHIR id (letters, digits, - and ., at most 64)'],
    ['prefetch.patient is text', { ...valid, prefetch: { patient: 'Patient/p-1' } }, 'prefetch.patient', 'prefetch.patient must be a group of fields or empty'],
    ['fhirAuthorization has no token', { ...valid, fhirAuthorization: { token_type: 'Bearer' } }, 'fhirAuthorization.access_token', 'fhirAuthorization.access_token is required'],
    ['hookInstance is missing', { hook: 'patient-view', context: { patientId: 'p-1' } }, 'hookInstance', 'hookInstance is required'],
  ])('when %s, then 400 naming %s', (_label, body, field, message) => {
    let error: unknown;
    try {
      requireHookRequest(body, core.check);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OperationOutcomeError);
    expect((error as OperationOutcomeError).status).toBe(400);
    expect((error as OperationOutcomeError).outcome.issue).toContainEqual({ severity: 'error', code: 'invalid', diagnostics: message, expression: [field] });
  });

  it('when the body is well formed, with extra fields the service ignores, then it is read', () => {
    expect(requireHookRequest({ ...valid, extension: { x: 1 }, prefetch: { patient: null } }, core.check)).toMatchObject(valid);
  });
});

describe('prefetched data', () => {
  it('when every key is prefetched well, then the hook data is complete; other resource types in a search are left out', () => {
    const read = readHookData(prefetch(), 'p-1', r4);
    expect(read.issues).toEqual([]);
    expect(read.missing).toEqual([]);
    expect(completeHookData(read.parts)).toMatchObject({ patient: { id: 'p-1' }, coverages: [], procedures: [{ id: 'pr-1' }], observations: [] });
  });

  it('when a resource carries fields R4 does not define (a vendor\'s own), then it is read; a known field of the wrong shape is not', () => {
    const patient = { resourceType: 'Patient', id: 'p-1', meta: { versionId: '1', project: 'x' }, vendorFlag: true };
    expect(readHookData({ ...prefetch(), patient }, 'p-1', r4).issues).toEqual([]);
    expect(readHookData({ ...prefetch(), patient: { ...patient, name: 'Li Wei' } }, 'p-1', r4).issues).toEqual([{ path: 'prefetch.patient.name', message: 'prefetch.patient.name must be a list' }]);
  });

  it('when keys are null or left out, then they are missing, not wrong', () => {
    const read = readHookData({ ...prefetch(), patient: null, observations: undefined }, 'p-1', r4);
    expect(read.issues).toEqual([]);
    expect(read.missing).toEqual(['patient', 'observations']);
    expect(completeHookData(read.parts)).toBeUndefined();
  });

  it.each([
    ['a Patient of another patient', { patient: { resourceType: 'Patient', id: 'p-2' } }, 'prefetch.patient', 'prefetch.patient is not the patient named in context.patientId'],
    ['an Observation as the patient', { patient: { resourceType: 'Observation' } }, 'prefetch.patient', 'prefetch.patient must be a Patient resource (got Observation)'],
    ['a Coverage where a search belongs', { coverage: { resourceType: 'Coverage' } }, 'prefetch.coverage', 'prefetch.coverage must be a Bundle, the result of a search (got Coverage)'],
    ['entries that are not a list', { coverage: { resourceType: 'Bundle', entry: {} } }, 'prefetch.coverage.entry', 'prefetch.coverage.entry must be a list'],
    ['an entry that is null', { observations: { resourceType: 'Bundle', entry: [null] } }, 'prefetch.observations.entry[0]', 'prefetch.observations.entry[0] must be a group of fields'],
    ['a resource without a type', { procedures: { resourceType: 'Bundle', entry: [{ resource: { id: 'x' } }] } }, 'prefetch.procedures.entry[0].resource', 'prefetch.procedures.entry[0].resource must be a FHIR resource'],
    ['a Procedure whose code is text', { procedures: searchset({ ...procedure, code: '20561' }) }, 'prefetch.procedures.entry[0].resource.code', 'prefetch.procedures.entry[0].resource.code must be a group of fields'],
  ])('when a prefetch holds %s, then an issue names %s', (_label, change, path, message) => {
    const read = readHookData({ ...prefetch(), ...change }, 'p-1', r4);
    expect(read.issues).toContainEqual({ path, message });
  });
});

describe('the FHIR server a request lends a token for', () => {
  const client: CdsClient = { iss: 'https://a.example', jwksUrl: 'https://a.example/jwks', jkuAllowlist: [], fhirServers: ['https://ehr.a.example/fhir/r4'] };
  const body = (fhirServer: string) => ({ hook: 'patient-view', hookInstance: 'i', context: { patientId: 'p-1' }, fhirServer, fhirAuthorization: { access_token: 't', token_type: 'Bearer' as const } });

  it('when the server is one listed for the client (trailing slash or not), then it is used with the token', () => {
    expect(lentFhirServer(body('https://ehr.a.example/fhir/r4/'), client)).toEqual({ baseUrl: 'https://ehr.a.example/fhir/r4', token: 't' });
  });

  it.each(['https://ehr.a.example/fhir', 'https://ehr.a.example/fhir/r4/Patient', 'http://127.0.0.1:8090/fhir', 'https://evil.example/fhir/r4'])('when the server is %s, not listed, then nothing is lent', (server) => {
    expect(lentFhirServer(body(server), client)).toBeUndefined();
  });
});
