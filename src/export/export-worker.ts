import { randomUUID } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import type { Logger, LogFields } from '../infra/logger.js';
import { loadBodyMap } from '../profiles/load-body-map.js';
import { createCore } from '../service/core.js';
import { backendGateway } from './backend-gateway.js';
import { runExport } from './run-export.js';
import type { WorkerExport, WorkerMessage, ParentMessage } from './run-export-in-worker.js';

/**
 * The body of the export's worker thread (run-export-in-worker.ts): the same runExport, with its own
 * heap (bounded by the thread's resource limits) and its own event loop, so PDF rendering never
 * stalls the charting app. It holds no credentials: each access token is asked of the main thread,
 * which keeps the Backend Services key. Logs and progress are posted back as messages.
 */
const port = parentPort;
if (!port) throw new Error('export-worker.ts runs only as a worker thread');
const job = workerData as WorkerExport;
const post = (message: WorkerMessage): void => port.postMessage(message);

const pendingTokens = new Map<string, { resolve: (token: string) => void; reject: (error: Error) => void }>();
port.on('message', (message: ParentMessage) => {
  const waiting = pendingTokens.get(message.id);
  if (!waiting) return;
  pendingTokens.delete(message.id);
  if (message.token !== undefined) waiting.resolve(message.token);
  else waiting.reject(new Error(message.error ?? 'no access token'));
});
const accessToken = (): Promise<string> =>
  new Promise((resolve, reject) => {
    const id = randomUUID();
    pendingTokens.set(id, { resolve, reject });
    post({ type: 'token', id });
  });

const logger: Logger = {
  info: (message, fields?: LogFields) => post({ type: 'log', level: 'info', message, ...(fields ? { fields } : {}) }),
  warn: (message, fields?: LogFields) => post({ type: 'log', level: 'warn', message, ...(fields ? { fields } : {}) }),
  error: (message, fields?: LogFields) => post({ type: 'log', level: 'error', message, ...(fields ? { fields } : {}) }),
};

try {
  const core = await createCore(job.coreOptions);
  const gateway = backendGateway(job.fhirBaseUrl, { accessToken, invalidate: () => post({ type: 'invalidate' }) }, logger, job.timeoutMs);
  const result = await runExport({ ...job.export, gateway, core, bodyMap: loadBodyMap(), logger, onProgress: (progress) => post({ type: 'progress', progress }) });
  post({ type: 'done', result });
} catch (error) {
  const outcome = (error as { outcome?: unknown }).outcome;
  post({ type: 'failed', name: error instanceof Error ? error.name : typeof error, ...(outcome && error instanceof Error ? { message: error.message } : {}) });
}
