import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Bundle, CapabilityStatement, FhirResource, OperationOutcome, Resource } from 'fhir/r4.js';
import { Client } from 'fhir-kit-client';
import type { Logger } from '../infra/logger.js';
import { OperationOutcomeError, outcome, upstream } from '../outcome/operation-outcome-error.js';

/**
 * The one module that talks to a FHIR server (STYLE.md convention 3). It wraps fhir-kit-client once:
 * narrows its loosely typed results to @types/fhir resources, checked at run time; turns its thrown
 * objects into OperationOutcomeError (the server's own OperationOutcome reused, `transient` for
 * timeouts, 5xx and dropped connections); sets a per-request timeout; retries idempotent requests a
 * bounded number of times with backoff; logs a request id, interaction, status and time, never a body.
 */
export interface FhirGatewayOptions {
  readonly baseUrl: string;
  readonly logger: Logger;
  /** Bearer token for each request (SMART); none for the open sandbox. */
  readonly accessToken?: () => string | undefined | Promise<string | undefined>;
  readonly timeoutMs?: number;
  /** Extra attempts for idempotent requests after a transient failure. */
  readonly retries?: number;
  readonly backoffMs?: number;
  /** Called once when the server answers 401 (refresh the token); the request is then retried once. */
  readonly onUnauthorized?: () => Promise<void>;
}

/** CapabilityStatements by FHIR base, shared by every gateway (one per launch) and kept for an hour. */
const capabilityCache = new Map<string, { statement: Promise<CapabilityStatement>; expires: number }>();
const CAPABILITY_TTL_MS = 3_600_000;

type Kind = 'read' | 'search' | 'batch' | 'transaction' | 'update' | 'create' | 'metadata' | 'bulk';

/**
 * When a failed request is sent again: `idempotent` after any transient failure, up to the
 * configured retries; `unanswered` once, and only when no response arrived at all (the connection
 * reset or closed, or the timeout fired before the headers): safe for a transaction whose creates are
 * all conditional; `never` otherwise.
 */
type Resend = 'idempotent' | 'unanswered' | 'never';

/** A Bulk Data export's completion manifest (Bulk Data Access 2.0). */
export interface BulkManifest {
  readonly transactionTime: string;
  readonly request: string;
  readonly requiresAccessToken: boolean;
  readonly output: readonly { readonly type: string; readonly url: string; readonly count?: number }[];
  readonly error: readonly { readonly type: string; readonly url: string }[];
}

/** One poll of a Bulk Data status URL: still running (with the server's X-Progress and Retry-After), or done. */
export type BulkStatus = { readonly state: 'running'; readonly progress?: string; readonly retryAfterMs?: number } | { readonly state: 'complete'; readonly manifest: BulkManifest };

const BULK_DATA_CAPABILITY = 'http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data';

/** Retry-After as milliseconds: delta-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function retryAfterMs(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

interface KitError {
  response?: { status?: number; data?: unknown };
  name?: string;
  cause?: { code?: string };
  message?: string;
}

/** Thrown by our own fetches when the headers had arrived and the body then failed: the server answered. */
class AnsweredError extends Error {
  readonly answered = true;
}

/** True when the request failed before any response: a connection error or a timeout before the headers. */
function unanswered(raw: unknown): boolean {
  if (raw instanceof OperationOutcomeError || raw instanceof AnsweredError) return false;
  const e = raw as KitError;
  if (e.response?.status !== undefined) return false;
  return e.name === 'TimeoutError' || e.name === 'AbortError' || (raw instanceof TypeError && e.cause !== undefined);
}

