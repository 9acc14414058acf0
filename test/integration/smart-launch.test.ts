import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.js';
import { silentLogger } from '../../src/infra/logger.js';
import { startNeedleChart, type RunningNeedleChart } from '../../src/runtime.js';
import { CookieJar, ehrLaunch, follow } from '../support/launch.js';
import { startTestNeedleChart } from '../support/sandbox.js';

const manifest = (await import('../../manifest.json', { with: { type: 'json' } })).default;

let nc: RunningNeedleChart;
let logLines: string[];
beforeAll(async () => {
  ({ nc, logLines } = await startTestNeedleChart({ tokenLifetimeSeconds: 120 }));
});
afterAll(async () => {
  await nc.close();
});
const sandbox = () => {
  if (!nc.sandbox?.auth) throw new Error('no sandbox');
  return nc.sandbox;
};
const context = (cookie: string, launchId: string) => fetch(`${nc.appUrl}/api/context`, { headers: { cookie, 'x-launch-id': launchId } });

describe('EHR launch', () => {
  it('when the EHR launches the app, then the authorization request follows SMART App Launch 2.2', async () => {
    const s = await ehrLaunch(sandbox().origin, { patient: 'p-li-wei', encounter: 'e-li-wei-6' });
    const launchUrl = new URL(s.trail[1] ?? '');
    const authorize = new URL(s.trail[2] ?? '');
    expect(authorize.origin + authorize.pathname).toBe(`${sandbox().origin}/auth/authorize`);
    const p = authorize.searchParams;
    expect(p.get('response_type')).toBe('code');
    expect(p.get('client_id')).toBe('needlechart-sandbox');
    expect(p.get('redirect_uri')).toBe(`${nc.appUrl}/callback`);
    expect(p.get('aud')).toBe(sandbox().fhirBaseUrl);
    expect(p.get('launch')).toBe(launchUrl.searchParams.get('launch'));
    expect(p.get('code_challenge_method')).toBe('S256');
    expect(p.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // ≥ 122 bits of randomness: 43 base64url characters carry 256.
    expect(p.get('state')).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(p.get('scope')?.split(' ')).toEqual(manifest.scopes.ehrLaunch);
    expect(new URL(s.trail[4] ?? '').pathname).toBe('/app');
    expect((await context(s.cookie, s.launchId)).status).toBe(200);
  });

  it('when the same callback URL is replayed, then the state is refused: it is single-use', async () => {
    const jar = new CookieJar();
    const s = await ehrLaunch(sandbox().origin, { patient: 'p-li-wei', encounter: 'e-li-wei-6' }, jar);
    const callback = s.trail[3] ?? '';
    const replay = await fetch(callback, { headers: { cookie: jar.header(callback) }, redirect: 'manual' });
    expect(replay.status).toBe(400);
    expect(await replay.text()).toMatch(/already used/);
  });

  it('when the state on the callback is tampered with, then the launch is refused with a page and no redirect', async () => {
    const jar = new CookieJar();
    const trail: string[] = [];
    const res = await follow(new Request(`${nc.appUrl}/launch?iss=${encodeURIComponent(sandbox().fhirBaseUrl)}&launch=${sandbox().auth?.createLaunch({ patient: 'p-li-wei', encounter: 'e-li-wei-6', fhirUser: 'Practitioner/pt-rivera', needPatientBanner: false })}`), jar, trail, 1);
    const authorize = res.headers.get('location') ?? '';
    const redirect = await fetch(authorize, { redirect: 'manual' });
    const callback = new URL(redirect.headers.get('location') ?? '');
    callback.searchParams.set('state', `${callback.searchParams.get('state')}x`);
    const tampered = await fetch(callback, { headers: { cookie: jar.header(callback.toString()) }, redirect: 'manual' });
    expect(tampered.status).toBe(400);
    expect(tampered.headers.get('location')).toBeNull();
  });

  it('when the callback arrives in another browser session, then it is refused (state is bound to the session)', async () => {
    const jar = new CookieJar();
    const trail: string[] = [];
    const launch = sandbox().auth?.createLaunch({ patient: 'p-li-wei', encounter: 'e-li-wei-6', fhirUser: 'Practitioner/pt-rivera', needPatientBanner: false });
    const first = await follow(new Request(`${nc.appUrl}/launch?iss=${encodeURIComponent(sandbox().fhirBaseUrl)}&launch=${launch}`), jar, trail, 1);
    const redirect = await fetch(first.headers.get('location') ?? '', { redirect: 'manual' });
    const other = await fetch(redirect.headers.get('location') ?? '', { redirect: 'manual' });
    expect(other.status).toBe(400);
    expect(await other.text()).toMatch(/another browser session/);
  });

  it('when another browser brings the right state to the callback, then it is refused without using the state, and the real browser\'s callback still succeeds', async () => {
    const jar = new CookieJar();
    const launch = sandbox().auth?.createLaunch({ patient: 'p-li-wei', encounter: 'e-li-wei-6', fhirUser: 'Practitioner/pt-rivera', needPatientBanner: false });
    const first = await follow(new Request(`${nc.appUrl}/launch?iss=${encodeURIComponent(sandbox().fhirBaseUrl)}&launch=${launch}`), jar, [], 1);
    const callback = (await fetch(first.headers.get('location') ?? '', { redirect: 'manual' })).headers.get('location') ?? '';
    const other = await follow(new Request(callback), new CookieJar(), [], 1);
    expect(other.status).toBe(400);
    expect(await other.text()).toMatch(/another browser session/);
    const real = await follow(new Request(callback), jar, [], 1);
    expect(real.status).toBe(303);
    const launchId = new URL(real.headers.get('location') ?? '', nc.appUrl).searchParams.get('launch') ?? '';
    expect((await context(jar.header(nc.appUrl), launchId)).status).toBe(200);
  });

  it('when an unknown iss launches the app, then a clear page and no redirect anywhere', async () => {
    const res = await fetch(`${nc.appUrl}/launch?iss=${encodeURIComponent('https://evil.example.org/fhir')}&launch=abc`, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toMatch(/not registered with the FHIR server https:\/\/evil\.example\.org\/fhir/);
  });

  it('when the EHR sends no encounter in the launch context, then a clear page says so', async () => {
    const launch = sandbox().auth?.createLaunch({ patient: 'p-li-wei', fhirUser: 'Practitioner/pt-rivera', needPatientBanner: false });
    const jar = new CookieJar();
    const res = await follow(new Request(`${nc.appUrl}/launch?iss=${encodeURIComponent(sandbox().fhirBaseUrl)}&launch=${launch}`), jar, []);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/without an encounter/);
  });
});

describe('browser session', () => {
  const cookieName = 'nc_sid';

  it('when a browser arrives with a session cookie the server never issued, then it gets a new one and the launch cannot be read with the planted value', async () => {
    const planted = 'planted-by-an-attacker-0123456789abcdefghij';
    const jar = new CookieJar();
    jar.set(nc.appUrl, cookieName, planted);
    const s = await ehrLaunch(sandbox().origin, { patient: 'p-li-wei', encounter: 'e-li-wei-6' }, jar);
    const issued = jar.get(nc.appUrl, cookieName);
    expect(issued).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(issued).not.toBe(planted);
    expect((await context(`${cookieName}=${planted}`, s.launchId)).status).toBe(401);
    expect((await context(s.cookie, s.launchId)).status).toBe(200);
  });

  it('when a browser sends a malformed session cookie, then it is replaced and the API answers 401 without a crash', async () => {
    const res = await context(`${cookieName}=${'%'.repeat(10)}`, 'a'.repeat(32));
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toMatch(new RegExp(`^${cookieName}=[A-Za-z0-9_-]{43};`));
  });

  it('when the therapist signs out, then the launch and its draft are gone, the cookie is cleared, and another browser\'s launch still works', async () => {
    const s = await ehrLaunch(sandbox().origin, { patient: 'p-tom-becker', encounter: 'e-tom-becker-3' });
    const other = await ehrLaunch(sandbox().origin, { patient: 'p-li-wei', encounter: 'e-li-wei-6' });
    const draft = { session: { date: '2025-01-01' }, savedAt: Date.now() };
    expect((await fetch(`${nc.appUrl}/api/draft`, { method: 'PUT', headers: { cookie: s.cookie, 'x-launch-id': s.launchId, 'content-type': 'application/json' }, body: JSON.stringify(draft) })).status).toBe(204);
    const out = await fetch(`${nc.appUrl}/api/sign-out`, { method: 'POST', headers: { cookie: s.cookie, 'x-launch-id': s.launchId, origin: nc.appUrl } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(new RegExp(`^${cookieName}=;.*Expires=Thu, 01 Jan 1970`));
    expect((await context(s.cookie, s.launchId)).status).toBe(401);
    expect((await context(other.cookie, other.launchId)).status).toBe(200);
  });

  it('when sign-out is posted from another site, then 403 and the launch keeps working', async () => {
    const s = await ehrLaunch(sandbox().origin, { patient: 'p-li-wei', encounter: 'e-li-wei-6' });
    const out = await fetch(`${nc.appUrl}/api/sign-out`, { method: 'POST', headers: { cookie: s.cookie, 'x-launch-id': s.launchId, origin: 'https://evil.example.org' } });
    expect(out.status).toBe(403);
    expect((await context(s.cookie, s.launchId)).status).toBe(200);
  });
});

describe('logs', () => {
  it('when a path or query holds a name, then the log lines carry the route pattern or an unknown-route marker, never the path', async () => {
    logLines.length = 0;
    const res = await fetch(`${nc.appUrl}/api/patients/Maria-Lopez?name=Maria%20Lopez`);
    expect(res.status).toBe(404);
    await fetch(`${nc.appUrl}/rules/Maria-Lopez`);
    await fetch(`${nc.appUrl}/assets/Maria-Lopez.js`);
    expect((await fetch(`${nc.appUrl}/api/draft?patient=Maria-Lopez`)).status).toBe(401);
    await new Promise((r) => setTimeout(r, 50));
    const log = logLines.join('\n');
    expect(log).not.toMatch(/Maria|Lopez/);
    const requests = logLines.map((l) => JSON.parse(l) as { message: string; route?: string; status?: number }).filter((l) => l.message === 'request');
    expect(requests.map((l) => [l.route, l.status])).toEqual([['unknown route', 404], ['unknown route', 404], ['/assets/*', 404], ['/api/draft', 401]]);
  });
});

describe('rate limits', () => {
  it('when two signed-in browsers share one address, then each has its own API budget, and requests without a sign-in share the address\'s', async () => {
    const limited = await startNeedleChart(readConfig({ PORT: '0', NEEDLECHART_SANDBOX_PORT: '0', NEEDLECHART_API_RATE_LIMIT: '10' }), { logger: silentLogger });
    try {
      const origin = limited.sandbox?.origin ?? '';
      const a = await ehrLaunch(origin, { patient: 'p-li-wei', encounter: 'e-li-wei-6' });
      const b = await ehrLaunch(origin, { patient: 'p-nora-silva', encounter: 'e-nora-silva-1' });
      const catalog = (cookie?: string) => fetch(`${limited.appUrl}/api/catalog`, { headers: cookie ? { cookie } : {} }).then((r) => r.status);
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) statuses.push(await catalog(a.cookie));
      expect(statuses.slice(0, 10).every((st) => st === 200)).toBe(true);
      expect(statuses[10]).toBe(429);
      expect(await catalog(b.cookie)).toBe(200);
      expect(await catalog()).toBe(200);
      // A cookie the server never issued is no way around the address's budget.
      for (let i = 0; i < 9; i++) await catalog();
      expect(await catalog(`nc_sid=${'x'.repeat(43)}`)).toBe(429);
    } finally {
      await limited.close();
    }
  });
});

describe('standalone launch', () => {
  it('when the app is opened with iss only, then it asks for launch/patient, the EHR picks a patient and the banner is requested', async () => {
    const jar = new CookieJar();
    const trail: string[] = [];
    const picker = await follow(new Request(`${nc.appUrl}/launch?iss=${encodeURIComponent(sandbox().fhirBaseUrl)}`), jar, trail);
    const authorize = new URL(trail[1] ?? '');
    expect(authorize.searchParams.get('launch')).toBeNull();
    expect(authorize.searchParams.get('scope')?.split(' ')).toEqual(manifest.scopes.standaloneLaunch);
    expect(await picker.text()).toContain('Maria Lopez');
    authorize.searchParams.set('sandbox_user', 'Practitioner/pt-chen');
    authorize.searchParams.set('sandbox_choice', 'p-nora-silva|e-nora-silva-1');
    await follow(new Request(authorize), jar, trail);
    const app = new URL(trail[trail.length - 1] ?? '');
    const body = (await (await context(jar.header(app.toString()), app.searchParams.get('launch') ?? '')).json()) as { patient: { name: string }; launch: { needPatientBanner: boolean; fhirUser: string } };
    expect(body.patient.name).toBe('Nora Silva');
    expect(body.launch).toMatchObject({ needPatientBanner: true, fhirUser: 'Practitioner/pt-chen' });
  });
});

describe('tokens', () => {
  it('when the EHR revokes the access token, then the app refreshes once on the 401 and the call succeeds', async () => {
    const s = await ehrLaunch(sandbox().origin, { patient: 'p-aisha-khan', encounter: 'e-aisha-khan-5' });
    expect((await context(s.cookie, s.launchId)).status).toBe(200);
    sandbox().auth?.revokeAccessTokens();
    await new Promise((r) => setTimeout(r, 1100));
    expect((await context(s.cookie, s.launchId)).status).toBe(200);
    // The refresh token was rotated: revoking again still works through the new one.
    sandbox().auth?.revokeAccessTokens();
    await new Promise((r) => setTimeout(r, 1100));
    expect((await context(s.cookie, s.launchId)).status).toBe(200);
  });

  it('when the token endpoint is asked without a code_verifier, then the sandbox refuses the code (PKCE enforced)', async () => {
    const res = await fetch(`${sandbox().origin}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'authorization_code', code: 'x', client_id: 'needlechart-sandbox', redirect_uri: `${nc.appUrl}/callback` }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('when the FHIR server is called without a token, then 401', async () => {
    expect((await fetch(`${sandbox().fhirBaseUrl}/Patient/p-li-wei`)).status).toBe(401);
  });

  it('when a patient-scoped token reads outside its patient or its scopes, then 403 (patient compartment)', async () => {
    const verifier = oauth.generateRandomCodeVerifier();
    const launch = sandbox().auth?.createLaunch({ patient: 'p-li-wei', encounter: 'e-li-wei-6', fhirUser: 'Practitioner/pt-rivera', needPatientBanner: false }) ?? '';
    const authorize = new URL(`${sandbox().origin}/auth/authorize`);
    const params = { response_type: 'code', client_id: 'needlechart-sandbox', redirect_uri: `${nc.appUrl}/callback`, scope: 'launch patient/Patient.r patient/Observation.rs', state: 'state-value-for-test', aud: sandbox().fhirBaseUrl, launch, code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' };
    for (const [k, v] of Object.entries(params)) authorize.searchParams.set(k, v);
    const code = new URL((await fetch(authorize, { redirect: 'manual' })).headers.get('location') ?? '').searchParams.get('code') ?? '';
    const token = (await (await fetch(`${sandbox().origin}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: `${nc.appUrl}/callback`, code_verifier: verifier, client_id: 'needlechart-sandbox' }) })).json()) as { access_token: string; patient: string; scope: string };
    expect(token.patient).toBe('p-li-wei');
    const get = (path: string) => fetch(`${sandbox().fhirBaseUrl}${path}`, { headers: { authorization: `Bearer ${token.access_token}` } });
    expect((await get('/Patient/p-li-wei')).status).toBe(200);
    expect((await get('/Observation?patient=Patient/p-li-wei')).status).toBe(200);
    expect((await get('/Patient/p-maria-lopez')).status).toBe(403);
    expect((await get('/Observation?patient=Patient/p-maria-lopez')).status).toBe(403);
    expect((await get('/Observation?code=http://loinc.org|72514-3')).status).toBe(403);
    expect((await get('/Procedure?patient=Patient/p-li-wei')).status).toBe(403);
  });
});

