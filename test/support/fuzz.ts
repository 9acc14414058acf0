import fc from 'fast-check';
import request from 'supertest';
import type { Express } from 'express';
import type { Session } from '../../src/domain/types.generated.js';
import { validateBundleResources, type R4SchemaValidator } from '../../src/fhir/r4-schema-validator.js';
import { OperationOutcomeError } from '../../src/outcome/operation-outcome-error.js';
import type { Core } from '../../src/service/core.js';
import { analyseSession, visitTransactionFor } from '../../src/service/preview-session.js';
import { exampleSession } from './fixtures.js';

/** Free text as people (and attackers) type it: unicode, markup, template syntax, control characters. */
const freeText = (max: number) =>
  fc.oneof(fc.string({ minLength: 1, maxLength: Math.min(max, 60), unit: 'grapheme' }), fc.constantFrom('<script>alert(1)</script>', '{{payer.name}}', '"><img src=x onerror=alert(1)>', 'a\u0000b\u001bc', 'x'.repeat(max)));

/** Valid sessions drawn from the catalogs, with hostile free text where the schema allows text. */
export function validSession(core: Core): fc.Arbitrary<Session> {
  const muscles = [...core.profiles.muscles.keys()];
  const payers = [...core.profiles.payers.keys()];
  const instruments = [...core.profiles.instruments.values()];
  const dx = [...core.profiles.icd10.values()].filter((c) => c.billable && !c.billableFrom);
  const side = fc.constantFrom('left' as const, 'right' as const);
  const muscle = fc.record(
    {
      muscle: fc.constantFrom(...muscles),
      side,
      depth: fc.constantFrom('superficial' as const, 'deep' as const),
      technique: fc.constantFrom('static' as const, 'pistoning' as const, 'rotation' as const, 'pistoning-rotation' as const),
      needles: fc.integer({ min: 1, max: 50 }),
      retentionSeconds: fc.integer({ min: 0, max: 1800 }),
      twitch: fc.oneof(fc.record({ elicited: fc.constant(true), count: fc.integer({ min: 0, max: 100 }) }), fc.record({ elicited: fc.constant(false) })),
      precaution: freeText(300),
      notes: freeText(2000),
    },
    { requiredKeys: ['muscle', 'side', 'depth', 'technique', 'needles', 'retentionSeconds', 'twitch'] },
  );
  return fc
    .record({
      date: fc.date({ min: new Date('2020-01-02T00:00:00Z'), max: new Date('2027-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().replace(/\.\d{3}Z$/, '-05:00')),
      payer: fc.constantFrom(...payers),
      billing: fc.constantFrom('bill-payer' as const, 'self-pay' as const, 'document-only' as const),
      diagnoses: fc.uniqueArray(fc.constantFrom(...dx), { maxLength: 3, selector: (d) => d.code }).map((list) => list.map((d) => ({ system: 'http://hl7.org/fhir/sid/icd-10-cm' as const, code: d.code, display: d.display }))),
      consent: fc.record({ obtained: fc.boolean(), investigationalStatusDisclosed: fc.boolean() }),
      muscles: fc.array(muscle, { minLength: 1, maxLength: 8 }),
      estimApplied: fc.boolean(),
      painPre: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
      painPost: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
      measure: fc.option(fc.constantFrom(...instruments).chain((i) => fc.record({ instrument: fc.constant(i.id), score: fc.integer({ min: i.min, max: i.max }) })), { nil: undefined }),
      response: fc.option(freeText(4000), { nil: undefined }),
      plan: fc.option(freeText(4000), { nil: undefined }),
    })
    .map((r) => {
      const s = exampleSession();
      return {
        ...s,
        date: r.date,
        payer: r.payer,
        billing: r.billing,
        diagnoses: r.diagnoses,
        consent: r.consent,
        muscles: r.muscles,
        estim: r.estimApplied ? { applied: true, attended: false, minutes: 10, frequencyHz: 2, waveform: 'biphasic', intensity: 'tolerance', muscles: [{ muscle: r.muscles[0]?.muscle ?? '', side: r.muscles[0]?.side ?? 'left' }] } : { applied: false },
        outcomes: { ...(r.painPre !== undefined ? { painPre: r.painPre } : {}), ...(r.painPost !== undefined ? { painPost: r.painPost } : {}), ...(r.measure ? { measures: [r.measure] } : {}) },
        ...(r.response !== undefined ? { response: r.response } : { response: undefined }),
        ...(r.plan !== undefined ? { plan: r.plan } : { plan: undefined }),
      } as Session;
    });
}

/** Any JSON, and the example with one field replaced by any JSON or removed. */
export function anyInput(): fc.Arbitrary<unknown> {
  const example = exampleSession() as unknown as Record<string, unknown>;
  const keys = Object.keys(example);
  return fc.oneof(
    fc.jsonValue(),
    fc.record({ key: fc.constantFrom(...keys), value: fc.jsonValue() }).map(({ key, value }) => ({ ...example, [key]: value })),
    fc.constantFrom(...keys).map((key) => {
      const copy = { ...example };
      delete copy[key];
      return copy;
    }),
    fc.record({ index: fc.nat({ max: 3 }), field: fc.constantFrom('muscle', 'side', 'depth', 'technique', 'needles', 'retentionSeconds', 'twitch', 'extra'), value: fc.jsonValue() }).map(({ index, field, value }) => {
      const copy = structuredClone(example) as { muscles: Record<string, unknown>[] };
      const m = copy.muscles[index];
      if (m) m[field] = value;
      return copy;
    }),
  );
}

/** Property A: any input gives a result or a 422 OperationOutcome with field-level issues; nothing else is thrown. */
export function propertyAnyInput(core: Core): fc.IPropertyWithHooks<[unknown]> {
  return fc.property(anyInput(), (input) => {
    try {
      analyseSession(input, core);
    } catch (error) {
      if (!(error instanceof OperationOutcomeError) || error.status !== 422) throw error;
      for (const issue of error.outcome.issue) {
        if (issue.severity !== 'error' || !issue.diagnostics) throw new Error(`bad issue ${JSON.stringify(issue)}`);
      }
    }
  });
}

/** Property B: every valid session codes, checks, renders safely and maps to valid R4. */
export function propertyValidSession(core: Core, r4: R4SchemaValidator): fc.IPropertyWithHooks<[Session]> {
  return fc.property(validSession(core), (session) => {
    const a = analyseSession(session, core);
    const needling = a.coding.codes.filter((c) => ['20560', '20561', '20999'].includes(c.code));
    if (needling.length !== 1 || needling[0]?.units !== 1) throw new Error(`needling codes ${JSON.stringify(needling)}`);
    if (!Number.isInteger(a.readiness.score) || a.readiness.score < 0 || a.readiness.score > 100) throw new Error(`score ${a.readiness.score}`);
    const html = core.renderer.render('note', 'html', a.view);
    if (/<script/i.test(html) || /<img/i.test(html)) throw new Error('markup leaked into the note');
    const text = core.renderer.render('note', 'text', a.view);
    const bundle = visitTransactionFor(core, a, { patient: 'Patient/p-1', encounter: 'Encounter/e-1' }, '2026-11-20T20:00:00.000Z', undefined, { html, text });
    const issues = validateBundleResources(r4, bundle);
    if (issues.length) throw new Error(`R4: ${issues.map((i) => i.message).join('; ')}`);
  });
}

const PATHS = ['/api/preview', '/api/catalog', '/api/body-map', '/api/context', '/api/sessions', '/api/exports', '/healthz', '/rules', '/cds-services', '/../etc/passwd', '/%00', `/${'a'.repeat(3000)}`, '/api/preview?include=bundle,text,review'];

/** Property C: no request, however odd, makes a 500; every /api error is a FHIR OperationOutcome. */
export function propertyHttp(app: Express): fc.IAsyncPropertyWithHooks<[string, string, string | undefined, string]> {
  return fc.asyncProperty(
    fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
    fc.constantFrom(...PATHS),
    fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', undefined),
    fc.oneof(fc.json(), fc.string(), fc.json().map((j) => j.slice(0, Math.max(1, j.length - 1)))),
    async (method, path, type, body) => {
      let req = request(app)[method.toLowerCase() as 'get'](path);
      if (type) req = req.set('Content-Type', type);
      const res = method === 'GET' || method === 'DELETE' ? await req : await req.send(body);
      if (res.status >= 500) throw new Error(`${method} ${path} → ${res.status}`);
      if (res.status >= 400 && path.startsWith('/api')) {
        if (!/application\/fhir\+json/.test(res.headers['content-type'] ?? '')) throw new Error(`${method} ${path} → ${res.status} ${res.headers['content-type']}`);
        const outcome = JSON.parse(res.text) as { resourceType?: string; issue?: unknown[] };
        if (outcome.resourceType !== 'OperationOutcome' || !outcome.issue?.length) throw new Error('not an OperationOutcome');
      }
    },
  );
}
