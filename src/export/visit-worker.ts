import { parentPort, workerData } from 'node:worker_threads';
import type { BodyMapData } from '../notes/body-map-svg.js';
import { createCore, type CoreOptions } from '../service/core.js';
import { Directories } from './packet-files.js';
import type { VisitReply, VisitJob } from './visit-pool.js';
import { writeVisit } from './write-visit.js';

/**
 * The body of one of the visit pool's worker threads (visit-pool.ts): it loads its own core (the same
 * profiles and templates as the export, from the same options), then for each visit summarises it,
 * renders its PDF and writes its record with the same writeVisit the export uses in its own thread,
 * and answers with what the export keeps. It holds no credentials and reads no EHR.
 */
const port = parentPort;
if (!port) throw new Error('visit-worker.ts runs only as a worker thread');
const { bodyMap, coreOptions } = workerData as { bodyMap: BodyMapData; coreOptions: CoreOptions };
const core = await createCore(coreOptions);
const kit = { core, bodyMap, dirs: new Directories() };

port.on('message', (job: VisitJob) => {
  writeVisit(job.task, kit).then(
    (written) => port.postMessage({ id: job.id, written } satisfies VisitReply),
    (error: unknown) => port.postMessage({ id: job.id, error: error instanceof Error ? error.name : 'Error' } satisfies VisitReply),
  );
});
