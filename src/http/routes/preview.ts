import { Router } from 'express';
import { badRequest } from '../../outcome/operation-outcome-error.js';
import { toVisitTransaction } from '../../fhir/visit-bundle.js';
import { analyseSession } from '../../service/preview-session.js';
import type { Core } from '../../service/core.js';

const REFERENCE = /^(Patient|Encounter)\/[A-Za-z0-9\-.]{1,64}$/;

function reference(value: unknown, type: 'Patient' | 'Encounter'): string {
  if (value === undefined) return `${type}/preview`;
  if (typeof value !== 'string' || !REFERENCE.test(value) || !value.startsWith(`${type}/`)) throw badRequest(`${type.toLowerCase()} must be a reference like ${type}/<id>`, type.toLowerCase());
  return value;
}

/**
 * POST /api/preview: a session (or {session, patient?, encounter?}) in; the suggested codes, warnings,
 * readiness findings, the rendered note and the FHIR transaction a save would send out. Writes nothing.
 */
export function previewRouter(core: Core): Router {
  const router = Router();
  router.post('/api/preview', (req, res) => {
    if (!req.is(['application/json', 'application/fhir+json'])) throw badRequest('Send the session as JSON (Content-Type: application/json)');
    const body = req.body as Record<string, unknown> | undefined;
    const wrapped = !!body && typeof body === 'object' && !Array.isArray(body) && 'session' in body;
    const analysis = analyseSession(wrapped ? body.session : body, core);
    const target = { patient: reference(wrapped ? body.patient : undefined, 'Patient'), encounter: reference(wrapped ? body.encounter : undefined, 'Encounter') };
    const noteHtml = core.renderer.render('note', 'html', analysis.view);
    const noteText = core.renderer.render('note', 'text', analysis.view);
    const bundle = toVisitTransaction({ session: analysis.session, target, coding: analysis.coding, note: { html: noteHtml, text: noteText }, version: core.version, now: new Date().toISOString() }, core.profiles);
    res.json({
      codes: analysis.coding.codes,
      warnings: analysis.coding.warnings,
      score: analysis.readiness.score,
      findings: analysis.readiness.findings,
      noteHtml,
      noteText,
      reviewHtml: core.renderer.render('payer-review', 'html', analysis.view),
      bundle,
    });
  });
  return router;
}
