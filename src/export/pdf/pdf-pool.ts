import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Profiles } from '../../domain/profiles.js';
import type { BodyMapData } from '../../notes/body-map-svg.js';
import type { VisitPdfInput, WrittenPdf } from './visit-pdf.js';

/** One PDF to render: where it goes and what it shows (plain data: it is copied into the worker). */
export interface PdfTask {
  readonly id: number;
  readonly path: string;
  readonly visit: VisitPdfInput;
}

/** A worker's answer: the digest of the file it wrote, or the name of the error that stopped it. */
export interface PdfReply {
  readonly id: number;
  readonly digest?: WrittenPdf;
  readonly error?: string;
}

export interface PdfPoolOptions {
  /** Worker threads (default: the machine's cores, as node counts them). */
  readonly size?: number;
  readonly bodyMap: BodyMapData;
  readonly profiles: Pick<Profiles, 'muscles'>;
  /** Each worker's heap limit (old generation, MB): a visit's PDF needs a few MB; pdfkit's fonts about 20. */
  readonly heapMb?: number;
}

interface Pending {
  readonly task: PdfTask;
  readonly resolve: (digest: WrittenPdf) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  current?: Pending;
}

/** The default pool size: every core the process may use. */
export const defaultPdfWorkers = (): number => Math.max(1, availableParallelism());

/** The worker's first module: the compiled worker, or (from TypeScript sources) a small entry that registers tsx first. */
function workerEntry(): URL {
  return import.meta.url.endsWith('.ts') ? new URL('./pdf-worker-entry.js', import.meta.url) : new URL('./pdf-worker.js', import.meta.url);
}

/**
 * Renders visit PDFs in a small pool of worker threads (node:worker_threads, no dependency), so an
 * export uses every core for its heaviest work: pdfkit's layout and compression are synchronous
 * JavaScript, and on one event loop they capped an export at about 40 visits a second. Each worker
 * has its own bounded heap; a worker that dies fails only the PDF it was rendering and is replaced.
 * Tasks wait in order for a free worker.
 */
export class PdfPool {
  readonly size: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: PdfPoolOptions) {
    this.size = Math.max(1, Math.floor(options.size ?? defaultPdfWorkers()));
    for (let i = 0; i < this.size; i += 1) this.slots.push(this.spawn());
  }

  /** Renders `visit` to `path` (atomically, as writeVisitPdf does) on the next free worker. */
  render(path: string, visit: VisitPdfInput): Promise<WrittenPdf> {
    if (this.closed) return Promise.reject(new Error('The PDF pool is closed'));
    return new Promise<WrittenPdf>((resolve, reject) => {
      this.queue.push({ task: { id: this.nextId++, path, visit }, resolve, reject });
      this.dispatch();
    });
  }

  /** Stops every worker; PDFs not yet rendered fail. */
  async close(): Promise<void> {
    this.closed = true;
    const stopped = new Error('The PDF pool was closed');
    for (const pending of this.queue.splice(0)) pending.reject(stopped);
    await Promise.all(
      this.slots.map(async (slot) => {
        slot.current?.reject(stopped);
        slot.current = undefined;
        await slot.worker.terminate();
      }),
    );
  }

  private spawn(): Slot {
    const { bodyMap, profiles, heapMb = 64 } = this.options;
    const worker = new Worker(workerEntry(), { workerData: { bodyMap, muscles: profiles.muscles }, resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 8 } });
    const slot: Slot = { worker };
    worker.unref();
    worker.on('message', (reply: PdfReply) => {
      const pending = slot.current;
      if (!pending || pending.task.id !== reply.id) return;
      slot.current = undefined;
      if (reply.digest) pending.resolve(reply.digest);
      else pending.reject(new Error(`The visit's PDF could not be written (${reply.error ?? 'Error'})`));
      this.dispatch();
    });
    const lost = (why: string): void => {
      const pending = slot.current;
      slot.current = undefined;
      pending?.reject(new Error(why));
      if (this.closed) return;
      const index = this.slots.indexOf(slot);
      if (index >= 0) this.slots[index] = this.spawn();
      this.dispatch();
    };
    worker.on('error', (error: Error & { code?: string }) => lost(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `A PDF worker ran out of its ${heapMb} MB of memory` : 'A PDF worker stopped unexpectedly'));
    worker.on('exit', (code) => {
      if (!this.closed && this.slots.includes(slot)) lost(`A PDF worker stopped unexpectedly (exit ${code})`);
    });
    return slot;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (!this.queue.length) return;
      if (slot.current) continue;
      const pending = this.queue.shift() as Pending;
      slot.current = pending;
      slot.worker.ref();
      slot.worker.postMessage(pending.task);
    }
    this.unrefIdle();
  }

  /** Idle workers do not keep the process alive; busy ones do (a PDF in flight is awaited). */
  private unrefIdle(): void {
    for (const slot of this.slots) if (!slot.current) slot.worker.unref();
  }
}
