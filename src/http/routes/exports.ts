import { Router, type Response } from 'express';
import type { CompliancePolicy } from '../../export/compliance-access.js';
import { parseExportFilters, type ExportFilters } from '../../export/export-filters.js';
import type { ExportPreview } from '../../export/export-preview.js';
import type { ExportJobBoard, ExportJobState } from '../../export/export-job-board.js';
import type { JobChange } from '../../export/export-jobs.js';
import type { Logger } from '../../infra/logger.js';
import { forbidden, invalid, notFound, OperationOutcomeError, outcome } from '../../outcome/operation-outcome-error.js';
import type { Core } from '../../service/core.js';
import type { SealedJson } from '../../smart/sealed-json.js';
import type { SmartClient } from '../../smart/smart-client.js';
import { openChoices } from '../compliance-choice.js';
import { complianceOnly } from '../compliance-gate.js';
import { launchAccess, launchOf } from '../launch-access.js';
import { labelRoute } from '../request-context.js';

export interface ExportDeps {
  readonly core: Core;
  readonly smart: SmartClient;
  readonly logger: Logger;
  readonly fhirTimeoutMs: number;
  /** Who may export. */
  readonly policy: CompliancePolicy;
  /** The exports: this instance's (in-process), or the Redis queue's that every instance shares. */
  readonly jobs: ExportJobBoard;
  /** Opens the patient and performer picked on the page (sealed by the compliance search). */
  readonly sealer: SealedJson;
  /** Counts what an export with these filters will hold (export-preview.ts), read as the export reads. */
  readonly preview?: (filters: ExportFilters) => Promise<ExportPreview>;
}

/**
 * The export filters of a request, checked: picks from the page's searches opened into references
 * (bound to the signed-in user), then every problem with its field (422), as parseExportFilters says.
 */
async function filtersOf(deps: ExportDeps, body: Record<string, unknown>, owner: string): Promise<ExportFilters> {
  const opened = await openChoices(deps.sealer, body, owner);
  if (opened.issues.length) throw invalid(opened.issues);
  const { filters, issues } = parseExportFilters(opened.body, new Set(deps.core.profiles.payers.keys()));
  if (!filters) throw invalid(issues);
  return filters;
}

/** The filters as the request gave them: a pick stays the opaque value the page sent, so no FHIR id goes back to the browser. */
function filtersAsSent(filters: ExportFilters, body: Record<string, unknown>): Record<string, unknown> {
  return { ...filters, ...(filters.patient ? { patient: body.patient } : {}), ...(filters.performer ? { performer: body.performer } : {}) };
}

/** How long a refused export is told to wait: its own export to finish, or the server's to thin out. */
const RETRY_AFTER_S = { 'user-busy': 60, 'instance-busy': 180 } as const;
const BUSY = {
  'user-busy': 'An export of yours is still running: wait for it to finish',
  'instance-busy': 'Too many exports are running on this server: try again in a few minutes',
} as const;

function event(res: Response, name: string, data: unknown): void {
  res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
}

/** The event that says where a job stands now (for a change, or for a listener joining late). */
function sendState(res: Response, job: ExportJobState, change: JobChange): void {
  if (change === 'progress' && job.progress) event(res, 'progress', job.progress);
  if (change === 'done' && job.result) event(res, 'done', { visits: job.result.visits, patients: job.result.patients, reused: job.result.reused, auditEvent: job.result.auditEvent, download: `/api/exports/${job.id}/download`, internalDownload: `/api/exports/${job.id}/internal` });
  if (change === 'failed' && job.error !== undefined) event(res, 'failed', { message: job.error });
}

/**
 * The compliance export in the web app: a staff member signs in (standalone SMART launch, no
 * patient), starts an export, watches its progress as server-sent events and downloads the zipped
 * packet. The export reads every patient with NeedleChart's Backend Services credentials, so only
 * compliance staff (the policy) get here; the AuditEvent names the verified signed-in user. Each
 * job belongs to the user who started it, runs within the per-user and per-instance limits, and
 * its packet is deleted once downloaded.
 */
/** The internal report's zip beside the payer packet's (run-export.ts writes `<packet>-internal.zip`). */
export const internalZipPath = (zipPath: string): string => zipPath.replace(/\.zip$/, '-internal.zip');

