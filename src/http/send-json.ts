import type { Response } from 'express';

/**
 * Writes `body` as compact JSON, as `res.json` would, but without the ETag express computes for every
 * response: for answers to POSTs, which no client revalidates (a browser sends If-None-Match only with
 * GET and HEAD) and which say no-store anyway. For /api/preview — called on every change in the form,
 * about 40 KB for a busy visit — the hash and the extra copy of the body it needs were a tenth of the
 * request's time. The body is encoded once and its exact length sent.
 */
export function sendJsonWithoutEtag(res: Response, body: unknown): void {
  const bytes = Buffer.from(JSON.stringify(body), 'utf8');
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', bytes.length);
  res.end(bytes);
}
