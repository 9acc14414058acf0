import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.js';
import { createJsonLogger } from '../../src/infra/logger.js';
import { startNeedleChart, type RunningNeedleChart } from '../../src/runtime.js';
import { ehrLaunch } from '../support/launch.js';
import { startTestNeedleChart } from '../support/sandbox.js';

/**
 * What EHRs we did not write do (the public SMART launcher among them), played by the sandbox:
 * refreshed id_tokens without `aud`, token-endpoint errors, secrets that need form-encoding.
 */
const SECRET = 'a-b_c.d~e+f/g=h';
const manifest = JSON.parse(readFileSync(new URL('../../manifest.json', import.meta.url), 'utf8')) as { scopes: { ehrLaunch: string[]; standaloneLaunch: string[] } };

async function startConfidential(auth: 'client_secret_basic' | 'client_secret_post', appSecret: string, registeredSecret = SECRET): Promise<{ nc: RunningNeedleChart; logLines: string[] }> {
  let appUrl = '';
  const logLines: string[] = [];
  const nc = await startNeedleChart(
    readConfig({ PORT: '0', NEEDLECHART_SANDBOX_PORT: '0', NEEDLECHART_CLIENT_ID: 'nc-secret', NEEDLECHART_CLIENT_AUTH: auth, NEEDLECHART_CLIENT_SECRET: appSecret }),
    { logger: createJsonLogger((line) => logLines.push(line)), sandboxClients: () => [{ clientId: 'nc-secret', redirectUris: [`${appUrl}/callback`], auth, secret: registeredSecret, scopes: [...manifest.scopes.ehrLaunch, ...manifest.scopes.standaloneLaunch] }] },
  );
  appUrl = nc.appUrl;
  return { nc, logLines };
}

// Each test starts its own NeedleChart and sandbox (a confidential client): slower than the default test timeout on a busy machine.
describe('client secrets that need form-encoding', { timeout: 60_000 }, () => {
  it.each(['client_secret_basic', 'client_secret_post'] as const)('when NeedleChart authenticates with %s and a secret holding - _ . ~ + / =, then the launch completes', async (auth) => {
    const { nc } = await startConfidential(auth, SECRET);
    try {
      const s = await ehrLaunch(nc.sandbox?.origin ?? '', { patient: 'p-li-wei', encounter: 'e-li-wei-6' });
      expect(s.final.status).toBe(200);
      expect((await fetch(`${nc.appUrl}/api/context`, { headers: { cookie: s.cookie, 'x-launch-id': s.launchId } })).status).toBe(200);
    } finally {
      await nc.close();
    }
  });
});

describe('token endpoint errors', { timeout: 60_000 }, () => {
  it('when the EHR refuses the code exchange, then the page and the log say the step and the EHR\'s error and description', async () => {
    const { nc, logLines } = await startConfidential('client_secret_post', 'not-the-secret');
    try {
      const s = await ehrLaunch(nc.sandbox?.origin ?? '', { patient: 'p-li-wei', encounter: 'e-li-wei-6' });
      expect(s.final.status).toBe(502);
      const page = await s.final.text();
      expect(page).toContain('code exchange');
      expect(page).toContain('invalid_client: Client authentication failed');
      const logged = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.message === 'sign-in step failed');
      expect(logged).toMatchObject({ step: 'code exchange', error: 'invalid_client', error_description: 'Client authentication failed', status: 401 });
      expect(logLines.join('\n')).not.toContain('not-the-secret');
    } finally {
      await nc.close();
    }
  });
});

describe('token refresh against a server whose refreshed id_token has no aud', () => {
  let nc: RunningNeedleChart;
  let logLines: string[];
  beforeAll(async () => {
    // Tokens shorter than the refresh margin: every API call refreshes first.
    ({ nc, logLines } = await startTestNeedleChart({ tokenLifetimeSeconds: 30 }));
  });
  afterAll(() => nc.close());

  it('when the refreshed id_token lacks aud, then the session continues with the new access token and the log says why the id_token was not used', async () => {
    const auth = nc.sandbox?.auth;
    if (!auth) throw new Error('the sandbox runs with its authorization server');
    auth.quirks.refreshIdTokenWithoutAud = true;
    try {
      const s = await ehrLaunch(nc.sandbox?.origin ?? '', { patient: 'p-aisha-khan', encounter: 'e-aisha-khan-5' });
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${nc.appUrl}/api/context`, { headers: { cookie: s.cookie, 'x-launch-id': s.launchId } });
        expect(res.status).toBe(200);
        expect(((await res.json()) as { launch: { fhirUser: string } }).launch.fhirUser).toBe('Practitioner/pt-rivera');
      }
      const notUsed = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.message === 'refreshed id_token not used; the user verified at launch is kept');
      expect(notUsed.length).toBeGreaterThanOrEqual(3);
      expect(String(notUsed[0]?.reason)).toContain('aud');
      expect(logLines.some((l) => l.includes('"status":401'))).toBe(false);
    } finally {
      auth.quirks.refreshIdTokenWithoutAud = false;
    }
  });
});
