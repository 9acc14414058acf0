import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
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

/** Per-client request limits, answered as a FHIR 429 with Retry-After. */
export function limit(perMinute: number): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (_req, res) => {
      res.setHeader('Retry-After', '60');
      sendOutcome(res, 429, outcome([{ severity: 'error', code: 'throttled', diagnostics: 'Too many requests: wait a minute and try again' }]));
    },
  });
}
