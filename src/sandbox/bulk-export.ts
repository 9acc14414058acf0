import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OperationOutcome, Resource } from '@medplum/fhirtypes';
import express, { type Request, type Response, type Router } from 'express';
import { OperationOutcomeError, outcome } from '../outcome/operation-outcome-error.js';
import { refusal, type Grant } from './access-policy.js';
import { matchingResources } from './sandbox-search.js';
import type { JournaledRepository } from './journaled-repository.js';

/**
 * FHIR Bulk Data Access 2.0 system-level export for the sandbox EHR (hl7.org/fhir/uv/bulkdata,
 * "Export" operation; STANDARDS.md): kick-off `GET [base]/$export` with `Prefer: respond-async` →
 * 202 and a `Content-Location` status URL → polled: 202 with `X-Progress` and `Retry-After` while
 * running, then 200 with the manifest (`transactionTime`, `request`, `requiresAccessToken`, `output`,
 * `error`) → NDJSON files read with the same token → `DELETE` on the status URL ends the job and
 * removes its files. Supports `_type`, `_since`, `_outputFormat` and the experimental `_typeFilter`
 * (queries the sandbox's fast search path serves); anything else is refused with 400, as the spec
 * asks of a server that does not honour a parameter (no `Prefer: handling=lenient` support).
 */

/** The types an export can carry: what the sandbox serves that a compliance or analytics client reads. */
export const EXPORTABLE_TYPES = ['Patient', 'Encounter', 'Condition', 'Coverage', 'Procedure', 'Observation', 'DocumentReference', 'Provenance'] as const;
const OUTPUT_FORMATS = new Set(['application/fhir+ndjson', 'application/ndjson', 'ndjson']);
const KNOWN_PARAMS = new Set(['_type', '_since', '_outputFormat', '_typeFilter']);
/** How often a client is asked to poll while a job runs (seconds). */
const RETRY_AFTER_SECONDS = 1;
/** Jobs and their files are removed this long after they complete, if the client never deletes them. */
const JOB_TTL_MS = 3_600_000;

interface Output {
  readonly type: string;
  readonly name: string;
  readonly count: number;
}

interface Job {
  readonly id: string;
  readonly request: string;
  readonly transactionTime: string;
  readonly dir: string;
  state: 'running' | 'complete' | 'failed' | 'cancelled';
  progress: string;
  outputs: Output[];
  error?: OperationOutcome;
  expires?: number;
}

export interface BulkExportOptions {
  readonly repo: JournaledRepository;
  /** Absolute base URL of the FHIR endpoint. */
  readonly baseUrl: () => string;
  /** Verifies the bearer token (as the FHIR endpoint does); absent: the endpoint is open. */
  readonly authenticate?: (req: Request) => Promise<Grant>;
}

export interface BulkExportService {
  readonly router: Router;
  /** Cancels running jobs and removes every job's files (the sandbox is closing). */
  close(): Promise<void>;
}

const send = (res: Response, status: number, body: unknown): void => {
  res.status(status).type('application/fhir+json').send(JSON.stringify(body));
};
const invalid = (text: string, expression?: string): OperationOutcomeError => new OperationOutcomeError(400, outcome([{ severity: 'error', code: 'invalid', diagnostics: text, ...(expression ? { expression: [expression] } : {}) }]));

/** The request's parameters, repeated ones as arrays (`_typeFilter` may repeat). */
function paramsOf(req: Request): Map<string, string[]> {
  const params = new Map<string, string[]>();
  for (const [key, value] of new URL(req.originalUrl, 'http://sandbox').searchParams) params.set(key, [...(params.get(key) ?? []), value]);
  return params;
}

interface ExportRequest {
  readonly types: readonly string[];
  readonly since?: number;
  /** Per type, the search queries whose matches the type's output is limited to (ORed). */
  readonly filters: ReadonlyMap<string, readonly Record<string, string | string[]>[]>;
}

