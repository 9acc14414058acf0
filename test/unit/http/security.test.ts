import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFParse } from 'pdf-parse';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../../src/config.js';
import { writeVisitPdf } from '../../../src/export/pdf/visit-pdf.js';
import { pdfText } from '../../../src/export/pdf/pdf-text.js';
import type { VisitSummary } from '../../../src/export/visit-summary.js';
import { createApp } from '../../../src/http/create-app.js';
import { createJsonLogger, silentLogger } from '../../../src/infra/logger.js';
import { loadBodyMap } from '../../../src/profiles/load-body-map.js';
import type { AppDeps } from '../../../src/http/create-app.js';
import { SealedJson } from '../../../src/smart/sealed-json.js';
import { SessionRegistry } from '../../../src/smart/session-registry.js';
import { MemorySessionStore } from '../../../src/smart/session-store.js';
import { SmartClient } from '../../../src/smart/smart-client.js';
import { StoreKeys } from '../../../src/smart/store-keys.js';
import type { Core } from '../../../src/service/core.js';
import { analyseSession } from '../../../src/service/preview-session.js';
import { completeSession, exampleSession, muscle, testCore } from '../../support/fixtures.js';

let core: Core;
beforeAll(async () => {
  core = await testCore();
});

const HOSTILE = '<script>alert(1)</script>{{payer.name}}\u0000\u001b[31m' + 'x'.repeat(1500);

