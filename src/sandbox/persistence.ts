import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';

/** The sandbox's saved data: every current resource (history is not kept across restarts). */
interface SandboxDataFile {
  readonly format: 'needlechart-sandbox/1';
  readonly savedAt: string;
  readonly resources: readonly Resource[];
}

/** Reads the data file, or undefined when there is none yet (the sandbox then seeds). */
export async function readSandboxData(file: string): Promise<readonly Resource[] | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const data = JSON.parse(text) as Partial<SandboxDataFile>;
  if (data.format !== 'needlechart-sandbox/1' || !Array.isArray(data.resources)) throw new Error(`${file} is not a NeedleChart sandbox data file`);
  return data.resources;
}

/** Writes atomically (temp file, then rename), so a crash mid-write never leaves half a file. */
export async function writeSandboxData(file: string, resources: readonly Resource[]): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const data: SandboxDataFile = { format: 'needlechart-sandbox/1', savedAt: new Date().toISOString(), resources };
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(data));
  await rename(temp, file);
}

/** Coalesces bursts of writes into one save at most every `delayMs`; `flush` saves now (on shutdown). */
export function debouncedSaver(save: () => Promise<void>, delayMs = 250): { schedule(): void; flush(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const run = (): Promise<void> => {
    timer = undefined;
    running = running.then(save, save);
    return running;
  };
  return {
    schedule() {
      timer ??= setTimeout(() => void run(), delayMs);
    },
    async flush() {
      if (timer) {
        clearTimeout(timer);
        await run();
      }
      await running;
    },
  };
}
