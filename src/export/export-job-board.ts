import type { ExportFilters } from './export-filters.js';
import type { JobChange, StartRefusal } from './export-jobs.js';
import type { ExportProgress, ExportResult } from './run-export.js';

/** What a compliance export was asked for: plain data, so a queued job can be run by any instance. */
export interface ExportRequest {
  readonly filters: ExportFilters;
  /** The signed-in user's name, as the cover and the AuditEvent show it. */
  readonly requestedBy: string;
  /** The verified fhirUser who asked: the AuditEvent's requesting agent. */
  readonly requestedByReference: string;
}

/**
 * Runs one export into its job folder (`dir`): the packet goes to `dir/packet`, its zip to
 * `dir/packet.zip`. Each instance makes its own from its own Backend Services credentials, so a job
 * carries no credentials wherever it runs.
 */
export type ExportRunner = (request: ExportRequest, dir: string, signal: AbortSignal, onProgress: (progress: ExportProgress) => void) => Promise<ExportResult>;

/** Where a job stands, as those following it see it (the same on every instance). */
export interface ExportJobState {
  readonly id: string;
  /** The fhirUser who started it: only they may follow or download it. */
  readonly owner: string;
  readonly running: boolean;
  readonly progress?: ExportProgress;
  readonly result?: Pick<ExportResult, 'visits' | 'patients' | 'reused' | 'auditEvent'>;
  /** Why it failed, in words for the user. */
  readonly error?: string;
  /** The packet was downloaded and deleted. */
  readonly downloaded: boolean;
}

/**
 * The web app's compliance exports, as the routes use them: in this process (LocalExportBoard, one
 * instance) or in a Redis queue any instance can run, follow and download (QueuedExportBoard).
 */
export interface ExportJobBoard {
  /** The export folder: every job's folder (`job-<id>`) is in it. */
  readonly root: string;
  /** Starts a job for `owner`, or says which limit stops it. */
  start(owner: string, request: ExportRequest): Promise<ExportJobState | StartRefusal>;
  get(id: string): Promise<ExportJobState | undefined>;
  /** Calls `listener` with each change of the job until the returned function is called. */
  follow(id: string, listener: (change: JobChange, state: ExportJobState) => void): () => void;
  /** The zipped packet of a finished job. */
  zipPath(id: string): string;
  /** The packet was downloaded: it is deleted, and the job says so until its lifetime ends. */
  downloaded(id: string): Promise<void>;
  close(): Promise<void>;
}

/** How a failed export is told to the user: an OperationOutcome's words, or a plain line (no internals). */
export function failureMessage(error: unknown): string {
  return error instanceof Error && 'outcome' in error ? error.message : 'The export failed; nothing partial is offered for download.';
}

/** The part of a result those following a job see. */
export const resultSummary = (result: ExportResult): NonNullable<ExportJobState['result']> => ({ visits: result.visits, patients: result.patients, reused: result.reused, auditEvent: result.auditEvent });
