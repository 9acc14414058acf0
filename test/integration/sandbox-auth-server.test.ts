import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateBackendKey } from '../../src/export/backend-gateway.js';
import { silentLogger } from '../../src/infra/logger.js';
import { createSandbox, type RunningSandbox } from '../../src/sandbox/sandbox-server.js';
import { testCore } from '../support/fixtures.js';
import { launchTokenResponse } from '../support/launch.js';

/**
 * The sandbox's authorization server behaves like a real EHR's: a client gets only the scopes it is
 * registered for, and oauth2-mock-server's own endpoints (which answer anything) are not exposed.
 */
const manifest = (await import('../../manifest.json', { with: { type: 'json' } })).default;
const APP = 'http://127.0.0.1:1';
const REDIRECT = `${APP}/callback`;
const key = await generateBackendKey();
const appScopes = [...new Set([...manifest.scopes.ehrLaunch, ...manifest.scopes.standaloneLaunch])];

let sandbox: RunningSandbox;
beforeAll(async () => {
  const created = await createSandbox({
    core: await testCore(),
    logger: silentLogger,
    today: new Date('2026-06-15T12:00:00Z'),
    auth: {
      appUrl: () => APP,
      clients: () => [
        { clientId: 'app', redirectUris: [REDIRECT], auth: 'none', scopes: appScopes },
        { clientId: 'backend', redirectUris: [], auth: 'private_key_jwt', jwks: { keys: [key.publicJwk] }, scopes: manifest.scopes.backendServices },
      ],
    },
  });
  sandbox = await created.listen(0, '127.0.0.1');
});
afterAll(async () => {
  await sandbox.close();
});

const fhirWith = (token: string, path: string) => fetch(`${sandbox.fhirBaseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });

/** client_credentials for the backend client, its assertion signed with its registered key. */
async function backendToken(scope: string): Promise<{ status: number; body: { access_token?: string; scope?: string; error?: string } }> {
  const tokenUrl = `${sandbox.origin}/auth/token`;
  const assertion = await new SignJWT({})
    .setProtectedHeader({ alg: 'ES384', kid: key.publicJwk.kid, typ: 'JWT' })
    .setIssuer('backend')
    .setSubject('backend')
    .setAudience(tokenUrl)
    .setIssuedAt()
    .setExpirationTime('4m')
    .setJti(randomUUID())
    .sign(key.privateKey);
  const res = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion }),
  });
  return { status: res.status, body: (await res.json()) as { access_token?: string; scope?: string; error?: string } };
}

describe('scopes are granted only as registered for the client', () => {
  it('when the public app client asks for system/*.rs, then the token is granted without it, its scope says so, and a system-level search with it is refused', async () => {
    const token = await launchTokenResponse(sandbox, REDIRECT, 'app', 'p-li-wei', 'launch patient/Patient.r patient/Observation.rs system/*.rs user/*.cruds');
    expect(token.scope?.split(' ')).toEqual(['launch', 'patient/Patient.r', 'patient/Observation.rs']);
    const accessToken = token.access_token ?? '';
    expect((await fhirWith(accessToken, '/Patient/p-li-wei')).status).toBe(200);
    expect((await fhirWith(accessToken, '/Patient?_count=5')).status).toBe(403);
    expect((await fhirWith(accessToken, '/Observation?code=http://loinc.org|72514-3')).status).toBe(403);
    expect((await fhirWith(accessToken, '/Patient/p-maria-lopez')).status).toBe(403);
  });

  it('when the public app client asks only for scopes it is not registered for, then the authorization is refused with invalid_scope', async () => {
    const token = await launchTokenResponse(sandbox, REDIRECT, 'app', 'p-li-wei', 'system/*.rs user/*.cruds');
    expect(token.error).toBe('invalid_scope');
    expect(token.access_token).toBeUndefined();
  });

  it('when the backend client asks for patient/, user/ and launch scopes beside a registered system scope, then only the system scope is granted', async () => {
    const { status, body } = await backendToken('system/Patient.rs patient/Patient.r user/Observation.rs launch/patient openid system/*.rs');
    expect(status).toBe(200);
    expect(body.scope).toBe('system/Patient.rs');
    expect((await fhirWith(body.access_token ?? '', '/Patient?_count=1')).status).toBe(200);
    expect((await fhirWith(body.access_token ?? '', '/Observation?_count=1')).status).toBe(403);
  });

  it('when the backend client asks only for scopes outside its registration (system/*.rs), then invalid_scope and no token', async () => {
    const { status, body } = await backendToken('system/*.rs');
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_scope');
    expect(body.access_token).toBeUndefined();
  });

  it('when the backend client asks for the scopes of its registration, then it gets all of them', async () => {
    const { status, body } = await backendToken(manifest.scopes.backendServices.join(' '));
    expect(status).toBe(200);
    expect(body.scope?.split(' ')).toEqual(manifest.scopes.backendServices);
  });
});

describe("oauth2-mock-server's own endpoints are not exposed", () => {
  it('when /auth/endsession is asked to redirect to another site, then 404 and no redirect (no open redirect)', async () => {
    const res = await fetch(`${sandbox.origin}/auth/endsession?post_logout_redirect_uri=${encodeURIComponent('https://evil.example.org/')}`, { redirect: 'manual' });
    expect(res.status).toBe(404);
    expect(res.headers.get('location')).toBeNull();
  });

  it('when /auth/introspect is asked about a made-up token, then 404 (it no longer says every token is active)', async () => {
    const res = await fetch(`${sandbox.origin}/auth/introspect`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: 'made-up' }) });
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('"active":true');
  });

  it('when /auth/userinfo or /auth/revoke is called without any credentials, then 404', async () => {
    expect((await fetch(`${sandbox.origin}/auth/userinfo`)).status).toBe(404);
    expect((await fetch(`${sandbox.origin}/auth/revoke`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'token=x' })).status).toBe(404);
  });

  it('when the discovery documents are read, then they advertise only the endpoints, grants and methods the sandbox serves', async () => {
    const openid = (await (await fetch(`${sandbox.origin}/auth/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    const smart = (await (await fetch(`${sandbox.fhirBaseUrl}/.well-known/smart-configuration`)).json()) as Record<string, unknown>;
    for (const doc of [openid, smart]) {
      expect(Object.keys(doc).filter((k) => k.endsWith('_endpoint')).sort()).toEqual(['authorization_endpoint', 'token_endpoint']);
      expect(doc.issuer).toBe(`${sandbox.origin}/auth`);
      expect(doc.grant_types_supported).toEqual(['authorization_code', 'refresh_token', 'client_credentials']);
      expect(doc.token_endpoint_auth_methods_supported).toEqual(['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt']);
      expect(doc.code_challenge_methods_supported).toEqual(['S256']);
      const jwks = (await (await fetch(String(doc.jwks_uri))).json()) as { keys: unknown[] };
      expect(jwks.keys.length).toBeGreaterThan(0);
    }
    // The advertised endpoints answer (a token request without credentials is refused, not 404).
    expect((await fetch(String(openid.token_endpoint), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' })).status).toBe(401);
    expect((await fetch(String(openid.authorization_endpoint))).status).toBe(400);
  });

  it('when the token endpoint gets a JSON body, then an RFC 6749 error, not a crash', async () => {
    const res = await fetch(`${sandbox.origin}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'client_credentials' }) });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_client');
  });
});
