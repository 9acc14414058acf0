import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Queue, WaitingError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from '../infra/logger.js';
import { SealedJson } from '../smart/sealed-json.js';
import { failureMessage, resultSummary, type ExportJobBoard, type ExportJobState, type ExportRequest, type ExportRunner } from './export-job-board.js';
import { openExportFolder, type JobChange, type StartRefusal } from './export-jobs.js';
import { PRIVATE_DIR } from './packet-files.js';
import type { ExportProgress } from './run-export.js';

export interface QueuedExportBoardOptions {
  readonly redisUrl: string;
  /** The export folder every instance shares (NEEDLECHART_EXPORT_DIR): made 0700, packets 0600. */
  readonly dir: string;
  /** NEEDLECHART_SESSION_SECRET, shared by the instances: job records are sealed with it in Redis. */
  readonly secret: Uint8Array;
  /** Exports one user may run at once, over all instances. */
  readonly perUser: number;
  /** Exports this instance runs at once; as many more may wait in the queue before new ones are refused. */
  readonly perInstance: number;
  /** How long a finished job's packet waits for its download, in milliseconds. */
  readonly ttlMs: number;
  /** How long a running job's lock lives without renewal: a killed instance's job is taken up by another after this. */
  readonly lockMs: number;
  readonly runner: ExportRunner;
  readonly logger: Logger;
}

const QUEUE = 'exports';
const PREFIX = 'needlechart:bull';
const recordKey = (id: string): string => `needlechart:export:${id}`;
/** A running job's record lives this long after its last progress; a finished one, the packet's lifetime. */
const RUNNING_TTL_MS = 24 * 3600_000;
const PROGRESS_EVERY_MS = 250;
const POLL_MS = 300;

/** What the record's sealed `state` field holds. */
interface StoredState {
  readonly running: boolean;
  readonly progress?: ExportProgress;
  readonly result?: ExportJobState['result'];
  readonly error?: string;
}

/** Adds a job to a user's running set unless it already holds `limit`, in one step. */
const CLAIM = `if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1`;

/**
 * The compliance exports of every instance sharing one Redis (NEEDLECHART_REDIS_URL) and one export
 * folder (NEEDLECHART_EXPORT_DIR, a shared volume): each job is a BullMQ job, run by whichever
 * instance takes it; its record (owner, request, progress, result) is a Redis hash whose fields are
 * sealed with the session secret (no patient id, filter or name in clear), so any instance can check
 * the owner, report progress and serve the download. A job whose instance dies stalls, and BullMQ
 * hands it to another instance once its lock runs out; the export resumes in the same folder, reusing
 * every visit already written (runExport's digests). Backend Services credentials never go into
 * Redis: each instance runs jobs with its own.
 */
export class QueuedExportBoard implements ExportJobBoard {
  private readonly sealer: SealedJson;
  private readonly ownerKey: Buffer;
  private readonly queue: Queue;
  private worker?: Worker;
  private readonly active = new Map<string, AbortController>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closing = false;

  private constructor(
    readonly root: string,
    private readonly options: QueuedExportBoardOptions,
    private readonly redis: Redis,
    private readonly queueRedis: Redis,
    private readonly workerRedis: Redis,
  ) {
    this.sealer = new SealedJson(options.secret);
    this.ownerKey = Buffer.from(hkdfSync('sha256', options.secret, new Uint8Array(0), 'needlechart export owners v1', 32));
    this.queue = new Queue(QUEUE, { connection: queueRedis, prefix: PREFIX });
  }

