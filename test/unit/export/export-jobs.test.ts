import { existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExportJob, ExportJobs, type ExportJobsOptions } from '../../../src/export/export-jobs.js';
import type { ExportResult } from '../../../src/export/run-export.js';
import { silentLogger } from '../../../src/infra/logger.js';

const options = (over: Partial<ExportJobsOptions> = {}): ExportJobsOptions => ({ perUser: 1, perInstance: 2, ttlMs: 60_000, logger: silentLogger, ...over });
const result = (job: ExportJob): ExportResult => ({ out: join(job.dir, 'packet'), visits: 1, patients: 1, reused: 0, skipped: 0, unsigned: 0, pages: 3, auditEvent: 'AuditEvent/a', files: 1, via: 'search', zip: join(job.dir, 'packet.zip') });

/** A job whose export runs until `finish` or `fail` is called. */
function runHeld(jobs: ExportJobs, job: ExportJob): { finish: () => void; fail: () => void; aborted: () => boolean } {
  let finish = (): void => {};
  let fail = (): void => {};
  let signal: AbortSignal | undefined;
  jobs.run(
    job,
    (s) =>
      new Promise<ExportResult>((resolve, reject) => {
        signal = s;
        writeFileSync(join(job.dir, 'part.json'), '{}');
        finish = () => resolve(result(job));
        fail = () => reject(new Error('boom'));
        s.addEventListener('abort', () => reject(new Error('stopped')));
      }),
    () => 'The export failed',
  );
  return { finish: () => finish(), fail: () => fail(), aborted: () => signal?.aborted ?? false };
}

const started = async (jobs: ExportJobs, owner: string): Promise<ExportJob> => {
  const job = await jobs.start(owner);
  if (typeof job === 'string') throw new Error(`refused: ${job}`);
  return job;
};

async function eventually(check: () => boolean, ms = 3000): Promise<boolean> {
  const until = Date.now() + ms;
  while (!check() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  return check();
}

describe('ExportJobs', () => {
  it('when no folder is configured, then a private one (0700) is made under the OS temp folder, each job gets its own 0700 folder, and close removes it all', async () => {
    const jobs = await ExportJobs.open(options());
    expect(jobs.root.startsWith(join(tmpdir(), 'needlechart-exports-'))).toBe(true);
    expect(statSync(jobs.root).mode & 0o777).toBe(0o700);
    const job = await started(jobs, 'Practitioner/a');
    expect(job.dir.startsWith(jobs.root)).toBe(true);
    expect(statSync(job.dir).mode & 0o777).toBe(0o700);
    await jobs.close();
    expect(existsSync(jobs.root)).toBe(false);
  });

  it('when a configured folder is missing or open to others, then it is made or made private (0700); a file in its place stops start-up', async () => {
    const base = mkdtempSync(join(tmpdir(), 'nc-jobs-'));
    const made = await ExportJobs.open(options({ dir: join(base, 'new', 'exports') }));
    expect(statSync(made.root).mode & 0o777).toBe(0o700);
    const open = join(base, 'open');
    mkdirSync(open);
    await chmod(open, 0o755);
    await ExportJobs.open(options({ dir: open }));
    expect(statSync(open).mode & 0o777).toBe(0o700);
    writeFileSync(join(base, 'file'), 'x');
    await expect(ExportJobs.open(options({ dir: join(base, 'file') }))).rejects.toThrow(/NEEDLECHART_EXPORT_DIR must be a folder/);
  });

  it('when a user already runs as many exports as allowed, then they are refused until one ends; other users still may start', async () => {
    const jobs = await ExportJobs.open(options({ perUser: 1, perInstance: 5 }));
    const first = await started(jobs, 'Practitioner/a');
    const held = runHeld(jobs, first);
    expect(await jobs.start('Practitioner/a')).toBe('user-busy');
    expect(typeof (await jobs.start('Practitioner/b'))).not.toBe('string');
    held.finish();
    await first.ended;
    expect(typeof (await jobs.start('Practitioner/a'))).not.toBe('string');
    await jobs.close();
  });

  it('when simultaneous requests start exports, then the limits hold (a job counts from the call, not after its folder is made)', async () => {
    const jobs = await ExportJobs.open(options({ perUser: 1, perInstance: 2 }));
    const same = await Promise.all([jobs.start('Practitioner/a'), jobs.start('Practitioner/a')]);
    expect(same.filter((j) => j === 'user-busy')).toHaveLength(1);
    const others = await Promise.all([jobs.start('Practitioner/b'), jobs.start('Practitioner/c')]);
    expect(others.filter((j) => j === 'instance-busy')).toHaveLength(1);
    await jobs.close();
  });

  it('when a job fails, then its partial files are deleted at once and it says why', async () => {
    const jobs = await ExportJobs.open(options());
    const job = await started(jobs, 'Practitioner/a');
    const changes: string[] = [];
    job.listeners.add((c) => changes.push(c));
    runHeld(jobs, job).fail();
    await job.ended;
    expect(job.error).toBe('The export failed');
    expect(changes).toEqual(['failed']);
    expect(await eventually(() => !existsSync(job.dir))).toBe(true);
    await jobs.close();
  });

  it('when a finished packet is downloaded, then it is deleted and the job remembers it; when its lifetime ends, then the job goes too', async () => {
    const jobs = await ExportJobs.open(options({ ttlMs: 200 }));
    const job = await started(jobs, 'Practitioner/a');
    runHeld(jobs, job).finish();
    await job.ended;
    expect(existsSync(job.dir)).toBe(true);
    await jobs.downloaded(job);
    expect(existsSync(job.dir)).toBe(false);
    expect(jobs.get(job.id)?.downloaded).toBe(true);
    expect(await eventually(() => jobs.get(job.id) === undefined)).toBe(true);
    await jobs.close();
  });

  it('when a finished packet is not downloaded within its lifetime, then it is deleted', async () => {
    const jobs = await ExportJobs.open(options({ ttlMs: 200 }));
    const job = await started(jobs, 'Practitioner/a');
    runHeld(jobs, job).finish();
    await job.ended;
    expect(await eventually(() => !existsSync(job.dir) && jobs.get(job.id) === undefined)).toBe(true);
    await jobs.close();
  });

  it('when NeedleChart shuts down with an export running and a configured folder, then the export is stopped, its folder deleted and the configured folder kept', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'nc-jobs-')), 'exports');
    const jobs = await ExportJobs.open(options({ dir }));
    const job = await started(jobs, 'Practitioner/a');
    const held = runHeld(jobs, job);
    await jobs.close();
    expect(held.aborted()).toBe(true);
    expect(existsSync(job.dir)).toBe(false);
    expect(existsSync(dir)).toBe(true);
  });
});
