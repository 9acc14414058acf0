import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { JournaledRepository } from './journaled-repository.js';
import { logFileOf, syncDirectory, writeSandboxData } from './persistence.js';

/** Past this size the write log is folded into a new snapshot (off the request path, between writes). */
const COMPACT_AT_BYTES = 8 * 1024 * 1024;

/**
 * Keeps the sandbox's data file durable: a write is on disk before it is acknowledged. After each
 * write (inside the repository's exclusive section, so a transaction is seen whole) `commit` takes
 * the changed resources and appends them to the write log; the promise it returns resolves once
 * they are written and fsynced, and the FHIR endpoint answers only then. Appends queue one behind
 * another, so writes that arrive during an fsync share the next one (group commit). Reads never
 * wait. When the log grows past COMPACT_AT_BYTES, and on close, the whole data set is written as a
 * new snapshot (atomically, see persistence.ts) and the log emptied.
 *
 * Replaying the log over the snapshot is idempotent (each line is a resource's whole state), so a
 * crash at any point leaves every acknowledged write readable after a restart.
 */
export class DurableStore {
  private queue: Promise<void> = Promise.resolve();
  private pending = '';
  private logBytes = 0;
  private failure: Error | undefined;

  private constructor(
    private readonly file: string,
    private readonly repo: JournaledRepository,
    private log: FileHandle,
    private readonly compactAtBytes: number,
  ) {}

  /**
   * Writes what the repository holds now as the snapshot, starts an empty write log, and forgets
   * the changes made so far (loading or seeding): they are all in the snapshot.
   */
  static async open(file: string, repo: JournaledRepository, compactAtBytes = COMPACT_AT_BYTES): Promise<DurableStore> {
    await writeSandboxData(file, repo.snapshot());
    repo.takeChanges();
    const log = await open(logFileOf(file), 'w');
    await log.sync();
    await syncDirectory(dirname(file));
    // Reopened for appending: every write goes to the end, whatever the file offset.
    await log.close();
    return new DurableStore(file, repo, await open(logFileOf(file), 'a'), compactAtBytes);
  }

  /**
   * Takes the repository's changes and resolves once they (and every change taken before them) are
   * on disk. Call between writes, inside `repo.runExclusive`; await the result outside it.
   */
  commit(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    for (const { key, resource } of this.repo.takeChanges()) this.pending += `${JSON.stringify({ key, resource: resource ?? null })}\n`;
    this.queue = this.queue.then(() => this.appendPending());
    return this.queue;
  }

  private async appendPending(): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.pending) return;
    const text = this.pending;
    this.pending = '';
    try {
      await this.log.write(text);
      await this.log.datasync();
    } catch (error) {
      // A log that may hold half a line must not take more: later writes are refused, not lost silently.
      this.failure = new Error(`The sandbox data file ${this.file} could not be written (${(error as Error).message})`);
      throw this.failure;
    }
    this.logBytes += Buffer.byteLength(text);
    // A failed compaction loses nothing (the log still holds every write): it is tried again later.
    if (this.logBytes > this.compactAtBytes) await this.compact().catch(() => undefined);
  }

  /** A new snapshot of the data as it stands between writes, then an empty log. Runs in the append queue. */
  private async compact(): Promise<void> {
    // Taken between writes: never half a transaction. Later changes stay in the repository's change set
    // and are appended to the emptied log after this (replaying them over the snapshot is harmless).
    const resources = await this.repo.runExclusive(async () => this.repo.snapshot());
    await writeSandboxData(this.file, resources);
    await this.log.truncate(0);
    await this.log.sync();
    this.logBytes = 0;
  }

  /** Saves everything and folds the log into the snapshot, so the next start reads one file. */
  async close(): Promise<void> {
    await this.commit().catch(() => undefined);
    this.queue = this.queue.then(() => (this.failure ? undefined : this.compact()));
    await this.queue.catch(() => undefined);
    await this.log.close();
  }
}
