import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../../src/config.js';
import { createApp } from '../../../src/http/create-app.js';
import { createJsonLogger } from '../../../src/infra/logger.js';
import type { Core } from '../../../src/service/core.js';
import { exampleSession, testCore } from '../../support/fixtures.js';

let core: Core;
let app: ReturnType<typeof createApp>;
const logLines: string[] = [];
beforeAll(async () => {
  core = await testCore();
  app = createApp(readConfig({}), { core, logger: createJsonLogger((l) => logLines.push(l)) });
});

describe('GET /healthz', () => {
  it('when asked, then 200 with the version', async () => {
    const res = await request(app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', version: core.version });
  });
});

describe('GET /rules', () => {
  it('when asked, then each payer, code and built-in rule shows its sources, and every source says what was read, with no internal notes', async () => {
    const res = await request(app).get('/rules');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<section id="payer-commercial-investigational">');
    expect(res.text).toContain('<a href="#source-premera-2-01-100">Premera Blue Cross \u2014 Dry Needling of Trigger Points for Myofascial Pain, Medical Policy 2.01.100 (July 1, 2024)</a>');
    expect(res.text).toContain('<li id="source-cms-100-04-5">');
    expect(res.text).toContain('Check this with the payer: Pays 20560 or 20561');
    for (const anchor of ['codes', 'readiness', 'course', 'sources']) expect(res.text).toContain(`<section id="${anchor}">`);
    expect(res.text).not.toMatch(/DOMAIN\.md|CITATIONS\.md|\bseeds? ?\d{3}|\bVERIFY\b/);
  });
});

describe('POST /api/preview', () => {
  it('when a session is previewed, then each code, modifier, warning and finding names its citations by id, and GET /api/sources resolves every id to its citation as data', async () => {
    const res = await request(app).post('/api/preview').send(exampleSession());
    const catalogue = await request(app).get('/api/sources');
    expect(catalogue.status).toBe(200);
    expect(catalogue.headers['cache-control']).toBe('public, max-age=300');
    const sources = catalogue.body.sources as Record<string, { id: string; publisher: string; title: string; date?: string; verified: boolean }>;
    const [needling] = res.body.codes as { rationale: string; source?: string; citations: string[]; modifierRationale: { citations: string[] }[] }[];
    expect(needling?.citations).toContain('nethealth-2025');
    expect(sources['nethealth-2025']).toEqual(expect.objectContaining({ id: 'nethealth-2025', publisher: 'Net Health', title: 'Dry Needling: CPT Codes, Practitioner Concerns, and More', date: '2025-06-12', verified: true }));
    expect(needling?.rationale).not.toContain('Net Health');
    // The live panel's answer names sources by id only: no one-line source, no citations repeated.
    expect(needling?.source).toBeUndefined();
    expect(res.body.sources).toBeUndefined();
    expect(needling?.modifierRationale[0]?.citations.length).toBeGreaterThan(0);
    const items = [...res.body.codes, ...res.body.codes.flatMap((c: { modifierRationale: unknown[] }) => c.modifierRationale), ...res.body.warnings, ...res.body.findings] as { citations: string[]; verified: boolean; source?: string }[];
    for (const item of items) {
      expect(Array.isArray(item.citations)).toBe(true);
      expect(item.source).toBeUndefined();
      for (const id of item.citations) expect(sources[id]?.id).toBe(id);
    }
    expect((res.body.findings as { citations: string[] }[]).flatMap((f) => f.citations)).toContain('kearns-2022');
  });

  it('when sources are asked for, then each item keeps its one-line source beside its ids, and each citation it names comes once as data', async () => {
    const res = await request(app).post('/api/preview?include=sources').send(exampleSession());
    const sources = res.body.sources as Record<string, { id: string }>;
    const [needling] = res.body.codes as { source: string; citations: string[] }[];
    expect(needling?.source).toContain('Net Health \u2014 Dry Needling: CPT Codes, Practitioner Concerns, and More (June 12, 2025)');
    const items = [...res.body.codes, ...res.body.codes.flatMap((c: { modifierRationale: unknown[] }) => c.modifierRationale), ...res.body.warnings, ...res.body.findings] as { citations: string[] }[];
    for (const item of items) for (const id of item.citations) expect(sources[id]?.id).toBe(id);
    // Only the citations named, nothing else.
    expect(new Set(Object.keys(sources))).toEqual(new Set(items.flatMap((i) => i.citations)));
  });

  it('when the example session is posted, then codes, warnings, findings and the rendered note come back', async () => {
    const res = await request(app).post('/api/preview?include=text,review').send(exampleSession());
    expect(res.status).toBe(200);
    expect(res.body.codes.map((c: { code: string }) => c.code)).toEqual(['20561', '97014']);
    expect(res.body.warnings.some((w: { rule: string }) => w.rule === 'investigational-payer')).toBe(true);
    expect(res.body.score).toBeGreaterThan(0);
    expect(res.body.findings.every((f: { severity: string }) => f.severity !== 'error')).toBe(true);
    expect(res.body.noteHtml).toContain('<article class="nc-note');
    expect(res.body.noteText).toContain('DRY NEEDLING TREATMENT NOTE');
    expect(res.body.reviewHtml).toContain('Payer-review summary');
  });

  it('when no parts are asked for, then only codes, warnings, score, findings and the HTML note come back (the live form\'s call)', async () => {
    const res = await request(app).post('/api/preview').send(exampleSession());
    expect(Object.keys(res.body).sort()).toEqual(['codes', 'findings', 'noteHtml', 'score', 'warnings']);
  });

  it('when a preview is answered, then its compact JSON carries an exact length, no-store and the security headers, and no ETag (nothing revalidates a POST, and hashing the body on every change is pure cost)', async () => {
    const res = await request(app).post('/api/preview').send({ session: exampleSession(), course: { visitNumber: 2 } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(res.text)));
    expect(res.text).toBe(JSON.stringify(res.body));
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['ratelimit-policy']).toBeDefined();
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.etag).toBeUndefined();
  });

  it('when patient and encounter are given, then the preview carries the transaction Bundle a save would send', async () => {
    const res = await request(app).post('/api/preview').send({ session: exampleSession(), patient: 'Patient/p-1', encounter: 'Encounter/e-1' });
    expect(res.status).toBe(200);
    expect(res.body.bundle.type).toBe('transaction');
    expect(res.body.bundle.entry[0].resource.subject.reference).toBe('Patient/p-1');
  });

  it('when a bare session asks for the bundle, then it uses placeholder references', async () => {
    const res = await request(app).post('/api/preview?include=bundle').send(exampleSession());
    expect(res.body.bundle.entry[0].resource.subject.reference).toBe('Patient/preview');
  });

  it('when a reference is malformed, then 400 naming it', async () => {
    const res = await request(app).post('/api/preview').send({ session: exampleSession(), patient: 'p-1', encounter: 'Encounter/e-1' });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).issue[0].expression).toEqual(['patient']);
  });

  it('when the body is not JSON, then 400 OperationOutcome as application/fhir+json', async () => {
    const res = await request(app).post('/api/preview').set('Content-Type', 'application/json').send('{"date":');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/fhir\+json/);
    expect(JSON.parse(res.text)).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'structure' }] });
  });

  it('when the body claims gzip but is not compressed (found by fuzzing), then 400 OperationOutcome, not 500', async () => {
    const res = await request(app).post('/api/preview').set('Content-Type', 'application/json').set('Content-Encoding', 'gzip').send('{');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).resourceType).toBe('OperationOutcome');
  });

  it('when the body is not sent as JSON, then 400 saying how to send it', async () => {
    const res = await request(app).post('/api/preview').set('Content-Type', 'text/plain').send('hello');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).issue[0].diagnostics).toMatch(/Content-Type: application\/json/);
  });

  it('when the session breaks the schema, then 422 with one issue per error and expression = field path', async () => {
    const session = exampleSession();
    const bad = { ...session, payer: 'unknown-payer', muscles: [{ ...session.muscles[0], side: 'middle' }, { ...session.muscles[1], muscle: 'xyz' }] };
    const res = await request(app).post('/api/preview').send(bad);
    expect(res.status).toBe(422);
    const outcome = JSON.parse(res.text) as { issue: { expression: string[]; diagnostics: string; code: string }[] };
    expect(outcome.issue).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'invalid', expression: ['payer'], diagnostics: "payer 'unknown-payer' is not in the payer policies" }),
        expect.objectContaining({ expression: ['muscles[0].side'], diagnostics: 'muscles[0].side must be left or right' }),
        expect.objectContaining({ expression: ['muscles[1].muscle'], diagnostics: "muscles[1].muscle 'xyz' is not in the muscle catalog" }),
      ]),
    );
    expect(outcome.issue).toHaveLength(3);
  });

  it('when the body is larger than the limit, then 413 OperationOutcome', async () => {
    const res = await request(app).post('/api/preview').set('Content-Type', 'application/json').send(JSON.stringify({ plan: 'x'.repeat(300_000) }));
    expect(res.status).toBe(413);
    expect(JSON.parse(res.text).resourceType).toBe('OperationOutcome');
  });

  it('when a handler fails unexpectedly, then 500 exception with generic text that leaks nothing', async () => {
    const broken = createApp(readConfig({}), { core: { ...core, renderer: { render: () => { throw new Error('Patient Jane Doe DOB 1970'); } } }, logger: createJsonLogger((l) => logLines.push(l)) });
    const res = await request(broken).post('/api/preview').send(exampleSession());
    expect(res.status).toBe(500);
    expect(res.text).not.toContain('Jane');
    expect(JSON.parse(res.text).issue[0].code).toBe('exception');
    expect(logLines.join('\n')).not.toContain('Jane');
  });
});

describe('unknown routes and logging', () => {
  it('when a route does not exist, then 404 OperationOutcome not-found', async () => {
    const res = await request(app).get('/api/nothing-here');
    expect(res.status).toBe(404);
    expect(JSON.parse(res.text).issue[0].code).toBe('not-found');
  });

  it('when a session is previewed, then the log holds the request line but no patient text or note', async () => {
    logLines.length = 0;
    const session = { ...exampleSession(), response: 'Patient Zebediah said the left side eased.' };
    const res = await request(app).post('/api/preview').send(session);
    expect(res.status).toBe(200);
    const log = logLines.join('\n');
    expect(log).toContain('"route":"/api/preview"');
    expect(log).toContain('"status":200');
    expect(log).not.toContain('Zebediah');
    expect(log).not.toContain('upper-trapezius');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
