import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { BodyMapData } from '../notes/body-map-svg.js';
import type { CoreData } from '../service/core.js';
import type { VisitTask, WrittenVisit } from './write-visit.js';

/** One visit to write, numbered (plain data: it is copied into the worker). */
export interface VisitJob {
  readonly id: number;
  readonly task: VisitTask;
}

/** A worker's answer: what the export keeps of the written visit, or the name of the error that stopped it. */
export interface VisitReply {
  readonly id: number;
  readonly written?: WrittenVisit;
  readonly error?: string;
}

export interface VisitPoolOptions {
  /** Worker threads (default: the machine's cores, as node counts them). */
  readonly size?: number;
  readonly bodyMap: BodyMapData;
  /** The export's profiles and templates as plain data (coreData): each worker rebuilds its core from them. */
  readonly core: CoreData;
  /** Each worker's heap limit (old generation, MB): a visit's PDF needs a few MB; pdfkit's fonts and the profiles about 16. */
  readonly heapMb?: number;
  /**
   * Visits handed to a worker at once (default 2): while one visit's files are being written to disk,
   * the worker lays out the next instead of waiting idle.
   */
  readonly perWorker?: number;
}

interface Pending {
  readonly job: VisitJob;
  readonly resolve: (written: WrittenVisit) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  /** The visits handed to this worker and not yet answered, by job id (at most `perWorker`). */
  readonly current: Map<number, Pending>;
}

/**
 * Each worker's young generation (MB): 12 MB matches the 4 MB semi-spaces `needlechart export` gives
 * the process (bin/needlechart.js), a flag V8 applies to every thread, so the CLI and the server's
 * export collect alike. A visit's PDF makes a few MB of short-lived objects, so V8 collects about once
 * per visit; 18 or 24 MB made PDFs faster but took the export past 350 MB of memory.
 */
const YOUNG_GENERATION_MB = 12;

/** The default pool size: every core the process may use. */
export const defaultVisitWorkers = (): number => Math.max(1, availableParallelism());

/** The worker's first module: the compiled worker, or (from TypeScript sources) a small entry that registers tsx first. */
function workerEntry(): URL {
  return import.meta.url.endsWith('.ts') ? new URL('./visit-worker-entry.js', import.meta.url) : new URL('./visit-worker.js', import.meta.url);
}

/**
 * Writes visits (summary, PDF, record: write-visit.ts) in a small pool of worker threads
 * (node:worker_threads, no dependency), so an export uses every core for its CPU work: pdfkit's layout
 * and compression and the note's summary are synchronous JavaScript, and on one event loop they capped
 * an export at about 40 visits a second. The export's own thread is left with reading the EHR and
 * choosing the visits. Each worker has its own bounded heap; a worker that dies fails only the visits it
 * held and is replaced. Visits wait in order for a worker with room.
 */
export class VisitPool {
  readonly size: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: VisitPoolOptions) {
    this.size = Math.max(1, Math.floor(options.size ?? defaultVisitWorkers()));
    for (let i = 0; i < this.size; i += 1) this.slots.push(this.spawn());
  }

  /** Writes the visit (its PDF and record, each atomically, as writeVisit does) on the next free worker. */
  write(task: VisitTask): Promise<WrittenVisit> {
    if (this.closed) return Promise.reject(new Error('The visit pool is closed'));
    return new Promise<WrittenVisit>((resolve, reject) => {
      this.queue.push({ job: { id: this.nextId++, task }, resolve, reject });
      this.dispatch();
    });
  }

  /** Stops every worker; visits not yet written fail. */
  async close(): Promise<void> {
    this.closed = true;
    const stopped = new Error('The visit pool was closed');
    for (const pending of this.queue.splice(0)) pending.reject(stopped);
    await Promise.all(
      this.slots.map(async (slot) => {
        for (const pending of slot.current.values()) pending.reject(stopped);
        slot.current.clear();
        await slot.worker.terminate();
      }),
    );
  }

  private spawn(): Slot {
    const { bodyMap, core, heapMb = 64 } = this.options;
    const worker = new Worker(workerEntry(), { workerData: { bodyMap, core }, resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    const slot: Slot = { worker, current: new Map() };
    worker.unref();
    worker.on('message', (reply: VisitReply) => {
      const pending = slot.current.get(reply.id);
      if (!pending) return;
      slot.current.delete(reply.id);
      if (reply.written) pending.resolve(reply.written);
      else pending.reject(new Error(`The visit's PDF and record could not be written (${reply.error ?? 'Error'})`));
      this.dispatch();
    });
    const lost = (why: string): void => {
      for (const pending of slot.current.values()) pending.reject(new Error(why));
      slot.current.clear();
      if (this.closed) return;
      const index = this.slots.indexOf(slot);
      if (index >= 0) this.slots[index] = this.spawn();
      this.dispatch();
    };
    worker.on('error', (error: Error & { code?: string }) => lost(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `A visit worker ran out of its ${heapMb} MB of memory` : 'A visit worker stopped unexpectedly'));
    worker.on('exit', (code) => {
      if (!this.closed && this.slots.includes(slot)) lost(`A visit worker stopped unexpectedly (exit ${code})`);
    });
    return slot;
  }

  /** Hands waiting visits to the workers, the least busy first, each up to `perWorker`. */
  private dispatch(): void {
    const perWorker = Math.max(1, this.options.perWorker ?? 2);
    for (let held = 0; held < perWorker; held += 1) {
      for (const slot of this.slots) {
        if (!this.queue.length) break;
        if (slot.current.size > held) continue;
        const pending = this.queue.shift() as Pending;
        slot.current.set(pending.job.id, pending);
        slot.worker.ref();
        slot.worker.postMessage(pending.job);
      }
    }
    this.unrefIdle();
  }

  /** Idle workers do not keep the process alive; busy ones do (a visit in flight is awaited). */
  private unrefIdle(): void {
    for (const slot of this.slots) if (!slot.current.size) slot.worker.unref();
  }
}