describe('confidential clients', () => {
  it.each(['client_secret_basic', 'private_key_jwt'] as const)('when NeedleChart authenticates with %s, then the launch completes', async (method) => {
    const dir = mkdtempSync(join(tmpdir(), 'nc-keys-'));
    const { privateKey, publicKey } = await generateKeyPair('ES384', { extractable: true });
    const keyFile = join(dir, 'client.pem');
    writeFileSync(keyFile, await exportPKCS8(privateKey));
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES384', use: 'sig' };
    let appUrl = '';
    const env = { PORT: '0', NEEDLECHART_SANDBOX_PORT: '0', NEEDLECHART_CLIENT_ID: 'nc-confidential', NEEDLECHART_CLIENT_AUTH: method, ...(method === 'client_secret_basic' ? { NEEDLECHART_CLIENT_SECRET: 's3cret-value' } : { NEEDLECHART_CLIENT_PRIVATE_KEY_FILE: keyFile, NEEDLECHART_CLIENT_KEY_ID: 'k1' }) };
    const other = await startNeedleChart(readConfig(env), {
      logger: silentLogger,
      sandboxClients: () => [{ clientId: 'nc-confidential', redirectUris: [`${appUrl}/callback`], auth: method, scopes: [...manifest.scopes.ehrLaunch, ...manifest.scopes.standaloneLaunch], ...(method === 'client_secret_basic' ? { secret: 's3cret-value' } : { jwks: { keys: [jwk] } }) }],
    });
    appUrl = other.appUrl;
    try {
      const s = await ehrLaunch(other.sandbox?.origin ?? '', { patient: 'p-li-wei', encounter: 'e-li-wei-6' });
      expect(s.final.status).toBe(200);
      expect((await fetch(`${other.appUrl}/api/context`, { headers: { cookie: s.cookie, 'x-launch-id': s.launchId } })).status).toBe(200);
    } finally {
      await other.close();
    }
  });
});
