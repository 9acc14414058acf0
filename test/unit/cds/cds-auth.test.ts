import { describe, expect, it } from 'vitest';
import { jkuAllowedFor, tokenTimesProblem, type CdsClient } from '../../../src/cds/cds-auth.js';

const NOW = 1_800_000_000;

describe('CDS client JWT times (exp at most 5 minutes ahead, iat not in the future, 60 s of clock skew)', () => {
  it.each([
    ['issued now, expiring in 5 minutes', { iat: NOW, exp: NOW + 300 }, undefined],
    ['expiring in 5 minutes and 60 s (the skew allowed)', { iat: NOW, exp: NOW + 360 }, undefined],
    ['issued 60 s ahead (the skew allowed)', { iat: NOW + 60, exp: NOW + 300 }, undefined],
    ['expiring in 5 minutes and 61 s', { iat: NOW, exp: NOW + 361 }, 'The CDS client JWT expires more than five minutes from now (exp)'],
    ['expiring in ten years', { iat: NOW, exp: NOW + 315_360_000 }, 'The CDS client JWT expires more than five minutes from now (exp)'],
    ['issued 61 s ahead', { iat: NOW + 61, exp: NOW + 300 }, 'The CDS client JWT was issued in the future (iat)'],
    ['without iat', { exp: NOW + 300 }, 'The CDS client JWT has no iat'],
    ['with iat as text', { iat: String(NOW), exp: NOW + 300 }, 'The CDS client JWT has no iat'],
    ['without exp', { iat: NOW }, 'The CDS client JWT has no exp'],
  ])('when a token is %s, then the answer is %s', (_label, payload, problem) => {
    expect(tokenTimesProblem(payload, NOW)).toBe(problem);
  });
});

describe('jku per client', () => {
  const a: CdsClient = { iss: 'https://a.example', jwksUrl: 'https://a.example/jwks', jkuAllowlist: ['https://keys.a.example/jwks'], fhirServers: [] };
  const b: CdsClient = { iss: 'https://b.example', jwksUrl: 'https://b.example/jwks', jkuAllowlist: [], fhirServers: [] };

  it("when a client's JWT names its own JWKS URL or one on its own allow-list, then the jku is allowed", () => {
    expect(jkuAllowedFor(a, 'https://a.example/jwks')).toBe(true);
    expect(jkuAllowedFor(a, 'https://keys.a.example/jwks')).toBe(true);
  });

  it("when a client's JWT names another client's allow-listed or registered JWKS, then the jku is refused", () => {
    expect(jkuAllowedFor(b, 'https://keys.a.example/jwks')).toBe(false);
    expect(jkuAllowedFor(b, 'https://a.example/jwks')).toBe(false);
    expect(jkuAllowedFor(a, 'https://keys.a.example/jwks/')).toBe(false);
  });
});
