import { getStatus, isOk, normalizeOperationOutcome, OperationOutcomeError as MedplumError } from '@medplum/core';
import type { Bundle, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { FhirRouter, type FhirRequest, type HttpMethod } from '@medplum/fhir-router';
import express, { type Request, type Response, type Router } from 'express';
import type { R4SchemaValidator } from '../fhir/r4-schema-validator.js';
import type { ValidationIssue } from '../outcome/validation-issue.js';
import { refusal, refusesResult, type Grant } from './access-policy.js';
import { sandboxCapabilityStatement } from './capability-statement.js';
import { resolveConditionalCreates } from './conditional-creates.js';
import { searchType, servesSearch } from './sandbox-search.js';
import { handlingOf } from './search-request.js';
import { SearchSnapshots } from './search-snapshots.js';
import { OperationOutcomeError } from '../outcome/operation-outcome-error.js';
import type { JournaledRepository } from './journaled-repository.js';
import { indexFhirDefinitions } from './medplum-definitions.js';

const FHIR_JSON = 'application/fhir+json';
const DEFAULT_COUNT = 20;

export interface SandboxFhirOptions {
  readonly engine: SandboxEngine;
  readonly validator: R4SchemaValidator;
  /** Absolute base URL of this endpoint (known once the server listens). */
  readonly baseUrl: () => string;
  readonly software: string;
  /** SMART endpoints to advertise; absent until an authorization server is attached. */
  readonly smart?: () => { readonly authorize: string; readonly token: string; readonly configuration: Record<string, unknown> } | undefined;
  /** Advertise Bulk Data `$export` in the CapabilityStatement (served by bulk-export.ts). */
  readonly bulkData?: boolean;
  /** Verifies the request's bearer token; throws a response-ready error (401) to refuse. Absent: the endpoint is open. */
  readonly authenticate?: (req: Request) => Promise<Grant>;
}

function outcome(severity: 'error' | 'information', code: string, text: string, expression?: string): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity, code, details: { text }, diagnostics: text, ...(expression ? { expression: [expression] } : {}) }] } as OperationOutcome;
}

function send(res: Response, status: number, body: unknown): void {
  res.status(status).type(FHIR_JSON).send(JSON.stringify(body));
}

function invalidOutcome(issues: readonly ValidationIssue[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: issues.map((i) => ({ severity: 'error', code: 'invalid', diagnostics: i.message, details: { text: i.message }, expression: i.path ? [i.path] : undefined })) } as OperationOutcome;
}

/** Checks a request body against the R4 JSON Schema: each bundle entry's resource on its own, with its entry index in the path. */
function validateBody(body: unknown, validator: R4SchemaValidator): ValidationIssue[] {
  const bundle = body as Bundle | undefined;
  if (bundle?.resourceType === 'Bundle' && (bundle.type === 'transaction' || bundle.type === 'batch')) {
    const shell = { ...bundle, entry: (bundle.entry ?? []).map(({ resource: _r, ...rest }) => rest) };
    return [
      ...validator.validate(shell, 'Bundle'),
      ...(bundle.entry ?? []).flatMap((e, i) => (e.resource ? validator.validate(e.resource, `Bundle.entry[${i}].resource`) : [])),
    ];
  }
  return validator.validate(body);
}

function queryOf(req: Request): Record<string, string | string[] | undefined> {
  const query: Record<string, string | string[] | undefined> = {};
  for (const [key, value] of new URL(req.originalUrl, 'http://sandbox').searchParams) {
    const prior = query[key];
    query[key] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
  }
  return query;
}

/**
 * Adds what Medplum's in-memory engine leaves out of a search result: fullUrls, and self/next links
 * for paging. The sandbox's own searches (sandbox-search.ts) come with their links.
 */
function withPaging(bundle: Bundle, req: Request, base: string): Bundle {
  if (bundle.link) return bundle;
  const url = new URL(req.originalUrl, base);
  const count = Number(url.searchParams.get('_count') ?? DEFAULT_COUNT);
  const offset = Number(url.searchParams.get('_offset') ?? 0);
  const self = `${base}${req.path}${url.search}`;
  const link = [{ relation: 'self', url: self }];
  if (bundle.total !== undefined && offset + count < bundle.total) {
    const next = new URL(self);
    next.searchParams.set('_offset', String(offset + count));
    next.searchParams.set('_count', String(count));
    link.push({ relation: 'next', url: next.toString() });
  }
  const entry = bundle.entry?.map((e) => (e.resource ? { fullUrl: `${base}/${e.resource.resourceType}/${e.resource.id}`, ...e, search: { mode: 'match' as const } } : e));
  return { ...bundle, link, ...(entry ? { entry } : {}) };
}

