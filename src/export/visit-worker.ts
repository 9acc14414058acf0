import { parentPort, workerData } from 'node:worker_threads';
import type { BodyMapData } from '../notes/body-map-svg.js';
import { coreFromData, type CoreData } from '../service/core.js';
import { Directories } from './packet-files.js';
import type { VisitReply, VisitJob } from './visit-pool.js';
import { writeVisit } from './write-visit.js';

/**
 * The body of one of the visit pool's worker threads (visit-pool.ts): it rebuilds the export's core from
 * the profiles and templates the export loaded (coreFromData), then for each visit summarises it,
 * renders its PDF and writes its record with the same writeVisit the export uses in its own thread,
 * and answers with what the export keeps. It holds no credentials and reads no EHR.
 */
const port = parentPort;
if (!port) throw new Error('visit-worker.ts runs only as a worker thread');
const { bodyMap, core: data } = workerData as { bodyMap: BodyMapData; core: CoreData };
const core = coreFromData(data);
const kit = { core, bodyMap, dirs: new Directories() };

port.on('message', (job: VisitJob) => {
  writeVisit(job.task, kit).then(
    (written) => port.postMessage({ id: job.id, written } satisfies VisitReply),
    (error: unknown) => port.postMessage({ id: job.id, error: error instanceof Error ? error.name : 'Error' } satisfies VisitReply),
  );
});
