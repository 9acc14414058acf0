import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Faults the proxy can inject, each for the next matching request only:
 * - `drop-response`: forward, let the server finish, then cut the connection (the write landed; the client never heard);
 *   with `reset`, cut it with a TCP reset (the client sees ECONNRESET, as on a reused keep-alive connection);
 * - `drop-request`: cut the connection before forwarding (nothing reaches the server);
 * - `status`: answer `status` (with an OperationOutcome and optional Retry-After) without forwarding;
 * - `delay`: hold the request `ms` before forwarding (past the client's timeout).
 */
export type Fault =
  | { readonly kind: 'drop-response'; readonly reset?: boolean }
  | { readonly kind: 'drop-request' }
  | { readonly kind: 'status'; readonly status: number; readonly retryAfter?: number }
  | { readonly kind: 'delay'; readonly ms: number };

export interface FaultProxy {
  readonly url: string;
  /** Queue `fault` for the next request that `match` accepts (default: any). */
  inject(fault: Fault | 'drop-response', match?: (req: IncomingMessage) => boolean): void;
  readonly seen: { method: string; path: string }[];
  close(): Promise<void>;
}

/** A real HTTP proxy on loopback between the app and the FHIR server, for faults that cannot otherwise be provoked. */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const pending: { fault: Fault; match: (req: IncomingMessage) => boolean }[] = [];
  const seen: { method: string; path: string }[] = [];
  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push({ method: req.method ?? '', path: req.url ?? '' });
    const i = pending.findIndex((p) => p.match(req));
    const fault = i >= 0 ? pending.splice(i, 1)[0]?.fault : undefined;
    if (fault?.kind === 'drop-request') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'status') {
      req.resume();
      res.writeHead(fault.status, { 'content-type': 'application/fhir+json', ...(fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {}) });
      res.end(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: fault.status === 429 ? 'throttled' : 'transient', diagnostics: `injected ${fault.status}` }] }));
      return;
    }
    const forward = () => {
      const proxied = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } }, (up) => {
        if (fault?.kind === 'drop-response') {
          up.resume();
          up.on('end', () => (fault.reset ? req.socket.resetAndDestroy() : req.socket.destroy()));
          return;
        }
        if (res.destroyed) {
          up.resume();
          return;
        }
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      proxied.on('error', () => res.destroy());
      return proxied;
    };
    if (fault?.kind === 'delay') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => setTimeout(() => forward().end(Buffer.concat(chunks)), fault.ms));
      return;
    }
    req.pipe(forward());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${upstream.pathname}`,
    inject(fault, match = () => true) {
      pending.push({ fault: fault === 'drop-response' ? { kind: 'drop-response' } : fault, match });
    },
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
