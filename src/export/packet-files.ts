import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';

/** What the manifest records of a file: its SHA-256 and size, taken from the bytes as they were written. */
export interface Digest {
  readonly sha256: string;
  readonly bytes: number;
}

export interface FileDigest extends Digest {
  /** Relative to the packet folder, with `/` separators. */
  readonly path: string;
}

export const digestOf = (content: Buffer): Digest => ({ sha256: createHash('sha256').update(content).digest('hex'), bytes: content.length });

const partName = (path: string): string => `${path}.${process.pid}.part`;

/**
 * Packets hold patients' records: folders are made 0700 and files 0600 (owner only), whatever the
 * process umask, so another account on the server cannot read a packet while it is being written.
 */
export const PRIVATE_DIR = 0o700;
export const PRIVATE_FILE = 0o600;

/** Writes atomically (temp file, then rename): a crash never leaves half a file behind. Returns the digest of what it wrote. */
export async function writeAtomic(path: string, content: string | Buffer, dirs?: Directories): Promise<Digest> {
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  await (dirs ? dirs.make(dirname(path)) : mkdir(dirname(path), { recursive: true, mode: PRIVATE_DIR }));
  const temp = partName(path);
  await writeFile(temp, bytes, { mode: PRIVATE_FILE });
  await rename(temp, path);
  return digestOf(bytes);
}

/**
 * Writes what a stream makes (a PDF as pdfkit makes it) atomically, collected first and written in one
 * go: pdfkit emits a chunk per PDF object, and writing each as it came cost thousands of small writes
 * per visit. A visit's PDF is some tens of KB, so holding it whole costs little.
 */
export async function writeCollectedAtomic(path: string, source: NodeJS.ReadableStream, dirs?: Directories): Promise<Digest> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return writeAtomic(path, Buffer.concat(chunks), dirs);
}

/**
 * A text file written a piece at a time (index.csv, resources.ndjson) with back-pressure, hashed as it
 * goes, and put in place atomically when closed.
 */
export class HashedFileWriter {
  private readonly stream: WriteStream;
  private readonly hash = createHash('sha256');
  private bytes = 0;
  private failure: Error | undefined;

  constructor(private readonly path: string) {
    this.stream = createWriteStream(partName(path), { mode: PRIVATE_FILE });
    this.stream.on('error', (error) => (this.failure = error));
  }

  write(text: string): Promise<void> | undefined {
    if (this.failure) throw this.failure;
    const chunk = Buffer.from(text);
    this.hash.update(chunk);
    this.bytes += chunk.length;
    // Resolves at once unless the stream's buffer is full; the caller awaits only then.
    return this.stream.write(chunk) ? undefined : new Promise((resolve) => this.stream.once('drain', resolve));
  }

  async close(): Promise<Digest> {
    await new Promise<void>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.stream.once('error', reject);
      this.stream.end(() => resolve());
    });
    await rename(partName(this.path), this.path);
    return { sha256: this.hash.digest('hex'), bytes: this.bytes };
  }
}

/** Makes folders once each: an export writes thousands of files into a few hundred folders. */
export class Directories {
  private readonly made = new Map<string, Promise<unknown>>();

  make(dir: string): Promise<unknown> {
    let made = this.made.get(dir);
    if (!made) {
      made = mkdir(dir, { recursive: true, mode: PRIVATE_DIR });
      this.made.set(dir, made);
      made.catch(() => this.made.delete(dir));
    }
    return made;
  }
}

export async function readJsonIfExists<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || error instanceof SyntaxError) return undefined;
    throw error;
  }
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}

/** The digest of a file as it is on disk now, for files this run did not write itself. */
export async function digestFile(dir: string, path: string): Promise<FileDigest> {
  const full = join(dir, path);
  return { path, sha256: await sha256File(full), bytes: (await stat(full)).size };
}

/** Every file under `dir`, relative paths, sorted; leftovers of interrupted writes (`.part`) removed. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.name.endsWith('.part')) await rm(full, { force: true });
      else out.push(relative(dir, full));
    }
  };
  await walk(dir);
  return out.sort();
}

/** Runs `work` over `items` with at most `limit` at a time. */
export async function inPool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  });
  await Promise.all(runners);
}

/**
 * Yields `load(item)` for each item in order, with up to `depth` loads running ahead of the consumer:
 * the packet's per-patient files are read while the previous patient's are being written out.
 * A failed load surfaces where its result would have been yielded.
 */
export async function* mapInOrder<T, R>(items: readonly T[], depth: number, load: (item: T) => Promise<R>): AsyncGenerator<R> {
  const pending: Promise<R>[] = [];
  let next = 0;
  const fill = (): void => {
    while (pending.length < depth && next < items.length) {
      const loading = load(items[next++] as T);
      loading.catch(() => undefined);
      pending.push(loading);
    }
  };
  try {
    fill();
    while (pending.length) {
      const result = await (pending.shift() as Promise<R>);
      fill();
      yield result;
    }
  } finally {
    // Stopped early: let the loads in flight settle before the caller goes on.
    await Promise.allSettled(pending);
  }
}

/**
 * Yields from `source` while already fetching its next item, so the export's next page of visits
 * arrives from the EHR while the current page is being rendered (one extra page held, about 50 visits).
 * The prefetch's failure surfaces where that item would have been yielded, not as an unhandled rejection.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let pending = iterator.next();
  pending.catch(() => undefined);
  try {
    for (;;) {
      const current = await pending;
      if (current.done) return;
      pending = iterator.next();
      pending.catch(() => undefined);
      yield current.value;
    }
  } finally {
    // Stopped early (an error while processing a page): wait for the fetch in flight, then close the source.
    await pending.catch(() => undefined);
    await iterator.return?.();
  }
}
