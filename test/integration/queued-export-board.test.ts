import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ExportJobState, ExportRunner } from '../../src/export/export-job-board.js';
import type { StartRefusal } from '../../src/export/export-jobs.js';
import { QueuedExportBoard, type QueuedExportBoardOptions } from '../../src/export/queued-export-board.js';
import type { ExportResult } from '../../src/export/run-export.js';
import { silentLogger } from '../../src/infra/logger.js';
import { startRedis } from '../support/redis.js';

/** QueuedExportBoard against a real redis-server, with stand-in exports (no EHR): limits, lifetimes, failures. */
let redis: Awaited<ReturnType<typeof startRedis>>;
const boards: QueuedExportBoard[] = [];
beforeAll(async () => {
  redis = await startRedis();
}, 30_000);
// Each test's instances stop before the next test's start: they share the queue, and would run its jobs.
afterEach(async () => {
  for (const board of boards.splice(0)) await board.close().catch(() => undefined);
});
afterAll(async () => {
  await redis?.stop();
});

async function eventually(check: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  return check();
}

const request = { filters: { from: '2026-01-01', to: '2026-12-31' }, requestedBy: 'Jordan Ellis', requestedByReference: 'Practitioner/staff-jordan-ellis' };
const result = (dir: string): ExportResult => ({ out: join(dir, 'packet'), visits: 2, patients: 1, reused: 0, skipped: 0, unsigned: 0, pages: 4, auditEvent: 'AuditEvent/a', files: 3, via: 'search', zip: join(dir, 'packet.zip') });

/** An export that writes its zip and ends when `release` is called (or fails, when `fail` is). */
function heldRunner(): { runner: ExportRunner; release: () => void; fail: () => void } {
  const waiting: { resolve: () => void; reject: () => void }[] = [];
  const runner: ExportRunner = (_request, dir, _signal, onProgress) =>
    new Promise<ExportResult>((resolve, reject) => {
      onProgress({ phase: 'visits', done: 1, reused: 0, skipped: 0, excluded: 0, perSecond: 1 });
      waiting.push({
        resolve: () => {
          writeFileSync(join(dir, 'packet.zip'), 'PK', { mode: 0o600 });
          resolve(result(dir));
        },
        reject: () => reject(new Error('the EHR went away')),
      });
    });
  const next = async (): Promise<{ resolve: () => void; reject: () => void }> => {
    while (!waiting.length) await new Promise((r) => setTimeout(r, 20));
    return waiting.shift() as { resolve: () => void; reject: () => void };
  };
  return { runner, release: () => void next().then((w) => w.resolve()), fail: () => void next().then((w) => w.reject()) };
}

async function open(over: Partial<QueuedExportBoardOptions> & Pick<QueuedExportBoardOptions, 'runner' | 'dir'>): Promise<QueuedExportBoard> {
  const board = await QueuedExportBoard.open({ redisUrl: redis.url, secret: Buffer.alloc(32, 3), perUser: 1, perInstance: 2, ttlMs: 60_000, lockMs: 2000, logger: silentLogger, ...over });
  boards.push(board);
  return board;
}

async function until(board: QueuedExportBoard, id: string, check: (state: ExportJobState | undefined) => boolean, ms = 10_000): Promise<ExportJobState | undefined> {
  const end = Date.now() + ms;
  let state = await board.get(id);
  while (!check(state) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 50));
    state = await board.get(id);
  }
  return state;
}

const started = (value: ExportJobState | StartRefusal): ExportJobState => {
  if (typeof value === 'string') throw new Error(`refused: ${value}`);
  return value;
};

describe('QueuedExportBoard', () => {
  it('when a user runs an export on one instance, then another instance refuses them a second one until it ends, and shows the same job', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'nc-queued-')), 'exports');
    const held = heldRunner();
    const one = await open({ dir, runner: held.runner });
    const two = await open({ dir, runner: held.runner });
    const job = started(await one.start('Practitioner/staff-jordan-ellis', request));
    expect(await two.start('Practitioner/staff-jordan-ellis', request)).toBe('user-busy');
    expect(await until(two, job.id, (s) => s?.progress !== undefined)).toMatchObject({ owner: 'Practitioner/staff-jordan-ellis', running: true, progress: { done: 1 } });
    held.release();
    expect(await until(two, job.id, (s) => s?.running === false)).toMatchObject({ running: false, result: { visits: 2, patients: 1 } });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, `job-${job.id}`)).mode & 0o777).toBe(0o700);
    const again = started(await two.start('Practitioner/staff-jordan-ellis', request));
    held.release();
    expect(await until(one, again.id, (s) => s?.running === false)).toMatchObject({ result: { visits: 2 } });
  }, 30_000);

  it('when an export fails, then every instance shows the failure in plain words and its partial files are deleted', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'nc-queued-')), 'exports');
    const held = heldRunner();
    const board = await open({ dir, runner: held.runner });
    const job = started(await board.start('Practitioner/co-2', request));
    held.fail();
    const state = await until(board, job.id, (s) => s?.running === false);
    expect(state).toMatchObject({ running: false, error: 'The export failed; nothing partial is offered for download.' });
    expect(state?.result).toBeUndefined();
    expect(existsSync(join(dir, `job-${job.id}`))).toBe(false);
  }, 30_000);

  it('when a finished packet\'s lifetime ends, then its record is gone on every instance and its folder is deleted, also by an instance that did not run it', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'nc-queued-')), 'exports');
    const held = heldRunner();
    const board = await open({ dir, runner: held.runner, ttlMs: 400 });
    const job = started(await board.start('Practitioner/co-3', request));
    held.release();
    expect(await until(board, job.id, (s) => s?.running === false)).toMatchObject({ result: { visits: 2 } });
    expect(await until(board, job.id, (s) => s === undefined, 5000)).toBeUndefined();
    expect(await eventually(() => !existsSync(join(dir, `job-${job.id}`)))).toBe(true);

    // A folder left by an instance that went away before its packet's lifetime ended: the next instance's sweep deletes it.
    const orphan = join(dir, 'job-AAAAAAAAAAAAAAAA');
    await mkdir(orphan, { mode: 0o700 });
    writeFileSync(join(orphan, 'packet.zip'), 'PK');
    await open({ dir, runner: held.runner });
    expect(existsSync(orphan)).toBe(false);
  }, 30_000);
});