/** Entry responses of a transaction/batch carry the version as ETag and a versioned location, as the spec asks. */
function withEntryVersions(bundle: Bundle): Bundle {
  return {
    ...bundle,
    entry: bundle.entry?.map((e) => {
      const vid = e.resource?.meta?.versionId;
      if (!e.response || !e.resource?.id || !vid) return e;
      return { ...e, response: { ...e.response, etag: `W/"${vid}"`, location: `${e.resource.resourceType}/${e.resource.id}/_history/${vid}`, lastModified: e.resource.meta?.lastUpdated } };
    }),
  };
}

/** A FHIR request as the sandbox engine takes it, from HTTP or from the seeder. */
export interface EngineRequest {
  readonly method: HttpMethod;
  /** Path relative to the FHIR base, starting with `/` (`/Patient/p-1`, `/` for batch/transaction). */
  readonly path: string;
  readonly query?: Record<string, string | string[] | undefined>;
  readonly body?: unknown;
  readonly headers?: Record<string, string | string[] | undefined>;
  /** This endpoint's absolute FHIR base URL, when known: searches read absolute references on it as relative ones and build their links on it. */
  readonly base?: string;
}

export interface SandboxEngine {
  readonly repo: JournaledRepository;
  /**
   * Runs one request through Medplum's router; writes run one at a time, transactions all-or-nothing,
   * and a write resolves only once `commit` (the data file, when there is one) has saved it.
   */
  execute(request: EngineRequest): Promise<[OperationOutcome, Resource | undefined, number]>;
}

/**
 * `commit` is called after each write, between writes (inside the repository's exclusive section),
 * and the write's result is handed back only when the promise it returns resolves: a response is
 * never sent for a write the data file does not hold yet (DurableStore.commit).
 */
export function createSandboxEngine(repo: JournaledRepository, commit: () => Promise<void> = () => Promise.resolve()): SandboxEngine {
  indexFhirDefinitions();
  const router = new FhirRouter();
  const snapshots = new SearchSnapshots();
  return {
    repo,
    async execute(req) {
      const writes = req.method !== 'GET' && req.method !== 'HEAD';
      const type = writes ? undefined : /^\/([A-Z][A-Za-z]+)$/.exec(req.path)?.[1];
      if (type && servesSearch(type)) {
        try {
          return [allOk, searchType(type, req.query ?? {}, { all: (t) => repo.resourcesOfType(t), index: repo, snapshots }, { handling: handlingOf(req.headers), base: req.base }), 200];
        } catch (error) {
          if (error instanceof OperationOutcomeError) return [error.outcome as OperationOutcome, undefined, error.status];
          throw error;
        }
      }
      const batch = req.body as Bundle | undefined;
      if (req.method === 'POST' && req.path === '/' && batch?.type === 'batch' && batch.entry?.length && batch.entry.every((e) => e.request?.method === 'GET')) {
        // A batch of reads: each entry on its own, so searches take the fast path too.
        const entry = [];
        for (const e of batch.entry) {
          const [path = '', search = ''] = (e.request?.url ?? '').split('?');
          const query: Record<string, string | string[]> = {};
          for (const [k, v] of new URLSearchParams(search)) {
            const prior = query[k];
            query[k] = prior === undefined ? v : Array.isArray(prior) ? [...prior, v] : [prior, v];
          }
          const [result, resource, status] = await this.execute({ method: 'GET', path: `/${path}`, query, base: req.base });
          entry.push({ ...(resource ? { resource } : {}), response: { status: String(status), ...(resource ? {} : { outcome: result }) } });
        }
        return [allOk, { resourceType: 'Bundle', type: 'batch-response', entry } as Bundle, 200];
      }
      const handle = async (): Promise<[OperationOutcome, Resource | undefined, number]> => {
        let body = req.body;
        if (req.path === '/' && (body as Bundle | undefined)?.type === 'transaction') {
          const resolved = await resolveConditionalCreates(body as Bundle, repo);
          if ('multipleMatches' in resolved) return [outcome('error', 'duplicate', `Conditional create matched several resources: ${resolved.multipleMatches}`), undefined, 412];
          body = resolved;
        }
        const request: FhirRequest = {
          method: req.method,
          url: req.path,
          // Medplum throws outside its own error handling when pathname is non-empty.
          pathname: '',
          body,
          params: {},
          query: req.query ?? {},
          headers: req.headers ?? {},
          config: { transactions: true },
        };
        const [result, resource] = await router.handleRequest(request, repo);
        return [result, resource, getStatus(result)];
      };
      if (!writes) return handle();
      const [settled, saved] = await repo.runExclusive(async () => {
        const result = await handle().then((value) => ({ value }), (error: unknown) => ({ error }));
        return [result, commit()] as const;
      });
      await saved;
      if ('error' in settled) throw settled.error;
      return settled.value;
    },
  };
}

