import { join } from 'node:path';
import type { Logger } from '../infra/logger.js';
import { failureMessage, resultSummary, type ExportJobBoard, type ExportJobState, type ExportRequest, type ExportRunner } from './export-job-board.js';
import type { ExportJob, ExportJobs, JobChange, StartRefusal } from './export-jobs.js';

/**
 * The compliance exports of one instance (no Redis): ExportJobs keeps each job in this process, runs
 * it with `runner` (a worker thread) and deletes its packet when downloaded, when its lifetime ends or
 * at shutdown. Behind a load balancer, use QueuedExportBoard instead.
 */
export class LocalExportBoard implements ExportJobBoard {
  constructor(
    private readonly jobs: ExportJobs,
    private readonly runner: ExportRunner,
    private readonly logger: Logger,
  ) {}

  get root(): string {
    return this.jobs.root;
  }

  async start(owner: string, request: ExportRequest): Promise<ExportJobState | StartRefusal> {
    const job = await this.jobs.start(owner);
    if (typeof job === 'string') return job;
    this.jobs.run(
      job,
      (signal, onProgress) => this.runner(request, job.dir, signal, onProgress),
      (error) => {
        this.logger.warn('export failed', { exportId: job.id, errorName: error instanceof Error ? error.name : typeof error });
        return failureMessage(error);
      },
    );
    return stateOf(job);
  }

  async get(id: string): Promise<ExportJobState | undefined> {
    const job = this.jobs.get(id);
    return job ? stateOf(job) : undefined;
  }

  follow(id: string, listener: (change: JobChange, state: ExportJobState) => void): () => void {
    const job = this.jobs.get(id);
    if (!job) return () => {};
    const each = (change: JobChange): void => listener(change, stateOf(job));
    job.listeners.add(each);
    return () => job.listeners.delete(each);
  }

  zipPath(id: string): string {
    return this.jobs.get(id)?.result?.zip ?? join(this.jobs.root, `job-${id}`, 'packet.zip');
  }

  async downloaded(id: string): Promise<void> {
    const job = this.jobs.get(id);
    if (job) await this.jobs.downloaded(job);
  }

  close(): Promise<void> {
    return this.jobs.close();
  }
}

function stateOf(job: ExportJob): ExportJobState {
  return {
    id: job.id,
    owner: job.owner,
    running: job.running,
    downloaded: job.downloaded,
    ...(job.progress ? { progress: job.progress } : {}),
    ...(job.result ? { result: resultSummary(job.result) } : {}),
    ...(job.error !== undefined ? { error: job.error } : {}),
  };
}
