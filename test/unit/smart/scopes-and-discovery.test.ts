import { describe, expect, it } from 'vitest';
import { allows, parseResourceScope, toV1 } from '../../../src/smart/scopes.js';
import { DiscoveryError, fromCapabilityStatement, parseSmartConfiguration } from '../../../src/smart/smart-configuration.js';

describe('SMART scopes', () => {
  it.each([
    ['patient/Procedure.crus', 'patient', 'Procedure', 'crus'],
    ['user/Observation.rs', 'user', 'Observation', 'rs'],
    ['system/*.rs', 'system', '*', 'rs'],
    ['patient/Patient.read', 'patient', 'Patient', 'rs'],
    ['patient/Observation.write', 'patient', 'Observation', 'cud'],
  ])('when %s is parsed, then context %s, type %s, interactions %s', (scope, context, type, perms) => {
    const parsed = parseResourceScope(scope);
    expect(parsed?.context).toBe(context);
    expect(parsed?.resourceType).toBe(type);
    expect([...(parsed?.interactions ?? [])].sort().join('')).toBe([...perms].sort().join(''));
  });

  it.each(['launch', 'openid', 'patient/Procedure.', 'patient/Procedure.x', 'admin/Procedure.r'])('when %s is parsed, then it is not a resource scope', (scope) => {
    expect(parseResourceScope(scope)).toBeUndefined();
  });

  it('when granted scopes are checked, then each interaction needs its letter', () => {
    const granted = ['patient/Procedure.rs', 'patient/Observation.crus', 'patient/*.r'];
    expect(allows(granted, 'Procedure', 'r')).toBe(true);
    expect(allows(granted, 'Procedure', 'c')).toBe(false);
    expect(allows(granted, 'Observation', 'u')).toBe(true);
    expect(allows(granted, 'Condition', 'r')).toBe(true);
    expect(allows(granted, 'Condition', 's')).toBe(false);
  });

  it('when a server lacks permission-v2, then v2 scopes become their v1 form', () => {
    expect(toV1('patient/Procedure.crus')).toEqual(['patient/Procedure.read', 'patient/Procedure.write']);
    expect(toV1('patient/Patient.r')).toEqual(['patient/Patient.read']);
    expect(toV1('patient/Provenance.c')).toEqual(['patient/Provenance.write']);
    expect(toV1('launch')).toEqual(['launch']);
  });
});

describe('SMART configuration', () => {
  const base = 'https://ehr.example.org/fhir/r4';
  const valid = { authorization_endpoint: '../auth/authorize', token_endpoint: 'https://ehr.example.org/auth/token', capabilities: ['launch-ehr', 'permission-v2'], code_challenge_methods_supported: ['S256'], grant_types_supported: ['authorization_code'] };

  it('when endpoints are relative, then they are resolved against the FHIR base', () => {
    const config = parseSmartConfiguration(valid, base);
    expect(config.authorizationEndpoint).toBe('https://ehr.example.org/fhir/auth/authorize');
    expect(config.tokenEndpoint).toBe('https://ehr.example.org/auth/token');
    expect(config.capabilities.has('permission-v2')).toBe(true);
  });

  it.each([
    [{ ...valid, token_endpoint: undefined }, /lacks token_endpoint/],
    [{ ...valid, capabilities: undefined }, /lacks capabilities/],
    [{ ...valid, code_challenge_methods_supported: ['plain'] }, /does not support PKCE S256/],
    [{ ...valid, capabilities: ['sso-openid-connect'] }, /lacks issuer/],
    ['not json', /not a JSON object/],
  ])('when the document is %j, then discovery refuses it clearly', (doc, message) => {
    expect(() => parseSmartConfiguration(doc, base)).toThrow(DiscoveryError);
    expect(() => parseSmartConfiguration(doc, base)).toThrow(message);
  });

  it('when only a CapabilityStatement with oauth-uris exists, then it is the fallback', () => {
    const config = fromCapabilityStatement(
      { resourceType: 'CapabilityStatement', status: 'active', date: '2026-01-01', kind: 'instance', fhirVersion: '4.0.1', format: ['json'], rest: [{ mode: 'server', security: { extension: [{ url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris', extension: [{ url: 'authorize', valueUri: 'https://ehr.example.org/authorize' }, { url: 'token', valueUri: 'https://ehr.example.org/token' }] }] } }] },
      base,
    );
    expect(config?.tokenEndpoint).toBe('https://ehr.example.org/token');
  });
});
