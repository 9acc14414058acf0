import { Worker } from 'node:worker_threads';
import type { Logger, LogFields } from '../infra/logger.js';
import { OperationOutcomeError, outcome } from '../outcome/operation-outcome-error.js';
import type { CoreOptions } from '../service/core.js';
import type { BackendCredentials } from './backend-gateway.js';
import type { ExportOptions, ExportProgress, ExportResult } from './run-export.js';

/** What the worker needs, all of it plain data (it is copied into the thread). */
export interface WorkerExport {
  readonly fhirBaseUrl: string;
  readonly timeoutMs: number;
  readonly coreOptions: CoreOptions;
  readonly export: Pick<ExportOptions, 'filters' | 'out' | 'requestedBy' | 'requestedByReference' | 'tempDir' | 'client' | 'pdf' | 'zip' | 'concurrency' | 'source'>;
}

export type WorkerMessage =
  | { readonly type: 'token'; readonly id: string }
  | { readonly type: 'invalidate' }
  | { readonly type: 'progress'; readonly progress: ExportProgress }
  | { readonly type: 'log'; readonly level: 'info' | 'warn' | 'error'; readonly message: string; readonly fields?: LogFields }
  | { readonly type: 'done'; readonly result: ExportResult }
  | { readonly type: 'failed'; readonly name: string; readonly message?: string };

export type ParentMessage = { readonly id: string; readonly token?: string; readonly error?: string };

export interface WorkerExportOptions extends WorkerExport {
  /** The Backend Services client: stays in this thread, and answers the worker's token requests. */
  readonly credentials: BackendCredentials;
  readonly logger: Logger;
  readonly onProgress?: (progress: ExportProgress) => void;
  /** The worker's heap limit (old generation, MB): the export's live heap is about 50 MB. */
  readonly heapMb?: number;
  /** Stops the export: the worker is terminated (it writes nothing more) before the promise rejects. */
  readonly signal?: AbortSignal;
}

/**
 * The worker's first module. Compiled (dist/, `npm start`), it is the compiled worker itself. Run from
 * TypeScript sources (tests, `tsx`), worker threads do not inherit the loader, so a small JavaScript
 * entry registers tsx before loading the TypeScript worker.
 */
function workerEntry(): URL {
  return import.meta.url.endsWith('.ts') ? new URL('./export-worker-entry.js', import.meta.url) : new URL('./export-worker.js', import.meta.url);
}

/**
 * Runs a compliance export in a worker thread, for exports started from the web app: the export's
 * CPU work (notes, PDFs, hashing) runs on the worker's event loop, so clinicians charting on the same
 * server are not made to wait, and its memory is bounded by the thread's own heap limit (as the CLI
 * bounds its process) instead of growing the server's. Access tokens are handed over one at a time;
 * the private key never leaves this thread.
 */
export function runExportInWorker(options: WorkerExportOptions): Promise<ExportResult> {
  const heapMb = options.heapMb ?? 128;
  const data: WorkerExport = { fhirBaseUrl: options.fhirBaseUrl, timeoutMs: options.timeoutMs, coreOptions: options.coreOptions, export: options.export };
  // Young generation as `needlechart export` sizes it (4 MB semi-spaces, bin/needlechart.js), so the server's export and the CLI's collect garbage alike.
  const worker = new Worker(workerEntry(), { workerData: data, resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 12 } });
  return new Promise<ExportResult>((resolve, reject) => {
    let settled = false;
    const settle = (done: () => void): void => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', stop);
      done();
      void worker.terminate();
    };
    const stop = (): void => {
      if (settled) return;
      settled = true;
      void worker.terminate().finally(() => reject(new OperationOutcomeError(503, outcome([{ severity: 'error', code: 'transient', diagnostics: 'The export was stopped because NeedleChart is shutting down' }]))));
    };
    if (options.signal?.aborted) stop();
    else options.signal?.addEventListener('abort', stop, { once: true });
    worker.on('message', (message: WorkerMessage) => {
      switch (message.type) {
        case 'token':
          options.credentials.accessToken().then(
            (token) => worker.postMessage({ id: message.id, token } satisfies ParentMessage),
            () => worker.postMessage({ id: message.id, error: 'The access token could not be obtained' } satisfies ParentMessage),
          );
          return;
        case 'invalidate':
          options.credentials.invalidate();
          return;
        case 'progress':
          options.onProgress?.(message.progress);
          return;
        case 'log':
          options.logger[message.level](message.message, message.fields);
          return;
        case 'done':
          settle(() => resolve(message.result));
          return;
        case 'failed':
          settle(() => reject(new OperationOutcomeError(502, outcome([{ severity: 'error', code: 'exception', diagnostics: message.message ?? 'The export failed' }]))));
          return;
      }
    });
    worker.on('error', (error: Error & { code?: string }) => {
      const text = error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `The export ran out of its ${heapMb} MB of memory` : 'The export stopped unexpectedly';
      options.logger.error('export worker failed', { errorName: error.name, code: error.code });
      settle(() => reject(new OperationOutcomeError(500, outcome([{ severity: 'error', code: 'exception', diagnostics: text }]))));
    });
    worker.on('exit', (code) => settle(() => reject(new OperationOutcomeError(500, outcome([{ severity: 'error', code: 'exception', diagnostics: `The export stopped unexpectedly (exit ${code})` }])))));
  });
}
