import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { OperationOutcome } from 'fhir/r4.js';
import { OperationOutcomeError } from '../outcome/operation-outcome-error.js';
import type { CoreOptions } from './core.js';

/** One preview to answer: the request body as sent (JSON text), the parts asked for, and the time a bundle is stamped with. */
export interface PreviewTask {
  readonly id: number;
  readonly text: string;
  readonly include: readonly string[];
  readonly now: string;
}

/** A worker's answer: the JSON as UTF-8 bytes (transferred, not copied), a refusal to send as an OperationOutcome, or the name of an unexpected error. */
export type PreviewReply =
  | { readonly id: number; readonly json: Uint8Array }
  | { readonly id: number; readonly refused: { readonly status: number; readonly outcome: OperationOutcome } }
  | { readonly id: number; readonly error: string };

interface Pending {
  readonly resolve: (json: Uint8Array) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  readonly inFlight: Map<number, Pending>;
  ready: boolean;
  /** It stopped before it was ever ready (its core would not load): not started again. */
  failed: boolean;
}

/** The default pool size: every core but the one the server's own thread runs on (none on one core). */
export const defaultPreviewWorkers = (): number => Math.max(0, availableParallelism() - 1);

function workerEntry(): URL {
  return import.meta.url.endsWith('.ts') ? new URL('./preview-worker-entry.js', import.meta.url) : new URL('./preview-worker.js', import.meta.url);
}

/**
 * Answers /api/preview in worker threads (node:worker_threads, no dependency). The live panel calls
 * it on every change in the form, and its work — validation, coding, readiness, the note rendered from
 * its templates — is synchronous JavaScript: on the server's one event loop it held every other
 * request (a launch, a save) while it ran, and left the other cores idle. Each worker loads its own
 * core from the server's options and answers with the same previewAnswerToText as the server's thread:
 * it is given the body as text, so the server's thread neither parses it nor copies an object graph. A
 * preview goes to the worker with the fewest in flight; until a worker is ready, or when every worker
 * has died, the caller answers in its own thread (`answer` resolves undefined).
 */
export class PreviewPool {
  readonly size: number;
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: { readonly size: number; readonly core: CoreOptions; readonly heapMb?: number }) {
    this.size = Math.max(0, Math.floor(options.size));
    for (let i = 0; i < this.size; i += 1) this.slots.push(this.spawn());
  }

  /** Resolves once every worker has loaded its core (start-up waits, so the first previews already use them). */
  async ready(timeoutMs = 30_000): Promise<void> {
    const started = Date.now();
    while (this.slots.some((s) => !s.ready && !s.failed) && Date.now() - started < timeoutMs && !this.closed) await new Promise((r) => setTimeout(r, 20));
  }

  /** The preview's JSON (UTF-8 bytes) from a worker; undefined when no worker is ready (answer in the caller's thread). */
  answer(text: string, include: readonly string[], now: string): Promise<Uint8Array> | undefined {
    const ready = this.slots.filter((s) => s.ready);
    if (this.closed || !ready.length) return undefined;
    const slot = ready.reduce((a, b) => (b.inFlight.size < a.inFlight.size ? b : a));
    const id = this.nextId++;
    return new Promise<Uint8Array>((resolve, reject) => {
      slot.inFlight.set(id, { resolve, reject });
      if (slot.inFlight.size === 1) slot.worker.ref();
      slot.worker.postMessage({ id, text, include, now } satisfies PreviewTask);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      this.slots.map(async (slot) => {
        for (const pending of slot.inFlight.values()) pending.reject(new Error('The preview pool was closed'));
        slot.inFlight.clear();
        await slot.worker.terminate();
      }),
    );
  }

  private spawn(): Slot {
    const worker = new Worker(workerEntry(), { workerData: this.options.core, resourceLimits: { maxOldGenerationSizeMb: this.options.heapMb ?? 256 } });
    const slot: Slot = { worker, inFlight: new Map(), ready: false, failed: false };
    worker.unref();
    worker.on('message', (reply: PreviewReply | { ready: true }) => {
      if ('ready' in reply) {
        slot.ready = true;
        return;
      }
      const pending = slot.inFlight.get(reply.id);
      if (!pending) return;
      slot.inFlight.delete(reply.id);
      if (!slot.inFlight.size) worker.unref();
      if ('json' in reply) pending.resolve(reply.json);
      else if ('refused' in reply) pending.reject(new OperationOutcomeError(reply.refused.status, reply.refused.outcome));
      else pending.reject(new Error(`The preview could not be made (${reply.error})`));
    });
    const lost = (): void => {
      if (!slot.ready) slot.failed = true;
      slot.ready = false;
      for (const pending of slot.inFlight.values()) pending.reject(new Error('A preview worker stopped unexpectedly'));
      slot.inFlight.clear();
      if (this.closed || slot.failed) return;
      const index = this.slots.indexOf(slot);
      if (index >= 0) this.slots[index] = this.spawn();
    };
    worker.on('error', lost);
    worker.on('exit', () => {
      if (!this.closed && this.slots.includes(slot)) lost();
    });
    return slot;
  }
}
