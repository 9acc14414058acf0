import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { Logger } from '../infra/logger.js';
import { OperationOutcomeError, outcome } from '../outcome/operation-outcome-error.js';
import { sendOutcome } from './send-outcome.js';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * CSRF defence for a cookie that must be `SameSite=None` (an EHR iframe is a third-party context):
 * a state-changing request that names an Origin must come from NeedleChart's own origin. The API's
 * state-changing routes also require the X-Launch-Id header, which a cross-site form cannot send.
 */
export function sameOriginWrites(publicUrl: string | undefined): RequestHandler {
  const configured = publicUrl ? new URL(publicUrl).origin : undefined;
  return (req, _res, next) => {
    const origin = req.get('origin');
    if (!STATE_CHANGING.has(req.method) || !origin) return next();
    const own = `${req.protocol}://${req.get('host') ?? ''}`;
    if (origin === own || origin === configured) return next();
    next(new OperationOutcomeError(403, outcome([{ severity: 'error', code: 'forbidden', diagnostics: 'Cross-site request refused: state-changing requests must come from NeedleChart itself' }])));
  };
}

/**
 * Per-client request limits, answered as a FHIR 429 with Retry-After. A client is its address (the
 * socket's, or the one trusted proxies state: NEEDLECHART_TRUST_PROXY; IPv6 by /56 as
 * express-rate-limit advises) and, when `userOf` names a signed-in user, that user at that address:
 * behind one proxy or NAT, each signed-in user has a budget of their own.
 */
export function limit(perMinute: number, userOf?: (req: Request, res: Response) => string | undefined): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (req, res) => {
      const address = ipKeyGenerator(req.ip ?? '');
      const user = userOf?.(req, res);
      return user ? `${user}@${address}` : address;
    },
    handler: (_req, res) => {
      res.setHeader('Retry-After', '60');
      sendOutcome(res, 429, outcome([{ severity: 'error', code: 'throttled', diagnostics: 'Too many requests: wait a minute and try again' }]));
    },
  });
}

/**
 * Warns once when X-Forwarded-For arrives while NEEDLECHART_TRUST_PROXY is off: a proxy is probably in
 * front, and every client behind it shares one budget. (express-rate-limit's own check,
 * ERR_ERL_UNEXPECTED_X_FORWARDED_FOR, runs only in its default key generator, which `limit` replaces.)
 */
export function untrustedProxyWarning(logger: Logger): RequestHandler {
  let warned = false;
  return (req, _res, next) => {
    if (!warned && req.headers['x-forwarded-for'] !== undefined && req.app.get('trust proxy') === false) {
      warned = true;
      logger.warn('X-Forwarded-For received but NEEDLECHART_TRUST_PROXY is off: rate limits see the proxy, not the clients behind it');
    }
    next();
  };
}
