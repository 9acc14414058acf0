import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Router, type Response } from 'express';
import type { BackendCredentials } from '../../export/backend-gateway.js';
import { parseExportFilters } from '../../export/export-filters.js';
import { runExportInWorker } from '../../export/run-export-in-worker.js';
import type { ExportProgress, ExportResult } from '../../export/run-export.js';
import { invalid, notFound } from '../../outcome/operation-outcome-error.js';
import type { Core, CoreOptions } from '../../service/core.js';
import type { SmartClient } from '../../smart/smart-client.js';
import { sessionId } from '../browser-session.js';
import { launchAccess, launchOf } from '../launch-access.js';
import { labelRoute } from '../request-context.js';
import type { Logger } from '../../infra/logger.js';

export interface ExportDeps {
  readonly core: Core;
  /** How `core` was made, so the export's worker thread makes the same (clinic payers and templates). */
  readonly coreOptions: CoreOptions;
  readonly smart: SmartClient;
  readonly logger: Logger;
  /** The EHR the export reads. */
  readonly fhirBaseUrl: string;
  /** The Backend Services client the export reads as (system scopes); its key stays in this thread. */
  readonly backend: BackendCredentials;
  readonly backendClientId: string;
  readonly fhirTimeoutMs: number;
}

interface Job {
  readonly id: string;
  readonly sid: string;
  readonly dir: string;
  progress?: ExportProgress;
  result?: ExportResult;
  error?: string;
  readonly listeners: Set<Response>;
}

const JOB_TTL_MS = 60 * 60_000;

function event(res: Response, name: string, data: unknown): void {
  res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
}

/**
 * The compliance export in the web app: a staff member signs in (standalone SMART launch, no
 * patient), starts an export, watches its progress as server-sent events and downloads the zipped
 * packet. The export itself reads with NeedleChart's Backend Services credentials and records the
 * staff member as the requester in the AuditEvent.
 */
export function exportsRouter(deps: ExportDeps): Router {
  const router = Router();
  const jobs = new Map<string, Job>();
  router.use('/api/exports', labelRoute(), launchAccess(deps.smart, deps.logger, deps.fhirTimeoutMs, 'compliance'));

  const jobFor = (id: string, res: Response): Job => {
    const job = jobs.get(id);
    if (!job || job.sid !== sessionId(res)) throw notFound('No such export for this sign-in');
    return job;
  };

  router.post('/api/exports', async (req, res) => {
    const access = launchOf(res);
    const { filters, issues } = parseExportFilters((req.body ?? {}) as Record<string, unknown>, new Set(deps.core.profiles.payers.keys()));
    if (!filters) throw invalid(issues);
    const id = randomBytes(12).toString('base64url');
    const dir = join(tmpdir(), 'needlechart-exports', id);
    await mkdir(dir, { recursive: true });
    const job: Job = { id, sid: sessionId(res), dir, listeners: new Set() };
    jobs.set(id, job);
    const requestedBy = access.launch.context.userName ?? access.launch.context.fhirUser ?? 'signed-in staff member';
    const broadcast = (name: string, data: unknown) => {
      for (const listener of job.listeners) event(listener, name, data);
    };
    // In a worker thread: the export's rendering never stalls the charting app, and its heap is bounded on its own.
    void runExportInWorker({
      fhirBaseUrl: deps.fhirBaseUrl,
      timeoutMs: Math.max(deps.fhirTimeoutMs, 60_000),
      coreOptions: deps.coreOptions,
      credentials: deps.backend,
      logger: deps.logger,
      export: {
        filters,
        out: join(dir, 'packet'),
        zip: true,
        requestedBy: `${requestedBy}${access.launch.context.fhirUser ? ` (${access.launch.context.fhirUser})` : ''}`,
        client: deps.backendClientId,
      },
      onProgress: (p) => {
        job.progress = p;
        broadcast('progress', p);
      },
    })
      .then((result) => {
        job.result = result;
        broadcast('done', { visits: result.visits, patients: result.patients, auditEvent: result.auditEvent, download: `/api/exports/${id}/download` });
      })
      .catch((error: unknown) => {
        job.error = error instanceof Error && 'outcome' in error ? error.message : 'The export failed; nothing partial is offered for download.';
        deps.logger.warn('export failed', { exportId: id, errorName: error instanceof Error ? error.name : typeof error });
        broadcast('failed', { message: job.error });
      })
      .finally(() => {
        for (const listener of job.listeners) listener.end();
        job.listeners.clear();
        setTimeout(() => {
          jobs.delete(id);
          void rm(dir, { recursive: true, force: true });
        }, JOB_TTL_MS).unref();
      });
    res.status(202).json({ id, events: `/api/exports/${id}/events`, filters });
  });

  router.get('/api/exports/:id/events', (req, res) => {
    const job = jobFor(req.params.id, res);
    res.set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    res.flushHeaders();
    if (job.progress) event(res, 'progress', job.progress);
    if (job.result) event(res, 'done', { visits: job.result.visits, patients: job.result.patients, auditEvent: job.result.auditEvent, download: `/api/exports/${job.id}/download` });
    if (job.error) event(res, 'failed', { message: job.error });
    if (job.result || job.error) {
      res.end();
      return;
    }
    job.listeners.add(res);
    req.on('close', () => job.listeners.delete(res));
  });

  router.get('/api/exports/:id/download', (req, res) => {
    const job = jobFor(req.params.id, res);
    if (!job.result?.zip) throw notFound('The packet is not ready');
    res.download(job.result.zip, `needlechart-packet-${new Date().toISOString().slice(0, 10)}.zip`);
  });
  return router;
}
