import type { RequestHandler, Response } from 'express';
import { FhirGateway } from '../fhir/client.js';
import { OperationOutcomeError, outcome } from '../outcome/operation-outcome-error.js';
import type { SmartClient, StoredLaunch } from '../smart/smart-client.js';
import { LaunchRefused } from '../smart/smart-client.js';
import { launchIdOf, sessionId } from './browser-session.js';
import type { Logger } from '../infra/logger.js';

export interface LaunchAccess {
  readonly id: string;
  readonly launch: StoredLaunch;
  /** `Patient/<id>` and `Encounter/<id>` from the launch context, the only source of either. */
  readonly patient: string;
  readonly encounter: string;
  readonly gateway: FhirGateway;
}

const unauthorized = (text: string) => new OperationOutcomeError(401, outcome([{ severity: 'error', code: 'login', diagnostics: text }]));

/**
 * Resolves the launch an API call works in: the page's launch id (header) must belong to this
 * browser session (cookie). Gives the route a FHIR gateway that sends the launch's access token,
 * refreshes it before expiry, and once more on a 401.
 */
export function launchAccess(smart: SmartClient, logger: Logger, timeoutMs: number, intent: 'chart' | 'compliance' = 'chart'): RequestHandler {
  return async (req, res, next) => {
    const id = launchIdOf(req) ?? (typeof req.query.launch === 'string' && /^[A-Za-z0-9_-]{16,64}$/.test(req.query.launch) ? req.query.launch : undefined);
    if (!id) throw unauthorized('No launch: open NeedleChart from the EHR (the X-Launch-Id header is missing)');
    let launch = await smart.load(id, sessionId(res));
    if (!launch) throw unauthorized('This launch has expired or belongs to another browser session. Launch NeedleChart again from the EHR.');
    if ((launch.context.intent ?? 'chart') !== intent) throw unauthorized(intent === 'compliance' ? 'The compliance export needs a staff sign-in: open /compliance' : 'This sign-in is for the compliance export, not for charting a visit');
    const current = (): StoredLaunch => launch as StoredLaunch;
    const gateway = new FhirGateway({
      baseUrl: launch.iss,
      logger,
      timeoutMs,
      accessToken: async () => {
        try {
          launch = await smart.fresh(id, current());
          return launch.tokens.access;
        } catch (error) {
          if (error instanceof LaunchRefused) throw unauthorized(error.message);
          throw error;
        }
      },
      onUnauthorized: async () => {
        try {
          launch = await smart.refresh(id, current());
        } catch (error) {
          if (error instanceof LaunchRefused) throw unauthorized(error.message);
          throw error;
        }
      },
    });
    const access: LaunchAccess = { id, launch, patient: `Patient/${launch.context.patient}`, encounter: `Encounter/${launch.context.encounter}`, gateway };
    res.locals.launch = access;
    next();
  };
}

export function launchOf(res: Response): LaunchAccess {
  return res.locals.launch as LaunchAccess;
}
