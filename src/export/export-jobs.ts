import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../infra/logger.js';
import { PRIVATE_DIR } from './packet-files.js';
import type { ExportProgress, ExportResult } from './run-export.js';

/** What happened to a job, for those following it (the web app's event stream). */
export type JobChange = 'progress' | 'done' | 'failed';

/** One compliance export started from the web app: its private folder, its owner and how it is going. */
export class ExportJob {
  /** Stops the export (its worker thread) when NeedleChart shuts down. */
  readonly abort = new AbortController();
  readonly listeners = new Set<(change: JobChange) => void>();
  progress?: ExportProgress;
  result?: ExportResult;
  error?: string;
  /** The packet was downloaded and deleted; the job is kept until its lifetime ends to say so. */
  downloaded = false;
  /** Settles when the export has ended, however it ended (shutdown waits for it). */
  ended: Promise<void> = Promise.resolve();

  constructor(
    readonly id: string,
    /** The fhirUser who started it: only they may follow or download it. */
    readonly owner: string,
    /** The job's own folder (0700): the packet, its zip and the Bulk Data work files. */
    readonly dir: string,
  ) {}

  get running(): boolean {
    return this.result === undefined && this.error === undefined;
  }

  notify(change: JobChange): void {
    for (const listener of this.listeners) listener(change);
  }
}

/** Makes or checks a configured export folder: created 0700 if missing, made 0700 if others could read it; anything else stops start-up. */
export async function openExportFolder(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: PRIVATE_DIR });
    const info = await stat(dir);
    if (!info.isDirectory()) throw new Error('not a folder');
    if ((info.mode & 0o077) !== 0) await chmod(dir, PRIVATE_DIR);
  } catch (error) {
    throw new Error(`NEEDLECHART_EXPORT_DIR must be a folder NeedleChart can make private (0700): ${dir} (${(error as Error).message})`);
  }
}

/** Why a job was not started: the user already runs as many as allowed, or the instance does. */
export type StartRefusal = 'user-busy' | 'instance-busy';

export interface ExportJobsOptions {
  /** Where packets go; absent: a private folder made now under the OS temp folder, removed on close. */
  readonly dir?: string;
  /** Exports one user may run at once. */
  readonly perUser: number;
  /** Exports this instance runs at once. */
  readonly perInstance: number;
  /** How long a finished job's packet waits for its download, in milliseconds. */
  readonly ttlMs: number;
  readonly logger: Logger;
}

/**
 * The web app's compliance exports on this instance. Packets hold every matching patient's records,
 * so each job writes into its own folder (0700) under a private export folder (0700), is limited per
 * user and per instance (each export is a worker thread with its own heap), and its packet is
 * deleted when downloaded, when its lifetime ends, or when NeedleChart shuts down.
 */
export class ExportJobs {
  private readonly jobs = new Map<string, ExportJob>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  private constructor(
    /** The export folder: every job's folder is in it. */
    readonly root: string,
    private readonly ownsRoot: boolean,
    private readonly options: ExportJobsOptions,
  ) {}

  /** Makes or checks the export folder: a configured one is created 0700 if missing and made 0700 if others could read it. */
  static async open(options: ExportJobsOptions): Promise<ExportJobs> {
    if (!options.dir) return new ExportJobs(await mkdtemp(join(tmpdir(), 'needlechart-exports-')), true, options);
    await openExportFolder(options.dir);
    return new ExportJobs(options.dir, false, options);
  }

  /**
   * Starts a job for `owner` in a new private folder, or says which limit stops it. The job counts
   * against the limits from this call on (before any await), so simultaneous requests cannot both pass.
   */
  async start(owner: string): Promise<ExportJob | StartRefusal> {
    const running = [...this.jobs.values()].filter((j) => j.running);
    if (running.filter((j) => j.owner === owner).length >= this.options.perUser) return 'user-busy';
    if (running.length >= this.options.perInstance) return 'instance-busy';
    const id = randomBytes(12).toString('base64url');
    const job = new ExportJob(id, owner, join(this.root, `job-${id}`));
    this.jobs.set(id, job);
    try {
      await mkdir(job.dir, { mode: PRIVATE_DIR });
    } catch (error) {
      this.jobs.delete(id);
      throw error;
    }
    return job;
  }

  get(id: string): ExportJob | undefined {
    return this.jobs.get(id);
  }

  /**
   * Runs the export of `job`: `work` gets the job's abort signal and reports progress; its result or
   * failure (as `failure` words it for the user) is kept on the job, and those following it are told.
   */
  run(job: ExportJob, work: (signal: AbortSignal, onProgress: (progress: ExportProgress) => void) => Promise<ExportResult>, failure: (error: unknown) => string): void {
    const onProgress = (progress: ExportProgress): void => {
      job.progress = progress;
      job.notify('progress');
    };
    job.ended = work(job.abort.signal, onProgress)
      .then(
        (result) => {
          job.result = result;
          job.notify('done');
        },
        (error: unknown) => {
          job.error = failure(error);
          job.notify('failed');
        },
      )
      .then(() => this.settled(job));
  }

  /** A job ended: a failed one's partial files go now; the job and its packet go when its lifetime ends. */
  private async settled(job: ExportJob): Promise<void> {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.jobs.delete(job.id);
      void this.remove(job, 'expired');
    }, this.options.ttlMs);
    timer.unref();
    this.timers.add(timer);
    if (job.error !== undefined) await this.remove(job, 'failed');
  }

  /** The packet was downloaded: it is deleted at once; the job stays to say so until its lifetime ends. */
  async downloaded(job: ExportJob): Promise<void> {
    job.downloaded = true;
    await this.remove(job, 'downloaded');
  }

  /** Shutdown: running exports are stopped and every packet is deleted, with the export folder when this instance made it. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const jobs = [...this.jobs.values()];
    this.jobs.clear();
    for (const job of jobs) job.abort.abort();
    // Stopped workers write nothing more once their export has ended.
    await Promise.allSettled(jobs.map((job) => job.ended));
    await Promise.all(jobs.map((job) => this.remove(job, 'shutdown')));
    if (this.ownsRoot) await rm(this.root, { recursive: true, force: true });
  }

  private async remove(job: ExportJob, why: 'downloaded' | 'expired' | 'failed' | 'shutdown'): Promise<void> {
    try {
      await rm(job.dir, { recursive: true, force: true });
    } catch (error) {
      this.options.logger.error('export packet could not be deleted', { exportId: job.id, why, errorName: (error as Error).name });
    }
  }
}
