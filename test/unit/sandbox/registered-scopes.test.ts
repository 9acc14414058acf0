import { describe, expect, it } from 'vitest';
import { appRegistration, backendRegistration, registeredScopes, registrationCovers } from '../../../src/sandbox/registered-scopes.js';

const manifest = (await import('../../../manifest.json', { with: { type: 'json' } })).default;

describe('what a client registration covers', () => {
  const app = ['launch', 'openid', 'patient/Observation.crus', 'patient/*.r'];

  it.each([
    ['the same scope', 'launch', true],
    ['fewer interactions on the registered type', 'patient/Observation.rs', true],
    ['the v1 form of registered interactions', 'patient/Observation.read', true],
    ['a type under a registered wildcard', 'patient/Condition.r', true],
    ['an interaction the registration lacks', 'patient/Observation.d', false],
    ['v1 write, which includes delete', 'patient/Observation.write', false],
    ['a wildcard type when only one type is registered', 'patient/*.rs', false],
    ['the same type in another context', 'user/Observation.rs', false],
    ['a system scope', 'system/*.rs', false],
    ['an unregistered launch scope', 'launch/patient', false],
  ])('when the client asks for %s, then covered is %s', (_label, asked, covered) => {
    expect(registrationCovers(app, asked)).toBe(covered);
  });

  it('when several scopes are asked, then the uncovered ones are dropped and the order kept', () => {
    expect(registeredScopes(app, ['system/*.rs', 'openid', 'patient/Observation.rs', 'openid', 'user/*.cruds'])).toEqual(['openid', 'patient/Observation.rs']);
  });

  it("when NeedleChart's registrations are made from manifest.json, then the app gets its launch scopes and the backend only system scopes", () => {
    const appScopes = appRegistration(manifest.scopes);
    expect(appScopes).toEqual(expect.arrayContaining([...manifest.scopes.ehrLaunch, ...manifest.scopes.standaloneLaunch]));
    expect(appScopes.some((s) => s.startsWith('system/'))).toBe(false);
    expect(appScopes).toEqual(expect.arrayContaining(manifest.scopes.complianceLaunch ?? []));
    // The charting launches' only user-level scopes read the signed-in clinician (Practitioner, PractitionerRole), never patient data.
    const launches = [...manifest.scopes.ehrLaunch, ...manifest.scopes.standaloneLaunch];
    expect([...new Set(launches.filter((s) => s.startsWith('user/')))].sort()).toEqual(['user/Practitioner.r', 'user/PractitionerRole.r']);
    // Only the compliance staff sign-in searches patients and practitioners with the user's own access (no write, no other type).
    expect((manifest.scopes.complianceLaunch ?? []).filter((s) => s.startsWith('user/')).sort()).toEqual(['user/Patient.rs', 'user/Practitioner.rs', 'user/PractitionerRole.rs']);
    expect(backendRegistration(manifest.scopes)).toEqual(manifest.scopes.backendServices);
    expect(backendRegistration({ ehrLaunch: [], standaloneLaunch: [], backendServices: ['system/Patient.rs', 'patient/Patient.r'] })).toEqual(['system/Patient.rs']);
  });
});
