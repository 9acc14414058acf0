import type { RequestHandler, Response } from 'express';

/**
 * Responses that may carry patient data are never stored by a browser or a proxy: `Cache-Control:
 * no-store` (and `Pragma: no-cache` for HTTP/1.0 caches) set before any route runs, so errors, event
 * streams and file downloads carry it too. A route that serves reference data opts out with publicCache.
 */
export function noStore(): RequestHandler {
  return (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    next();
  };
}

/** Reference data with no patient in it (the catalog, the body map): cacheable by anyone for `seconds`. */
export function publicCache(res: Response, seconds: number): void {
  res.removeHeader('Pragma');
  res.setHeader('Cache-Control', `public, max-age=${seconds}`);
}
