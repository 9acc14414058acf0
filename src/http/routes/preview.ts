import { Router } from 'express';
import { badRequest, OperationOutcomeError } from '../../outcome/operation-outcome-error.js';
import { PREVIEW_PARTS, previewAnswerToText } from '../../service/preview-answer.js';
import type { PreviewPool } from '../../service/preview-pool.js';
import { sendJsonText } from '../send-json.js';
import type { Core } from '../../service/core.js';

/**
 * POST /api/preview: a session (or {session, patient?, encounter?, course?}) in; the suggested codes,
 * warnings, readiness findings and the rendered HTML note out (previewAnswer says what each part
 * holds and what `?include=` adds). Writes nothing. The live form calls it on every change: with a
 * preview pool, the work runs in a worker thread, so the server's own thread stays free for launches
 * and saves; without one (before its workers are ready, or when a worker dies) it runs here, with the
 * same answer.
 */
export function previewRouter(core: Core, pool?: PreviewPool): Router {
  const router = Router();
  router.post('/api/preview', async (req, res) => {
    if (!req.is(['application/json', 'application/fhir+json'])) throw badRequest('Send the session as JSON (Content-Type: application/json)');
    const include = String(req.query.include ?? '').split(',').filter((p) => PREVIEW_PARTS.has(p));
    const now = new Date().toISOString();
    // The body arrives as text (create-app mounts a text parser for this route; no body leaves it unset, read as `{}`): it is parsed where the preview is made.
    const text = typeof req.body === 'string' ? req.body : '';
    const here = (): string => previewAnswerToText(core, text, new Set(include), now);
    const inWorker = pool?.answer(text, include, now);
    // A refusal from the worker is the answer; a worker that died takes no preview with it (the work is pure: it is done here).
    sendJsonText(res, inWorker ? await inWorker.catch((error: unknown) => (error instanceof OperationOutcomeError ? Promise.reject(error) : here())) : here());
  });
  return router;
}
