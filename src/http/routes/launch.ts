import { Router, type Response } from 'express';
import { LaunchRefused, type LaunchProblem, type SmartClient } from '../../smart/smart-client.js';
import { sessionId } from '../browser-session.js';
import { launchProblemPage } from '../launch-pages.js';
import type { Logger } from '../../infra/logger.js';

const TITLES: Record<LaunchProblem, string> = {
  'unknown-iss': 'This EHR is not allowed to launch NeedleChart',
  discovery: 'The EHR could not be reached',
  state: 'This sign-in cannot be completed',
  authorization: 'The EHR refused the sign-in',
  token: 'The EHR did not complete the sign-in',
  'id-token': 'The EHR sign-in could not be verified',
  'no-context': 'No patient visit was selected',
  expired: 'The EHR session has expired',
};

function refuse(res: Response, logger: Logger, error: unknown): void {
  if (error instanceof LaunchRefused) {
    logger.warn('launch refused', { problem: error.problem });
    res.status(error.problem === 'discovery' || error.problem === 'token' ? 502 : 400).type('html').send(launchProblemPage(TITLES[error.problem], error.message));
    return;
  }
  throw error;
}

/**
 * GET /launch (EHR launch with `launch`, standalone without) and GET /callback (the registered
 * redirect URI). Both answer with a page, never a redirect to anywhere but the EHR's own
 * authorization endpoint or the app itself.
 */
export function launchRouter(smart: SmartClient, logger: Logger): Router {
  const router = Router();
  router.get('/launch', async (req, res) => {
    const iss = typeof req.query.iss === 'string' ? req.query.iss : undefined;
    const launch = typeof req.query.launch === 'string' ? req.query.launch : undefined;
    const intent = req.query.intent === 'compliance' ? 'compliance' : 'chart';
    if (!iss) {
      res.status(400).type('html').send(launchProblemPage('NeedleChart was opened without an EHR', 'Open NeedleChart from the patient\'s chart in your EHR (the launch needs an iss parameter).'));
      return;
    }
    try {
      res.redirect(302, await smart.begin({ iss, ...(launch !== undefined && intent === 'chart' ? { launch } : {}), sid: sessionId(res), intent }));
    } catch (error) {
      refuse(res, logger, error);
    }
  });

  router.get('/callback', async (req, res) => {
    try {
      const { id, intent } = await smart.complete({ query: new URL(req.originalUrl, 'http://app').searchParams, sid: sessionId(res) });
      res.redirect(303, `${intent === 'compliance' ? '/compliance' : '/app'}?launch=${encodeURIComponent(id)}`);
    } catch (error) {
      refuse(res, logger, error);
    }
  });
  return router;
}
