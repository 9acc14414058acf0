import { Router } from 'express';
import { forbidden } from '../../outcome/operation-outcome-error.js';
import type { Logger } from '../../infra/logger.js';
import { launchIdOf, type BrowserSessions } from '../browser-session.js';

/**
 * POST /api/sign-out: ends the browser session on the server — its launches (with their tokens),
 * drafts and record, on every instance sharing the store — and clears the cookie. Like every other
 * API write it must come from NeedleChart's own origin (sameOriginWrites) and carry the page's
 * X-Launch-Id header, which a cross-site form cannot send.
 */
export function signOutRouter(sessions: BrowserSessions, logger: Logger): Router {
  const router = Router();
  router.post('/api/sign-out', async (req, res) => {
    if (!launchIdOf(req)) throw forbidden('Sign out from the NeedleChart page: this request did not come from it');
    await sessions.signOut(req, res);
    logger.info('signed out', { requestId: res.locals.requestId as string | undefined });
    res.status(204).end();
  });
  return router;
}
