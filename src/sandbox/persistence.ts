import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';

/**
 * The sandbox's data on disk (NEEDLECHART_SANDBOX_DATA): a snapshot file of every current resource,
 * written atomically, and beside it an append-only write log (`<file>.log`) holding, line by line,
 * each resource as it stood after a write (or `null` once deleted). The log is what makes a write
 * durable before it is acknowledged (durable-store.ts); the snapshot is rewritten from time to time
 * and the log emptied. History is not kept across restarts.
 */
interface SandboxDataFile {
  readonly format: 'needlechart-sandbox/1';
  readonly savedAt: string;
  readonly resources: readonly Resource[];
}

/** One line of the write log: the resource `key` (`Type/id`) as it is now, `null` when deleted. */
export interface LogEntry {
  readonly key: string;
  readonly resource: Resource | null;
}

/** The write log kept beside a snapshot file. */
export function logFileOf(file: string): string {
  return `${file}.log`;
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * The log's entries. A last line without its newline is a write cut short by a crash: it was never
 * acknowledged, so it is left out. Any other line that does not parse means the file is damaged.
 */
export function parseLog(text: string, file: string): LogEntry[] {
  const lines = text.split('\n');
  lines.pop(); // '' after the last newline, or the torn tail of an interrupted append
  return lines.map((line, i) => {
    try {
      const entry = JSON.parse(line) as Partial<LogEntry>;
      if (typeof entry.key !== 'string' || entry.resource === undefined) throw new Error('not a log entry');
      return entry as LogEntry;
    } catch {
      throw new Error(`${file} line ${i + 1} is damaged: it is not a NeedleChart sandbox log entry`);
    }
  });
}

/**
 * Reads the snapshot and replays its write log over it, or undefined when there is no snapshot yet
 * (the sandbox then seeds). A log without its snapshot is ignored: the snapshot is the data file.
 */
export async function readSandboxData(file: string): Promise<readonly Resource[] | undefined> {
  const text = await readText(file);
  if (text === undefined) return undefined;
  const data = JSON.parse(text) as Partial<SandboxDataFile>;
  if (data.format !== 'needlechart-sandbox/1' || !Array.isArray(data.resources)) throw new Error(`${file} is not a NeedleChart sandbox data file`);
  const byKey = new Map<string, Resource>(data.resources.map((r) => [`${r.resourceType}/${r.id ?? ''}`, r]));
  for (const entry of parseLog((await readText(logFileOf(file))) ?? '', logFileOf(file))) {
    if (entry.resource) byKey.set(entry.key, entry.resource);
    else byKey.delete(entry.key);
  }
  return [...byKey.values()];
}

/** Makes a rename or a new file in `dir` survive a crash (the directory entry itself is flushed). */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  if (!handle) return; // platforms that cannot open a directory (Windows) order renames themselves
  try {
    await handle.sync().catch(() => undefined);
  } finally {
    await handle.close();
  }
}

/** Writes the snapshot atomically and durably: temp file, fsync, rename over the old one, fsync the directory. */
export async function writeSandboxData(file: string, resources: readonly Resource[]): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const data: SandboxDataFile = { format: 'needlechart-sandbox/1', savedAt: new Date().toISOString(), resources };
  const temp = `${file}.${process.pid}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(JSON.stringify(data));
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temp, file);
  await syncDirectory(dirname(file));
}