/** Checks a kick-off's parameters; every refusal names the parameter and the rule. */
function parseExportRequest(params: Map<string, string[]>): ExportRequest {
  for (const key of params.keys()) if (!KNOWN_PARAMS.has(key)) throw invalid(`The export parameter '${key}' is not supported by this server`, key);
  const format = params.get('_outputFormat')?.[0];
  if (format && !OUTPUT_FORMATS.has(format)) throw invalid(`_outputFormat must be application/fhir+ndjson (got '${format}')`, '_outputFormat');
  const types = (params.get('_type') ?? []).flatMap((v) => v.split(',')).map((t) => t.trim()).filter(Boolean);
  for (const type of types) if (!(EXPORTABLE_TYPES as readonly string[]).includes(type)) throw invalid(`_type '${type}' is not a type this server exports (${EXPORTABLE_TYPES.join(', ')})`, '_type');
  const sinceText = params.get('_since')?.[0];
  const since = sinceText === undefined ? undefined : Date.parse(sinceText);
  if (since !== undefined && (Number.isNaN(since) || !/^\d{4}-\d{2}-\d{2}T/.test(sinceText ?? ''))) throw invalid(`_since must be a FHIR instant such as 2026-01-01T00:00:00Z (got '${sinceText}')`, '_since');
  const filters = new Map<string, Record<string, string | string[]>[]>();
  for (const filter of (params.get('_typeFilter') ?? []).flatMap((v) => v.split(','))) {
    const [type = '', search = ''] = filter.split('?');
    if (!(EXPORTABLE_TYPES as readonly string[]).includes(type) || (types.length && !types.includes(type))) throw invalid(`_typeFilter '${filter}' must start with one of the exported types`, '_typeFilter');
    const query: Record<string, string | string[]> = {};
    for (const [key, value] of new URLSearchParams(search)) {
      const prior = query[key];
      query[key] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
    }
    filters.set(type, [...(filters.get(type) ?? []), query]);
  }
  return { types: types.length ? types : [...EXPORTABLE_TYPES], ...(since !== undefined ? { since } : {}), filters };
}

