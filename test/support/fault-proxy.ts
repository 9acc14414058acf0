import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault = 'drop-response' | 'none';

export interface FaultProxy {
  /** The proxy's base URL standing in for the target's (same path). */
  readonly url: string;
  /** The next request that matches gets this fault; later ones pass through. */
  inject(fault: Fault, match?: (req: IncomingMessage) => boolean): void;
  /** Requests the proxy saw: method and path. */
  readonly seen: { method: string; path: string }[];
  close(): Promise<void>;
}

/**
 * A real HTTP proxy on loopback between the app and the FHIR server, for faults that cannot
 * otherwise be provoked: `drop-response` forwards the request, lets the server finish it, then cuts
 * the client's connection without a response (the save landed; the app never heard).
 */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  let pending: { fault: Fault; match: (req: IncomingMessage) => boolean } | undefined;
  const seen: { method: string; path: string }[] = [];
  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push({ method: req.method ?? '', path: req.url ?? '' });
    const fault = pending && pending.match(req) ? pending.fault : 'none';
    if (fault !== 'none') pending = undefined;
    const forward = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } }, (up) => {
      if (fault === 'drop-response') {
        up.resume();
        up.on('end', () => req.socket.destroy());
        return;
      }
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${upstream.pathname}`,
    inject(fault, match = () => true) {
      pending = { fault, match };
    },
    seen,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