describe('web security headers', () => {
  it('when any page is served, then a strict CSP without inline script, frame-ancestors from config, and no X-Frame-Options', async () => {
    const app = createApp(readConfig({ NEEDLECHART_FRAME_ANCESTORS: 'https://ehr.example.org' }), { core, logger: silentLogger, frameAncestors: ['https://ehr.example.org'] });
    const res = await request(app).get('/healthz');
    const csp = res.headers['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'self' https://ehr.example.org");
    expect(res.headers['x-frame-options']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });
});

describe('HTTPS', () => {
  it('when the public URL is https, then every answer carries HSTS for a year with subdomains', async () => {
    const app = createApp(readConfig({ NEEDLECHART_PUBLIC_URL: 'https://needlechart.example.org' }), { core, logger: silentLogger });
    const res = await request(app).get('/healthz');
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  });

  it('when the app runs on loopback http, then no HSTS header is sent', async () => {
    const app = createApp(readConfig({ NEEDLECHART_PUBLIC_URL: 'http://127.0.0.1:3000' }), { core, logger: silentLogger });
    expect((await request(app).get('/healthz')).headers['strict-transport-security']).toBeUndefined();
  });
});

/** The launch side of the app, over an in-memory store, with no EHR behind it. */
function smartDeps(): NonNullable<AppDeps['smart']> {
  const secret = new Uint8Array(32).fill(5);
  const store = new MemorySessionStore();
  const sealer = new SealedJson(secret);
  const keys = new StoreKeys(secret);
  const sessions = new SessionRegistry(store, keys);
  const client = new SmartClient({ client: { clientId: 'nc', auth: 'none' }, redirectUri: () => 'https://needlechart.example.org/callback', scopes: { ehr: [], standalone: [], compliance: [] }, issAllowlist: () => [], store, sealer, keys, sessions });
  return { client, store, sealer, keys, sessions };
}

describe('session cookie', () => {
  it('when the public URL is https, then the cookie is __Host-nc_sid: Secure, Path=/, no Domain, SameSite=None, Partitioned, HttpOnly', async () => {
    const app = createApp(readConfig({ NEEDLECHART_PUBLIC_URL: 'https://needlechart.example.org' }), { core, logger: silentLogger, smart: smartDeps() });
    const cookie = (await request(app).get('/api/context')).headers['set-cookie']?.[0] ?? '';
    expect(cookie).toMatch(/^__Host-nc_sid=[A-Za-z0-9_-]{43};/);
    const attributes = cookie.split(';').slice(1).map((a) => a.trim().split('=')[0]?.toLowerCase());
    expect(attributes).toEqual(expect.arrayContaining(['secure', 'path', 'samesite', 'partitioned', 'httponly']));
    expect(attributes).not.toContain('domain');
    expect(cookie).toMatch(/Path=\/;/);
    expect(cookie).toMatch(/SameSite=None/);
  });

  it('when the app runs on loopback http, then the cookie keeps its plain name', async () => {
    const app = createApp(readConfig({}), { core, logger: silentLogger, smart: smartDeps() });
    expect((await request(app).get('/api/context')).headers['set-cookie']?.[0]).toMatch(/^nc_sid=[A-Za-z0-9_-]{43};.*SameSite=None/);
  });

  it('when the https app receives the plain-named cookie, then it does not accept it and issues a __Host- one', async () => {
    const deps = smartDeps();
    const sid = await deps.sessions.issue();
    const app = createApp(readConfig({ NEEDLECHART_PUBLIC_URL: 'https://needlechart.example.org' }), { core, logger: silentLogger, smart: deps });
    expect((await request(app).get('/api/context').set('Cookie', `__Host-nc_sid=${sid}`)).headers['set-cookie']).toBeUndefined();
    expect((await request(app).get('/api/context').set('Cookie', `nc_sid=${sid}`)).headers['set-cookie']?.[0]).toMatch(/^__Host-nc_sid=/);
  });

  it('when sign-out comes without the page\'s launch header, then 403 and the session lives on', async () => {
    const deps = smartDeps();
    const sid = await deps.sessions.issue();
    const app = createApp(readConfig({}), { core, logger: silentLogger, smart: deps });
    const res = await request(app).post('/api/sign-out').set('Cookie', `nc_sid=${sid}`);
    expect(res.status).toBe(403);
    expect(JSON.parse(res.text).issue[0].code).toBe('forbidden');
    expect(await deps.sessions.find(sid)).toEqual({ sid, signedIn: false });
  });
});

describe('CSRF defence', () => {
  it('when a state-changing request comes from another origin, then 403 and nothing runs', async () => {
    const app = createApp(readConfig({}), { core, logger: silentLogger });
    const res = await request(app).post('/api/preview').set('Origin', 'https://evil.example.org').send(exampleSession());
    expect(res.status).toBe(403);
    expect(JSON.parse(res.text).issue[0].code).toBe('forbidden');
  });

  it('when it comes from the app itself or from a non-browser client, then it is served', async () => {
    const app = createApp(readConfig({}), { core, logger: silentLogger });
    const same = await request(app).post('/api/preview').set('Host', 'localhost:3000').set('Origin', 'http://localhost:3000').send(exampleSession());
    expect(same.status).toBe(200);
    expect((await request(app).post('/api/preview').send(exampleSession())).status).toBe(200);
  });
});

describe('rate limits', () => {
  it('when a client exceeds the API limit, then 429 OperationOutcome with Retry-After', async () => {
    const app = createApp(readConfig({ NEEDLECHART_API_RATE_LIMIT: '10' }), { core, logger: silentLogger });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await request(app).get('/api/catalog')).status);
    expect(statuses.slice(0, 10).every((s) => s === 200)).toBe(true);
    const limited = await request(app).get('/api/catalog');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('60');
    expect(JSON.parse(limited.text).issue[0].code).toBe('throttled');
  });
});