const allOk = { resourceType: 'OperationOutcome', id: 'ok', issue: [{ severity: 'information', code: 'informational', details: { text: 'All OK' } }] } as OperationOutcome;

/**
 * The sandbox EHR's FHIR R4 endpoint: Medplum's router and in-memory repository behind express,
 * with the gaps its engine leaves covered (CapabilityStatement, SMART discovery, R4 validation,
 * all-or-nothing transactions, paging links, ETag/Location, errors as OperationOutcome).
 */
export function sandboxFhirEndpoint(options: SandboxFhirOptions): Router {
  const engine = options.engine;
  const app = express.Router();
  app.use(express.json({ limit: '8mb', type: ['application/json', 'application/fhir+json'] }));

  app.get('/metadata', (_req, res) => {
    const smart = options.smart?.();
    send(res, 200, sandboxCapabilityStatement(options.baseUrl(), options.software, smart ? { authorize: smart.authorize, token: smart.token } : undefined, options.bulkData));
  });
  app.get('/.well-known/smart-configuration', (_req, res) => {
    const smart = options.smart?.();
    if (!smart) return send(res, 404, outcome('error', 'not-found', 'This sandbox has no authorization server attached'));
    res.status(200).json(smart.configuration);
  });

  app.use(async (req, res) => {
    try {
      const method = req.method as HttpMethod;
      const grant = await options.authenticate?.(req);
      if (grant) {
        const reason = refusal(grant, { method, path: req.path, query: queryOf(req), body: req.body as unknown });
        if (reason) return send(res, 403, outcome('error', 'forbidden', reason));
      }
      const writes = method !== 'GET' && method !== 'HEAD';
      if (writes && req.body !== undefined) {
        const issues = validateBody(req.body, options.validator);
        if (issues.length) return send(res, 400, invalidOutcome(issues));
      }
      const [result, resource, status] = await engine.execute({ method, path: req.path, query: queryOf(req), body: req.body as unknown, headers: req.headers, base: options.baseUrl() });
      if (!isOk(result) || !resource) return send(res, status, result);
      if (grant && refusesResult(grant, resource)) return send(res, 403, outcome('error', 'forbidden', 'The token is for another patient'));
      const base = options.baseUrl();
      const vid = resource.meta?.versionId;
      if (vid && resource.resourceType !== 'Bundle') {
        res.setHeader('ETag', `W/"${vid}"`);
        if (resource.meta?.lastUpdated) res.setHeader('Last-Modified', new Date(resource.meta.lastUpdated).toUTCString());
      }
      if (status === 201 && resource.id) res.setHeader('Location', `${base}/${resource.resourceType}/${resource.id}/_history/${vid ?? ''}`);
      let body: Resource = resource;
      if (resource.resourceType === 'Bundle' && resource.type === 'searchset') body = withPaging(resource, req, base);
      else if (resource.resourceType === 'Bundle' && (resource.type === 'transaction-response' || resource.type === 'batch-response')) body = withEntryVersions(resource);
      send(res, status, body);
    } catch (error) {
      const ours = error as { outcome?: OperationOutcome; status?: number };
      if (!(error instanceof MedplumError) && ours.outcome && typeof ours.status === 'number') return send(res, ours.status, ours.outcome);
      const known = error instanceof MedplumError ? error.outcome : ours.outcome;
      if (known) return send(res, getStatus(known), known);
      const normalized = normalizeOperationOutcome(error);
      send(res, getStatus(normalized) >= 500 ? 500 : getStatus(normalized), normalized);
    }
  });
  return app;
}
