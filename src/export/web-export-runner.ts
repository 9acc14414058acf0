import { join } from 'node:path';
import type { Logger } from '../infra/logger.js';
import type { CoreOptions } from '../service/core.js';
import type { BackendCredentials } from './backend-gateway.js';
import type { ExportRunner } from './export-job-board.js';
import { runExportInWorker } from './run-export-in-worker.js';

export interface WebExportRunnerOptions {
  readonly fhirBaseUrl: string;
  /** How the app's core was made, so the export's worker thread makes the same (clinic payers and templates). */
  readonly coreOptions: CoreOptions;
  /** This instance's Backend Services client: its key stays in this thread, and is never put in a job. */
  readonly credentials: BackendCredentials;
  readonly backendClientId: string;
  readonly fhirTimeoutMs: number;
  readonly logger: Logger;
}

/**
 * How the web app runs an export: in a worker thread (runExportInWorker), so its rendering never
 * stalls the charting app and its heap is bounded on its own; the packet and its zip go into the
 * job's folder, and its Bulk Data work files too.
 */
export function webExportRunner(options: WebExportRunnerOptions): ExportRunner {
  return (request, dir, signal, onProgress) =>
    runExportInWorker({
      fhirBaseUrl: options.fhirBaseUrl,
      timeoutMs: Math.max(options.fhirTimeoutMs, 60_000),
      coreOptions: options.coreOptions,
      credentials: options.credentials,
      logger: options.logger,
      signal,
      export: { filters: request.filters, out: join(dir, 'packet'), tempDir: dir, zip: true, requestedBy: request.requestedBy, requestedByReference: request.requestedByReference, client: options.backendClientId },
      onProgress,
    });
}