export function bulkExportService(options: BulkExportOptions): BulkExportService {
  const jobs = new Map<string, Job>();
  const router = express.Router();
  const statusUrl = (job: Job): string => `${options.baseUrl()}/$export-status/${job.id}`;
  const fileUrl = (job: Job, output: Output): string => `${options.baseUrl()}/$export-file/${job.id}/${output.name}`;

  const removeExpired = async (): Promise<void> => {
    const now = Date.now();
    for (const job of jobs.values()) {
      if (job.expires !== undefined && job.expires < now) {
        jobs.delete(job.id);
        await rm(job.dir, { recursive: true, force: true });
      }
    }
  };

  /** Bulk Data is system-level here: the token needs system (or user) scopes that read every exported type. */
  const authorize = async (req: Request, types: readonly string[]): Promise<void> => {
    const grant = await options.authenticate?.(req);
    if (!grant) return;
    if (!grant.scope.split(' ').some((s) => s.startsWith('system/'))) throw new OperationOutcomeError(403, outcome([{ severity: 'error', code: 'forbidden', diagnostics: 'A system-level export needs a token with system scopes (SMART Backend Services)' }]));
    for (const type of types) {
      const reason = refusal(grant, { method: 'GET', path: `/${type}`, query: {} });
      if (reason) throw new OperationOutcomeError(403, outcome([{ severity: 'error', code: 'forbidden', diagnostics: reason }]));
    }
  };

  const run = async (job: Job, request: ExportRequest): Promise<void> => {
    for (const [i, type] of request.types.entries()) {
      if (job.state !== 'running') return;
      job.progress = `Exporting ${type} (${i + 1} of ${request.types.length} types)`;
      const queries = request.filters.get(type);
      let resources: Iterable<Resource> = options.repo.resourcesOfType(type);
      if (queries) {
        const matched = new Map<string, Resource>();
        for (const query of queries) {
          const found = matchingResources(type, query, () => options.repo.resourcesOfType(type), options.repo);
          if (!found) throw invalid(`_typeFilter for ${type} uses a search this server cannot run in an export`, '_typeFilter');
          for (const r of found) matched.set(r.id ?? '', r);
        }
        resources = matched.values();
      }
      const name = `${type}-1.ndjson`;
      const stream = createWriteStream(join(job.dir, name));
      let count = 0;
      const kickedOff = Date.parse(job.transactionTime);
      for (const resource of resources) {
        const updated = Date.parse(resource.meta?.lastUpdated ?? '');
        if (request.since !== undefined && !(updated > request.since)) continue;
        if (updated > kickedOff) continue; // written after the kick-off
        count += 1;
        if (!stream.write(`${JSON.stringify(resource)}\n`)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
        // Let the server answer other requests (status polls) while a large type is written.
        if (count % 2000 === 0) await new Promise<void>((resolve) => setImmediate(() => resolve()));
      }
      await new Promise<void>((resolve, reject) => stream.end(() => resolve()).once('error', reject));
      if (count) job.outputs.push({ type, name, count });
      else await rm(join(job.dir, name), { force: true });
    }
  };

  /** An express handler whose errors are answered as OperationOutcomes. */
  const handled = (work: (req: Request, res: Response) => Promise<unknown>) => (req: Request, res: Response) => {
    work(req, res).catch((error: unknown) => sendError(res, error));
  };
  /** The job a status or file URL names, for a token that may export; 404 once deleted, expired or never started. */
  const jobOf = async (req: Request): Promise<Job> => {
    await authorize(req, []);
    const job = jobs.get(req.params[0] ?? '');
    if (!job) throw new OperationOutcomeError(404, outcome([{ severity: 'error', code: 'not-found', diagnostics: 'No such export job (finished and deleted, expired, or never started)' }]));
    return job;
  };

  router.get(
    /^\/\$export$/,
    handled(async (req, res) => {
      if (!/respond-async/.test(String(req.headers.prefer ?? ''))) throw invalid('A Bulk Data kick-off needs the header Prefer: respond-async', 'Prefer');
      const accept = String(req.headers.accept ?? 'application/fhir+json');
      if (!/application\/fhir\+json|\*\/\*/.test(accept)) throw invalid('A Bulk Data kick-off needs the header Accept: application/fhir+json', 'Accept');
      const request = parseExportRequest(paramsOf(req));
      await authorize(req, request.types);
      await removeExpired();
      const job: Job = { id: randomBytes(12).toString('base64url'), request: `${options.baseUrl()}${req.originalUrl.replace(/^\/fhir/, '')}`, transactionTime: new Date().toISOString(), dir: await mkdtemp(join(tmpdir(), 'nc-sandbox-bulk-')), state: 'running', progress: 'Queued', outputs: [] };
      jobs.set(job.id, job);
      setImmediate(() => {
        run(job, request)
          .then(() => {
            if (job.state === 'running') job.state = 'complete';
          })
          .catch((error: unknown) => {
            job.state = 'failed';
            job.error = error instanceof OperationOutcomeError ? (error.outcome as OperationOutcome) : (outcome([{ severity: 'error', code: 'exception', diagnostics: 'The export job failed' }]) as OperationOutcome);
          })
          .finally(() => {
            job.expires = Date.now() + JOB_TTL_MS;
          });
      });
      res.setHeader('Content-Location', statusUrl(job));
      send(res, 202, outcome([{ severity: 'information', code: 'informational', diagnostics: 'Export started; poll the Content-Location URL' }]));
    }),
  );

  router.get(
    /^\/\$export-status\/([A-Za-z0-9_-]+)$/,
    handled(async (req, res) => {
      const job = await jobOf(req);
      if (job.state === 'running') {
        res.setHeader('X-Progress', job.progress);
        res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
        return res.status(202).end();
      }
      if (job.state === 'failed') return send(res, 500, job.error);
      res.setHeader('Expires', new Date(job.expires ?? Date.now()).toUTCString());
      res.status(200).json({ transactionTime: job.transactionTime, request: job.request, requiresAccessToken: options.authenticate !== undefined, output: job.outputs.map((o) => ({ type: o.type, url: fileUrl(job, o), count: o.count })), error: [] });
    }),
  );

  router.delete(
    /^\/\$export-status\/([A-Za-z0-9_-]+)$/,
    handled(async (req, res) => {
      const job = await jobOf(req);
      job.state = 'cancelled';
      jobs.delete(job.id);
      await rm(job.dir, { recursive: true, force: true });
      res.status(202).end();
    }),
  );

  router.get(
    /^\/\$export-file\/([A-Za-z0-9_-]+)\/([A-Za-z]+-\d+\.ndjson)$/,
    handled(async (req, res) => {
      const job = await jobOf(req);
      const output = job.state === 'complete' ? job.outputs.find((o) => o.name === req.params[1]) : undefined;
      if (!output) return send(res, 404, outcome([{ severity: 'error', code: 'not-found', diagnostics: 'No such export file' }]));
      res.status(200).type('application/fhir+ndjson');
      createReadStream(join(job.dir, output.name)).on('error', () => res.destroy()).pipe(res);
    }),
  );

  return {
    router,
    async close() {
      for (const job of jobs.values()) {
        job.state = 'cancelled';
        await rm(job.dir, { recursive: true, force: true });
      }
      jobs.clear();
    },
  };
}

function sendError(res: Response, error: unknown): void {
  if (error instanceof OperationOutcomeError) return send(res, error.status, error.outcome);
  send(res, 500, outcome([{ severity: 'error', code: 'exception', diagnostics: 'The export request failed' }]));
}
