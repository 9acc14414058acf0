import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Directories, HashedFileWriter, writeAtomic, writeCollectedAtomic } from '../../../src/export/packet-files.js';

const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);

describe('packet files are private to NeedleChart\'s account', () => {
  let umask: number;
  // An open umask, as a service may be started with: the modes must come from the writer, not from the umask.
  beforeEach(() => {
    umask = process.umask(0);
  });
  afterEach(() => {
    process.umask(umask);
  });

  it('when each writer makes folders and files, then folders are 0700 and files 0600', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'nc-modes-')), 'packet');
    await writeAtomic(join(out, 'patients', 'p-1', 'bundle.json'), '{}');
    const dirs = new Directories();
    await dirs.make(join(out, 'patients', 'p-2', 'visits'));
    await writeAtomic(join(out, 'patients', 'p-2', 'visits', 'v.json'), '{}', dirs);
    await writeCollectedAtomic(join(out, 'cover.pdf'), Readable.from([Buffer.from('%PDF')]));
    const index = new HashedFileWriter(join(out, 'index.csv'));
    await index.write('a,b\r\n');
    await index.close();
    for (const folder of [out, join(out, 'patients'), join(out, 'patients', 'p-1'), join(out, 'patients', 'p-2', 'visits')]) expect(mode(folder), folder).toBe('700');
    for (const file of ['patients/p-1/bundle.json', 'patients/p-2/visits/v.json', 'cover.pdf', 'index.csv']) expect(mode(join(out, file)), file).toBe('600');
  });
});