export function exportsRouter(deps: ExportDeps): Router {
  const router = Router();
  router.use('/api/exports', labelRoute(), launchAccess(deps.smart, deps.logger, deps.fhirTimeoutMs, 'compliance'), complianceOnly(deps.policy, deps.logger));

  /** The user's own job (on whichever instance it runs): 404 when there is none, 403 when it is someone else's. */
  const jobFor = async (id: string, res: Response): Promise<ExportJobState> => {
    const job = await deps.jobs.get(id);
    if (!job) throw notFound('There is no such export: it may have been deleted when its time ran out. Start a new export.');
    if (job.owner !== launchOf(res).launch.context.fhirUser) throw forbidden('This export was started by someone else: only they can follow or download it');
    return job;
  };

  router.post('/api/exports', async (req, res) => {
    const { launch } = launchOf(res);
    const body = (req.body ?? {}) as Record<string, unknown>;
    // complianceOnly let only a named user through: who exported comes from the verified sign-in, never from the request.
    const fhirUser = launch.context.fhirUser ?? '';
    const filters = await filtersOf(deps, body, fhirUser);
    // The export runs in a worker thread (its rendering never stalls the charting app), here or, with Redis, on any instance.
    const started = await deps.jobs.start(fhirUser, { filters, requestedBy: launch.context.userName ?? fhirUser, requestedByReference: fhirUser });
    if (typeof started === 'string') {
      res.setHeader('Retry-After', String(RETRY_AFTER_S[started]));
      throw new OperationOutcomeError(429, outcome([{ severity: 'error', code: 'throttled', diagnostics: BUSY[started] }]));
    }
    const job = started;
    res.status(202).json({ id: job.id, events: `/api/exports/${job.id}/events`, filters: filtersAsSent(filters, body) });
  });

  /**
   * POST /api/exports/preview, the same body as starting an export: how many visits and patients it
   * will hold and their dates of service, counted before it starts by the export's own selection.
   */
  router.post('/api/exports/preview', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const filters = await filtersOf(deps, body, launchOf(res).launch.context.fhirUser ?? '');
    if (!deps.preview) throw new OperationOutcomeError(501, outcome([{ severity: 'error', code: 'not-supported', diagnostics: 'Counting before the export is not available on this server: start the export to see what it holds' }]));
    res.json(await deps.preview(filters));
  });

  router.get('/api/exports/:id/events', async (req, res) => {
    const job = await jobFor(req.params.id, res);
    res.set({ 'Content-Type': 'text/event-stream', Connection: 'keep-alive' });
    res.flushHeaders();
    sendState(res, job, 'progress');
    if (!job.running) {
      sendState(res, job, job.result ? 'done' : 'failed');
      res.end();
      return;
    }
    const stop = deps.jobs.follow(job.id, (change, state) => {
      sendState(res, state, change);
      if (change !== 'progress') {
        stop();
        res.end();
      }
    });
    req.on('close', stop);
  });

  /**
   * The internal report (internal/: readiness findings and scores, FHIR records, the per-visit JSON,
   * not-included.csv), a zip of its own for compliance staff: never part of the payer's download. It
   * does not end the job; the payer packet's download deletes both, so the page offers this first.
   */
  router.get('/api/exports/:id/internal', async (req, res, next) => {
    const job = await jobFor(req.params.id, res);
    if (job.downloaded) throw new OperationOutcomeError(410, outcome([{ severity: 'error', code: 'not-found', diagnostics: 'This packet was already downloaded and has been deleted from the server, with its internal report: start a new export to get it again' }]));
    if (!job.result) throw notFound('The packet is not ready');
    res.download(internalZipPath(deps.jobs.zipPath(job.id)), `needlechart-internal-report-${new Date().toISOString().slice(0, 10)}.zip`, (error) => {
      if (error && !res.headersSent) next((error as NodeJS.ErrnoException).code === 'ENOENT' ? notFound('The internal report is no longer on the server: start a new export') : error);
    });
  });

  router.get('/api/exports/:id/download', async (req, res, next) => {
    const job = await jobFor(req.params.id, res);
    if (job.downloaded) throw new OperationOutcomeError(410, outcome([{ severity: 'error', code: 'not-found', diagnostics: 'This packet was already downloaded and has been deleted from the server: start a new export to get it again' }]));
    if (!job.result) throw notFound('The packet is not ready');
    res.download(deps.jobs.zipPath(job.id), `needlechart-packet-${new Date().toISOString().slice(0, 10)}.zip`, (error) => {
      if (error) {
        // The packet went (its lifetime ended) between the look-up and the send; a broken-off download keeps it.
        if (!res.headersSent) next((error as NodeJS.ErrnoException).code === 'ENOENT' ? notFound('The packet is no longer on the server: start a new export') : error);
        return;
      }
      void deps.jobs.downloaded(job.id);
    });
  });
  return router;
}