describe('rate limits behind a proxy', () => {
  const burst = async (app: ReturnType<typeof createApp>, forwardedFor: string, n: number) => {
    const statuses: number[] = [];
    for (let i = 0; i < n; i++) statuses.push((await request(app).get('/api/catalog').set('X-Forwarded-For', forwardedFor)).status);
    return statuses;
  };

  it('when NEEDLECHART_TRUST_PROXY names one hop, then clients behind the proxy each have their own budget', async () => {
    const app = createApp(readConfig({ NEEDLECHART_API_RATE_LIMIT: '10', NEEDLECHART_TRUST_PROXY: '1' }), { core, logger: silentLogger });
    expect((await burst(app, '203.0.113.7', 11)).at(-1)).toBe(429);
    expect(await burst(app, '203.0.113.8', 1)).toEqual([200]);
  });

  it('when X-Forwarded-For arrives while trust proxy is off, then the log warns once', async () => {
    const lines: string[] = [];
    const app = createApp(readConfig({}), { core, logger: createJsonLogger((l) => lines.push(l)) });
    await burst(app, '203.0.113.7', 2);
    expect(lines.filter((l) => l.includes('"level":"warn"') && l.includes('NEEDLECHART_TRUST_PROXY is off'))).toHaveLength(1);
    const trusting: string[] = [];
    await burst(createApp(readConfig({ NEEDLECHART_TRUST_PROXY: '1' }), { core, logger: createJsonLogger((l) => trusting.push(l)) }), '203.0.113.7', 1);
    expect(trusting.join('\n')).not.toContain('NEEDLECHART_TRUST_PROXY is off');
  });

  it('when trust proxy is off (the default), then a forged X-Forwarded-For does not buy a fresh budget', async () => {
    const app = createApp(readConfig({ NEEDLECHART_API_RATE_LIMIT: '10' }), { core, logger: silentLogger });
    expect((await burst(app, '203.0.113.7', 11)).at(-1)).toBe(429);
    expect(await burst(app, '198.51.100.9', 1)).toEqual([429]);
  });
});

describe('hostile text', () => {
  it('when every free-text field holds markup, template syntax, control and very long text, then the HTML note escapes it all', () => {
    const session = completeSession({ response: HOSTILE, plan: HOSTILE, needle: { type: HOSTILE.slice(0, 100), diameterMm: 0.3, lengthMm: 40 }, screening: { contraindications: [], precautions: [HOSTILE.slice(0, 200)], cleared: true }, muscles: [muscle('piriformis', 'left', { notes: HOSTILE, precaution: HOSTILE.slice(0, 300) })], adverseEvents: [{ type: HOSTILE.slice(0, 100), severity: 'mild' }] });
    const html = core.renderer.render('note', 'html', analyseSession(session, core).view);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('{{payer.name}}');
  });

  it('when hostile text goes into a PDF, then it is written as plain WinAnsi text, never as markup', async () => {
    expect(pdfText('a\u2212b \u2192 c <script> \u0007 \u{1F600}')).toBe('a-b -> c <script>  ?');
    const session = completeSession({ response: 'Felt <b>better</b> {{x}}', muscles: [muscle('piriformis', 'left', { notes: HOSTILE.slice(0, 200) })] });
    const a = analyseSession(session, core);
    const summary: VisitSummary = {
      procedureId: 'p1', patient: 'Patient/p-1', patientId: 'p-1', patientName: '<img src=x onerror=alert(1)>', encounter: 'Encounter/e-1', date: session.date, performer: 'x', session,
      payerName: 'Acme', view: a.view, coding: a.coding, readiness: a.readiness, noteText: core.renderer.render('note', 'text', a.view), provenance: [], amendments: 0, painTrend: [], resources: [], sourceHash: 'h',
    };
    const file = join(mkdtempSync(join(tmpdir(), 'nc-pdf-')), 'v.pdf');
    await writeVisitPdf(file, summary, loadBodyMap(), core.profiles);
    const parser = new PDFParse({ data: readFileSync(file) });
    const text = (await parser.getText()).text;
    await parser.destroy();
    expect(text).toContain('<img src=x onerror=alert(1)>');
    expect(text).toContain('Felt <b>better</b> {{x}}');
  });
});

describe('logs', () => {
  it('when a field named like a secret or patient data is logged, then its value is redacted', () => {
    const lines: string[] = [];
    const logger = createJsonLogger((l) => lines.push(l));
    logger.info('request', { requestId: 'r1', authorization: 'Bearer secret-token', patient: 'Patient/p-1', name: 'Maria Lopez', status: 200 });
    expect(lines[0]).toContain('"requestId":"r1"');
    expect(lines[0]).not.toMatch(/secret-token|Maria|Patient\/p-1/);
  });
});
