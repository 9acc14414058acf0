import { parentPort, workerData } from 'node:worker_threads';
import { OperationOutcomeError } from '../outcome/operation-outcome-error.js';
import { createCore, type CoreOptions } from './core.js';
import { previewAnswerToText } from './preview-answer.js';
import type { PreviewReply, PreviewTask } from './preview-pool.js';

/**
 * The body of one of the preview pool's worker threads (preview-pool.ts): it loads its own core (the
 * same profiles and templates as the server, from the same options) and answers each preview with the
 * same previewAnswer the server uses in its own thread. It holds no token, reads no EHR, logs nothing.
 */
const port = parentPort;
if (!port) throw new Error('preview-worker.ts runs only as a worker thread');
const core = await createCore(workerData as CoreOptions);
const encoder = new TextEncoder();

port.on('message', (task: PreviewTask) => {
  try {
    // Encoded here and handed over, not copied: the server's thread writes the bytes as they are.
    const json = encoder.encode(previewAnswerToText(core, task.text, new Set(task.include), task.now));
    port.postMessage({ id: task.id, json } satisfies PreviewReply, [json.buffer]);
  } catch (error) {
    if (error instanceof OperationOutcomeError) port.postMessage({ id: task.id, refused: { status: error.status, outcome: error.outcome } } satisfies PreviewReply);
    else port.postMessage({ id: task.id, error: error instanceof Error ? error.name : 'Error' } satisfies PreviewReply);
  }
});
port.postMessage({ ready: true });
