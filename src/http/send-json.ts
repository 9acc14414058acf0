import type { Response } from 'express';

/**
 * Writes JSON text as `res.json` would, but without the ETag express computes for every response: for
 * answers to POSTs, which no client revalidates (a browser sends If-None-Match only with GET and HEAD)
 * and which say no-store anyway. For /api/preview — called on every change in the form — the hash and
 * the extra copy of the body it needs were a tenth of the request's time. The string goes to the
 * socket as it is (no copy into a Buffer first), or as UTF-8 bytes already encoded (a preview worker's
 * answer), with its exact length in bytes.
 */
export function sendJsonText(res: Response, json: string | Uint8Array): void {
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', typeof json === 'string' ? Buffer.byteLength(json, 'utf8') : json.byteLength);
  res.end(json);
}