function isOutcome(value: unknown): value is OperationOutcome {
  return !!value && typeof value === 'object' && (value as Resource).resourceType === 'OperationOutcome';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Maps whatever fhir-kit-client or fetch threw into our error, keeping the server's OperationOutcome. */
export function toGatewayError(error: unknown, what: string): OperationOutcomeError {
  if (error instanceof OperationOutcomeError) return error;
  const e = error as KitError;
  const status = e.response?.status;
  if (status !== undefined) {
    const serverOutcome = isOutcome(e.response?.data) ? e.response.data : undefined;
    const transient = status >= 500 || status === 429 || status === 408;
    const text = serverOutcome?.issue?.[0]?.diagnostics ?? serverOutcome?.issue?.[0]?.details?.text ?? `The FHIR server answered ${status} to ${what}`;
    if (transient) return upstream(text, { status: status === 429 ? 503 : 502, transient: true, cause: error });
    const mapped = status === 412 ? 409 : status;
    return new OperationOutcomeError(mapped, serverOutcome ?? outcome([{ severity: 'error', code: status === 404 ? 'not-found' : status === 409 || status === 412 ? 'conflict' : 'processing', diagnostics: text }]), { cause: error });
  }
  if (error instanceof AnsweredError) return upstream(`The FHIR server's answer to ${what} was cut off`, { status: 502, transient: true, cause: error });
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return upstream(`The FHIR server did not answer ${what} in time`, { status: 504, transient: true, cause: error });
  return upstream(`The FHIR server could not be reached for ${what} (${e.cause?.code ?? 'connection failed'})`, { status: 502, transient: true, cause: error });
}

export class FhirGateway {
  private readonly client: Client;

  constructor(private readonly options: FhirGatewayOptions) {
    this.client = new Client({ baseUrl: options.baseUrl });
  }

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  private async call<T>(kind: Kind, what: string, resend: Resend | boolean, run: (requestOptions: { headers: Record<string, string>; signal: AbortSignal }) => Promise<unknown>, timeoutMs?: number): Promise<T> {
    const policy: Resend = resend === true ? 'idempotent' : resend === false ? 'never' : resend;
    const attempts = 1 + (policy === 'idempotent' ? (this.options.retries ?? 2) : policy === 'unanswered' ? 1 : 0);
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      const requestId = randomUUID();
      const started = performance.now();
      // Outside the try: a launch whose token cannot be refreshed fails here, before any request is
      // sent, and must not be logged as a FHIR request that failed.
      const token = await this.options.accessToken?.();
      try {
        const headers: Record<string, string> = { 'x-request-id': requestId, ...(token ? { authorization: `Bearer ${token}` } : {}) };
        const result = await run({ headers, signal: AbortSignal.timeout(timeoutMs ?? this.options.timeoutMs ?? 10_000) });
        this.options.logger.info('fhir request', { requestId, kind, attempt, status: 'ok', ms: Math.round(performance.now() - started) });
        return result as T;
      } catch (raw) {
        const status = (raw as KitError).response?.status;
        if (status === 401 && this.options.onUnauthorized && !refreshed) {
          refreshed = true;
          this.options.logger.info('fhir request unauthorized; refreshing the token once', { requestId, kind });
          await this.options.onUnauthorized();
          attempt -= 1;
          continue;
        }
        const error = toGatewayError(raw, what);
        const again = attempt < attempts && error.transient && (policy === 'idempotent' || (policy === 'unanswered' && unanswered(raw)));
        this.options.logger.warn('fhir request failed', { requestId, kind, attempt, status: error.status, transient: error.transient, ...(policy === 'unanswered' ? { unanswered: unanswered(raw) } : {}), ms: Math.round(performance.now() - started) });
        if (!again) throw error;
        const retryAfter = Number((raw as { config?: { headers?: Headers } }).config?.headers?.get?.('retry-after'));
        await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, 5000) : (this.options.backoffMs ?? 100) * 2 ** (attempt - 1));
      }
    }
  }

  private expect<T extends FhirResource>(value: unknown, resourceType: T['resourceType'], what: string): T {
    if ((value as Resource | undefined)?.resourceType !== resourceType) throw upstream(`The FHIR server answered ${what} with something other than a ${resourceType}`);
    return value as T;
  }

  /** The server's CapabilityStatement, fetched once per server (shared by gateways) and kept for an hour. */
  capabilityStatement(): Promise<CapabilityStatement> {
    const key = this.options.baseUrl;
    const cached = capabilityCache.get(key);
    if (cached && cached.expires > Date.now()) return cached.statement;
    const statement = this.call<unknown>('metadata', 'the capability request', true, (o) => this.client.capabilityStatement(o)).then((v) => this.expect<CapabilityStatement>(v, 'CapabilityStatement', 'the capability request'));
    capabilityCache.set(key, { statement, expires: Date.now() + CAPABILITY_TTL_MS });
    statement.catch(() => capabilityCache.delete(key));
    return statement;
  }

  /** True when the CapabilityStatement lists the system interaction (`batch`, `transaction`). */
  async supports(interaction: 'batch' | 'transaction'): Promise<boolean> {
    const caps = await this.capabilityStatement();
    return caps.rest?.some((r) => r.interaction?.some((i) => i.code === interaction)) ?? false;
  }

  async read<T extends FhirResource>(resourceType: T['resourceType'], id: string): Promise<T> {
    const what = `a ${resourceType} read`;
    return this.expect<T>(await this.call('read', what, true, (o) => this.client.read({ resourceType, id, options: o })), resourceType, what);
  }

  /** One page of a search; a repeated parameter (date=ge…&date=le…) is an array. */
  async search(resourceType: string, params: Record<string, string | string[]>): Promise<Bundle> {
    const what = `a ${resourceType} search`;
    return this.expect<Bundle>(await this.call('search', what, true, (o) => this.client.search({ resourceType, searchParams: params, options: o })), 'Bundle', what);
  }

  /** Follows a Bundle's `next` link (paging); undefined on the last page. */
  async nextPage(bundle: Bundle): Promise<Bundle | undefined> {
    const next = bundle.link?.find((l) => l.relation === 'next')?.url;
    if (!next) return undefined;
    return this.expect<Bundle>(await this.call('search', 'the next page of a search', true, (o) => this.client.request(next, { options: o })), 'Bundle', 'a next page');
  }

  /** Every page of a search, following `next` links up to `maxPages`. */
  async searchAll<T extends FhirResource>(resourceType: T['resourceType'], params: Record<string, string>, maxPages = 10): Promise<T[]> {
    return collectPages<T>(this, await this.search(resourceType, params), resourceType, maxPages);
  }

  /** A batch of reads and searches only, so it is safe to retry. */
  async readBatch(bundle: Bundle): Promise<Bundle> {
    if (bundle.entry?.some((e) => e.request?.method !== 'GET')) throw new Error('readBatch takes GET entries only');
    return this.expect<Bundle>(await this.call('batch', 'a batch of reads', true, (o) => this.client.batch({ body: bundle as never, options: o })), 'Bundle', 'a batch');
  }

  /** Creates one resource (POST); not retried, since a lost response would duplicate it. */
  async create<T extends FhirResource>(resource: T): Promise<T> {
    const what = `a ${resource.resourceType} create`;
    return this.expect<T>(await this.call('create', what, false, (o) => this.client.create({ resourceType: resource.resourceType, body: resource as never, options: o })), resource.resourceType, what);
  }

  /**
   * A transaction, sent by plain fetch so it is known whether the server answered. It is resent once
   * when it failed before any response (a reset keep-alive connection, a timeout before the headers):
   * safe only because every create in NeedleChart's transactions is conditional and every update
   * carries If-Match, so a transaction that did land the first time writes nothing the second (a
   * resent amendment then answers 409, which the caller recognises as its own write). A transaction
   * the server answered, even with 5xx, is never resent here.
   */
  async transaction(bundle: Bundle): Promise<Bundle> {
    const base = this.options.baseUrl.replace(/\/$/, '');
    const result = await this.call<unknown>('transaction', 'the save transaction', 'unanswered', async (o) => {
      const response = await fetch(`${base}/`, { method: 'POST', headers: { ...o.headers, accept: 'application/fhir+json', 'content-type': 'application/fhir+json' }, body: JSON.stringify(bundle), signal: o.signal });
      let data: unknown;
      try {
        const text = await response.text();
        data = text ? (JSON.parse(text) as unknown) : undefined;
      } catch (error) {
        throw new AnsweredError(`The FHIR server answered the save transaction with ${response.status} but its body was lost`, { cause: error });
      }
      if (!response.ok) throw Object.assign(new Error(`HTTP ${response.status}`), { response: { status: response.status, data }, config: { headers: response.headers } });
      return data;
    });
    return this.expect<Bundle>(result, 'Bundle', 'a transaction');
  }

  /** True when the server advertises Bulk Data system-level `$export` (instantiates the bulk-data CapabilityStatement or lists the `export` operation). */
  async offersBulkExport(): Promise<boolean> {
    const caps = await this.capabilityStatement();
    return (caps.instantiates ?? []).some((u) => u.split('|')[0] === BULK_DATA_CAPABILITY) || (caps.rest ?? []).some((r) => r.operation?.some((o) => o.name === 'export'));
  }

  /**
   * A plain fetch through `call` (token, retries, logging, errors as OperationOutcomeError), for what
   * fhir-kit-client does not model: Bulk Data's headers and NDJSON files. The token goes only to the
   * FHIR server's own origin, never to a URL elsewhere that a response named.
   */
  private fetchFhir<T>(kind: Kind, what: string, idempotent: boolean, url: string, init: { method?: string; headers?: Record<string, string>; token?: boolean; timeoutMs?: number }, handle: (response: Response) => Promise<T>): Promise<T> {
    const target = new URL(url, `${this.options.baseUrl.replace(/\/?$/, '/')}`);
    const sameOrigin = target.origin === new URL(this.options.baseUrl).origin;
    if (target.protocol !== 'https:' && target.protocol !== 'http:') return Promise.reject(upstream(`The FHIR server sent ${what} to a URL that is not http(s)`));
    return this.call(kind, what, idempotent, async (o) => {
      const withToken = init.token !== false && o.headers.authorization !== undefined;
      if (withToken && !sameOrigin) throw upstream(`The FHIR server sent ${what} to another host (${target.host}); NeedleChart sends its access token only to the FHIR server`);
      const headers = { ...(withToken ? o.headers : { 'x-request-id': o.headers['x-request-id'] ?? '' }), ...init.headers };
      const response = await fetch(target, { method: init.method ?? 'GET', headers, signal: o.signal });
      if (!response.ok) {
        const data: unknown = await response.json().catch(() => undefined);
        throw Object.assign(new Error(`HTTP ${response.status}`), { response: { status: response.status, data }, config: { headers: response.headers } });
      }
      return handle(response);
    }, init.timeoutMs);
  }

  /** Bulk Data kick-off (`GET [base]/$export`, `Prefer: respond-async`); returns the status URL (Content-Location). */
  async bulkKickOff(params: URLSearchParams): Promise<string> {
    const url = `${this.options.baseUrl.replace(/\/$/, '')}/$export?${params}`;
    return this.fetchFhir('bulk', 'the bulk export request', true, url, { headers: { accept: 'application/fhir+json', prefer: 'respond-async' } }, async (response) => {
      const location = response.headers.get('content-location');
      if (response.status !== 202 || !location) throw upstream(`The FHIR server answered the bulk export request with ${response.status}${location ? '' : ' and no Content-Location'}, not 202 and a status URL`);
      return new URL(location, this.options.baseUrl).toString();
    });
  }

  /** One poll of a Bulk Data status URL: 202 while the server works, 200 with the manifest when done, an error otherwise. */
  async bulkStatus(url: string): Promise<BulkStatus> {
    return this.fetchFhir('bulk', 'the bulk export status', true, url, { headers: { accept: 'application/json' } }, async (response) => {
      if (response.status === 202) {
        const progress = response.headers.get('x-progress') ?? undefined;
        const wait = retryAfterMs(response.headers.get('retry-after'));
        return { state: 'running', ...(progress ? { progress } : {}), ...(wait !== undefined ? { retryAfterMs: wait } : {}) } as const;
      }
      const manifest = (await response.json().catch(() => undefined)) as BulkManifest | undefined;
      if (response.status !== 200 || !manifest || !Array.isArray(manifest.output) || typeof manifest.transactionTime !== 'string') throw upstream('The FHIR server answered the bulk export status with something other than a completion manifest');
      return { state: 'complete', manifest: { ...manifest, error: manifest.error ?? [] } } as const;
    });
  }

  /** Streams one Bulk Data output file into `write` (with the token when the manifest requires it); up to 10 minutes a file. */
  async bulkDownload(url: string, requiresAccessToken: boolean, write: (body: NodeJS.ReadableStream) => Promise<void>): Promise<void> {
    return this.fetchFhir('bulk', 'a bulk export file', true, url, { headers: { accept: 'application/fhir+ndjson' }, token: requiresAccessToken, timeoutMs: 600_000 }, async (response) => {
      if (!response.body) throw upstream('The FHIR server sent an empty bulk export file response');
      await write(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream));
    });
  }

  /** Tells the server the client is done with a Bulk Data job (`DELETE` on its status URL), so it can remove the files. */
  async bulkDelete(url: string): Promise<void> {
    await this.fetchFhir('bulk', 'the end of a bulk export', true, url, { method: 'DELETE' }, async () => undefined);
  }

  /** Reads `.well-known/smart-configuration` directly (fhir-kit-client's helper can return {}). */
  async smartConfiguration(): Promise<Record<string, unknown>> {
    const url = `${this.options.baseUrl.replace(/\/$/, '')}/.well-known/smart-configuration`;
    return this.call('metadata', 'SMART discovery', true, async (o) => {
      const response = await fetch(url, { headers: { accept: 'application/json', ...o.headers }, signal: o.signal });
      if (!response.ok) throw Object.assign(new Error(`HTTP ${response.status}`), { response: { status: response.status } });
      return (await response.json()) as Record<string, unknown>;
    });
  }
}

/** The matches of a search result and its following pages (`search.mode` include entries left out). */
export async function collectPages<T extends FhirResource>(gateway: FhirGateway, first: Bundle | undefined, resourceType: T['resourceType'], maxPages = 10): Promise<T[]> {
  const out: T[] = [];
  let page = first;
  for (let i = 0; page && i < maxPages; i++) {
    for (const e of page.entry ?? []) if (e.resource?.resourceType === resourceType && e.search?.mode !== 'include') out.push(e.resource as T);
    page = await gateway.nextPage(page);
  }
  return out;
}
