import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from '../infra/logger.js';

/** What the logs say for a request no route matched: its path may hold a name (/api/patients/Maria-Lopez). */
export const UNKNOWN_ROUTE = 'unknown route';

/**
 * The route a request is logged under: the pattern of the route that handled it (`/api/exports/:id`),
 * a label set with labelRoute, or UNKNOWN_ROUTE — never the path or the query as sent.
 */
export function routeOf(req: Request, res: Response): string {
  const pattern: unknown = req.route?.path;
  if (typeof pattern === 'string') return pattern;
  return typeof res.locals.routeLabel === 'string' ? res.locals.routeLabel : UNKNOWN_ROUTE;
}

/**
 * Names, in the logs, requests answered by a middleware rather than a route (static files, a 401 from
 * an access check). Without `label`, the path the mount matched: use that only on literal mount paths
 * (no `:parameters`), where the matched path is the pattern itself.
 */
export function labelRoute(label?: string): RequestHandler {
  return (req, res, next) => {
    res.locals.routeLabel = label ?? req.baseUrl;
    next();
  };
}

/**
 * Gives every request an id (echoed as X-Request-Id) and logs one line when it ends: method, route
 * pattern, status, duration. No path, no query string, no body: they may hold patient data.
 */
export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const requestId = randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger.info('request', { requestId, method: req.method, route: routeOf(req, res), status: res.statusCode, ms: Math.round(ms * 10) / 10 });
    });
    next();
  };
}
