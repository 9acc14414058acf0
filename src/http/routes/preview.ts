import { Router } from 'express';
import { badRequest } from '../../outcome/operation-outcome-error.js';
import { analyseSession } from '../../service/preview-session.js';
import type { Core } from '../../service/core.js';

/**
 * POST /api/preview: a session in, the suggested codes, warnings, readiness findings and the rendered
 * note out. Writes nothing.
 */
export function previewRouter(core: Core): Router {
  const router = Router();
  router.post('/api/preview', (req, res) => {
    if (!req.is(['application/json', 'application/fhir+json'])) throw badRequest('Send the session as JSON (Content-Type: application/json)');
    const analysis = analyseSession(req.body as unknown, core);
    res.json({
      codes: analysis.coding.codes,
      warnings: analysis.coding.warnings,
      score: analysis.readiness.score,
      findings: analysis.readiness.findings,
      noteHtml: core.renderer.render('note', 'html', analysis.view),
      noteText: core.renderer.render('note', 'text', analysis.view),
      reviewHtml: core.renderer.render('payer-review', 'html', analysis.view),
    });
  });
  return router;
}
