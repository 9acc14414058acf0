import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A scripted Bulk Data server on loopback, for the status answers the sandbox never gives (progress
 * over several polls, a job that fails, a manifest with errors, a server that ignores `_typeFilter`,
 * one that never finishes). Each poll takes the next scripted answer; after the script, the manifest.
 */
export type ScriptedPoll = { readonly status: 202; readonly progress?: string; readonly retryAfter?: string } | { readonly status: 500; readonly diagnostics: string };

export interface BulkDouble {
  readonly fhirBaseUrl: string;
  /** `METHOD path?query` of every request, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

export async function startBulkDouble(options: { polls?: readonly ScriptedPoll[]; pollForever?: boolean; errors?: boolean; files: Readonly<Record<string, readonly unknown[]>> }): Promise<BulkDouble> {
  const requests: string[] = [];
  const polls = [...(options.polls ?? [])];
  let base = '';
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const url = new URL(req.url ?? '/', base);
    if (url.pathname === '/fhir/$export') {
      res.writeHead(202, { 'content-location': `${base}/fhir/status/1` }).end();
    } else if (url.pathname === '/fhir/status/1' && req.method === 'DELETE') {
      res.writeHead(202).end();
    } else if (url.pathname === '/fhir/status/1') {
      const next = options.pollForever ? { status: 202 as const, retryAfter: '1' } : polls.shift();
      if (next?.status === 202) res.writeHead(202, { ...(next.progress ? { 'x-progress': next.progress } : {}), ...(next.retryAfter ? { 'retry-after': next.retryAfter } : {}) }).end();
      else if (next?.status === 500) res.writeHead(500, { 'content-type': 'application/fhir+json' }).end(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception', diagnostics: next.diagnostics }] }));
      else {
        const output = Object.keys(options.files).map((type) => ({ type, url: `${base}/fhir/files/${type}.ndjson`, count: options.files[type]?.length }));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ transactionTime: new Date().toISOString(), request: `${base}/fhir/$export`, requiresAccessToken: false, output, error: options.errors ? [{ type: 'OperationOutcome', url: `${base}/fhir/files/errors.ndjson` }] : [] }));
      }
    } else if (url.pathname.startsWith('/fhir/files/')) {
      const type = url.pathname.slice('/fhir/files/'.length).replace('.ndjson', '');
      res.writeHead(200, { 'content-type': 'application/fhir+ndjson' }).end((options.files[type] ?? []).map((r) => JSON.stringify(r)).join('\n'));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { fhirBaseUrl: `${base}/fhir`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
