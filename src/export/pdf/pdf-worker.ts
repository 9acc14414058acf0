import { parentPort, workerData } from 'node:worker_threads';
import type { Profiles } from '../../domain/profiles.js';
import type { BodyMapData } from '../../notes/body-map-svg.js';
import { writeVisitPdf } from './visit-pdf.js';
import type { PdfTask, PdfReply } from './pdf-pool.js';

/**
 * The body of one of the PDF pool's worker threads (pdf-pool.ts): renders one visit's PDF per task
 * with the same writeVisitPdf the export uses in-process, and answers with its digest. It is given
 * the body map and the muscle catalogue once, at start; it holds no credentials and reads no EHR.
 */
const port = parentPort;
if (!port) throw new Error('pdf-worker.ts runs only as a worker thread');
const { bodyMap, muscles } = workerData as { bodyMap: BodyMapData; muscles: Profiles['muscles'] };
const profiles = { muscles };

port.on('message', (task: PdfTask) => {
  writeVisitPdf(task.path, task.visit, bodyMap, profiles).then(
    (digest) => port.postMessage({ id: task.id, digest } satisfies PdfReply),
    (error: unknown) => port.postMessage({ id: task.id, error: error instanceof Error ? error.name : 'Error' } satisfies PdfReply),
  );
});