  /** Opens the shared export folder and the queue, starts taking jobs, and sweeps packets whose records are gone. */
  static async open(options: QueuedExportBoardOptions): Promise<QueuedExportBoard> {
    await openExportFolder(options.dir);
    const connect = (): Redis => new Redis(options.redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
    const board = new QueuedExportBoard(options.dir, options, connect(), connect(), connect());
    board.worker = new Worker(QUEUE, (job, token) => board.process(job, token), {
      connection: board.workerRedis,
      prefix: PREFIX,
      concurrency: options.perInstance,
      lockDuration: options.lockMs,
      stalledInterval: Math.max(1000, Math.floor(options.lockMs / 2)),
      // A job whose instance keeps dying is given up on after a few tries.
      maxStalledCount: 3,
    });
    board.worker.on('error', (error) => options.logger.error('export queue error', { errorName: error.name }));
    board.queue.on('error', (error) => options.logger.error('export queue error', { errorName: error.name }));
    // A job BullMQ gave up on (its instances kept dying, or it could not be read) is told as failed, not left running.
    board.worker.on('failed', (job) => void board.givenUp(job?.id));
    await board.worker.waitUntilReady();
    await board.sweep();
    const sweeper = setInterval(() => void board.sweep(), Math.min(options.ttlMs, 300_000));
    sweeper.unref();
    board.timers.add(sweeper);
    return board;
  }

  async start(owner: string, request: ExportRequest): Promise<ExportJobState | StartRefusal> {
    if ((await this.queue.getWaitingCount()) >= this.options.perInstance) return 'instance-busy';
    const id = randomBytes(12).toString('base64url');
    const userKey = this.userKey(owner);
    for (const earlier of await this.redis.zrange(userKey, 0, -1)) if (!(await this.get(earlier))?.running) await this.redis.zrem(userKey, earlier);
    const claimed = await this.redis.eval(CLAIM, 1, userKey, String(this.options.perUser), String(Date.now()), id, String(RUNNING_TTL_MS));
    if (claimed !== 1) return 'user-busy';
    try {
      // The record first, then the folder: the sweep deletes only folders whose record is gone.
      const state: StoredState = { running: true };
      await this.redis.multi().hset(recordKey(id), { owner: await this.sealer.seal(owner), request: await this.sealer.seal(request), state: await this.sealer.seal(state) }).pexpire(recordKey(id), RUNNING_TTL_MS).exec();
      await mkdir(this.jobDir(id), { mode: PRIVATE_DIR });
      await this.queue.add('export', {}, { jobId: id, removeOnComplete: true, removeOnFail: true });
    } catch (error) {
      // Not queued: nothing may be left that counts against the user or waits in the folder.
      await this.redis.multi().del(recordKey(id)).zrem(userKey, id).exec().catch(() => undefined);
      await this.remove(id, 'failed');
      throw error;
    }
    return { id, owner, running: true, downloaded: false };
  }

  async get(id: string): Promise<ExportJobState | undefined> {
    const fields = await this.redis.hgetall(recordKey(id));
    if (!fields.owner || !fields.state) return undefined;
    try {
      const state = await this.sealer.open<StoredState>(fields.state);
      return { id, owner: await this.sealer.open<string>(fields.owner), downloaded: fields.downloaded === '1', ...state };
    } catch {
      // Sealed with another secret: not a job of these instances.
      this.options.logger.warn('export record could not be opened', { exportId: id });
      return undefined;
    }
  }

  /** Polls the job's record: it may be running on another instance. */
  follow(id: string, listener: (change: JobChange, state: ExportJobState) => void): () => void {
    let last = '';
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      this.get(id)
        .then((state) => {
          if (!state) {
            stop();
            listener('failed', { id, owner: '', running: false, downloaded: false, error: 'The export is no longer on the server: start a new export' });
            return;
          }
          const seen = JSON.stringify(state);
          if (seen === last) return;
          last = seen;
          if (state.running) {
            if (state.progress) listener('progress', state);
            return;
          }
          stop();
          listener(state.result ? 'done' : 'failed', state);
        })
        .catch((error: unknown) => this.options.logger.warn('export progress could not be read', { exportId: id, errorName: error instanceof Error ? error.name : typeof error }))
        .finally(() => (busy = false));
    }, POLL_MS);
    const stop = (): void => clearInterval(timer);
    return stop;
  }

  zipPath(id: string): string {
    return join(this.jobDir(id), 'packet.zip');
  }

  async downloaded(id: string): Promise<void> {
    if ((await this.redis.exists(recordKey(id))) === 1) await this.redis.hset(recordKey(id), 'downloaded', '1');
    await this.remove(id, 'downloaded');
  }

  /**
   * Shutdown: jobs running here are stopped and put back in the queue (another instance, or this one
   * restarted, resumes them); packets stay in the shared folder for the other instances.
   */
  async close(): Promise<void> {
    this.closing = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const abort of this.active.values()) abort.abort();
    await this.worker?.close();
    await this.queue.close();
    for (const client of [this.redis, this.queueRedis, this.workerRedis]) client.disconnect();
  }

  /** Runs one queued job on this instance, from its start or (after an instance died) resuming in its folder. */
  private async process(job: Job, token?: string): Promise<void> {
    const id = job.id ?? '';
    const fields = await this.redis.hgetall(recordKey(id));
    if (!fields.owner || !fields.request || !fields.state) return; // expired while waiting
    const owner = await this.sealer.open<string>(fields.owner);
    const before = await this.sealer.open<StoredState>(fields.state);
    if (!before.running) return;
    const request = await this.sealer.open<ExportRequest>(fields.request);
    const abort = new AbortController();
    this.active.set(id, abort);
    let progress = before.progress;
    let written = 0;
    let writes = Promise.resolve();
    const write = (state: StoredState, ttlMs: number): Promise<void> =>
      (writes = writes.then(async () => {
        await this.redis.multi().hset(recordKey(id), 'state', await this.sealer.seal(state)).pexpire(recordKey(id), ttlMs).exec();
      }).catch((error: unknown) => this.options.logger.warn('export progress could not be stored', { exportId: id, errorName: error instanceof Error ? error.name : typeof error })));
    const onProgress = (next: ExportProgress): void => {
      const phaseChanged = next.phase !== progress?.phase;
      progress = next;
      if (!phaseChanged && Date.now() - written < PROGRESS_EVERY_MS) return;
      written = Date.now();
      void write({ running: true, progress: next }, RUNNING_TTL_MS);
    };
    this.options.logger.info('export started', { exportId: id, resumed: before.progress !== undefined });
    try {
      const result = await this.options.runner(request, this.jobDir(id), abort.signal, onProgress);
      await write({ running: false, ...(progress ? { progress } : {}), result: resultSummary(result) }, this.options.ttlMs);
      this.expireLocally(id);
    } catch (error) {
      if (this.closing && abort.signal.aborted && token) {
        // Handed back: another instance (or this one restarted) resumes it from the packet written so far.
        await job.moveToWait(token);
        throw new WaitingError();
      }
      this.options.logger.warn('export failed', { exportId: id, errorName: error instanceof Error ? error.name : typeof error });
      await write({ running: false, ...(progress ? { progress } : {}), error: failureMessage(error) }, this.options.ttlMs);
      await this.remove(id, 'failed');
    } finally {
      this.active.delete(id);
      await this.redis.zrem(this.userKey(owner), id).catch(() => 0);
    }
  }

  /** A job the queue failed outside its export (not run to an end by process): marked failed, its slot and folder freed. */
  private async givenUp(id: string | undefined): Promise<void> {
    if (!id) return;
    try {
      const fields = await this.redis.hgetall(recordKey(id));
      if (!fields.owner || !fields.state || !(await this.sealer.open<StoredState>(fields.state)).running) return;
      this.options.logger.warn('export given up by the queue', { exportId: id });
      const state: StoredState = { running: false, error: 'The export stopped unexpectedly several times and was given up: start a new export' };
      await this.redis.multi().hset(recordKey(id), 'state', await this.sealer.seal(state)).pexpire(recordKey(id), this.options.ttlMs).zrem(this.userKey(await this.sealer.open<string>(fields.owner)), id).exec();
      await this.remove(id, 'failed');
    } catch (error) {
      this.options.logger.error('export could not be marked failed', { exportId: id, errorName: (error as Error).name });
    }
  }

  /** The finished packet is deleted when its lifetime ends (the sweep deletes it too, should this instance be gone by then). */
  private expireLocally(id: string): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.remove(id, 'expired');
    }, this.options.ttlMs);
    timer.unref();
    this.timers.add(timer);
  }

  /** Deletes the job folders whose record has expired in Redis (their lifetime ended, on whichever instance). */
  private async sweep(): Promise<void> {
    try {
      for (const name of await readdir(this.root)) {
        const id = /^job-([A-Za-z0-9_-]+)$/.exec(name)?.[1];
        if (id && (await this.redis.exists(recordKey(id))) === 0) await this.remove(id, 'expired');
      }
    } catch (error) {
      this.options.logger.error('export folder sweep failed', { errorName: (error as Error).name });
    }
  }

  private jobDir(id: string): string {
    return join(this.root, `job-${id}`);
  }

  /** A user's running jobs, under an HMAC of their fhirUser (no staff identity in clear in Redis). */
  private userKey(owner: string): string {
    return `needlechart:export-user:${createHmac('sha256', this.ownerKey).update(owner).digest('base64url')}`;
  }

  private async remove(id: string, why: 'downloaded' | 'expired' | 'failed'): Promise<void> {
    try {
      await rm(this.jobDir(id), { recursive: true, force: true });
    } catch (error) {
      this.options.logger.error('export packet could not be deleted', { exportId: id, why, errorName: (error as Error).name });
    }
  }
}
