import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DurableStore } from '../../../src/sandbox/durable-store.js';
import { JournaledRepository } from '../../../src/sandbox/journaled-repository.js';
import { logFileOf, parseLog, readSandboxData, writeSandboxData } from '../../../src/sandbox/persistence.js';

const dataFile = () => join(mkdtempSync(join(tmpdir(), 'nc-durable-')), 'data.json');
const ids = (resources: readonly { resourceType: string; id?: string }[] | undefined) => (resources ?? []).map((r) => `${r.resourceType}/${r.id}`).sort();

describe('the sandbox data file (snapshot and write log)', () => {
  it('when a write is committed, then it is in the file before the commit resolves, without closing the store', async () => {
    const file = dataFile();
    const repo = new JournaledRepository();
    await repo.createResource({ resourceType: 'Patient', id: 'p-seeded' });
    const store = await DurableStore.open(file, repo);
    await repo.createResource({ resourceType: 'Practitioner', id: 'pr-1', name: [{ family: 'Logged' }] });
    await store.commit();
    const onDisk = await readSandboxData(file);
    expect(ids(onDisk)).toEqual(['Patient/p-seeded', 'Practitioner/pr-1']);
    expect(onDisk?.find((r) => r.id === 'pr-1')).toMatchObject({ name: [{ family: 'Logged' }] });
    await store.close();
  });

  it('when a resource is deleted and a transaction is rolled back, then after the commit the file holds neither', async () => {
    const file = dataFile();
    const repo = new JournaledRepository();
    await repo.createResource({ resourceType: 'Patient', id: 'p-1' });
    const store = await DurableStore.open(file, repo);
    await repo.deleteResource('Patient', 'p-1');
    const failed = repo.runExclusive(() =>
      repo.withTransaction(async () => {
        await repo.createResource({ resourceType: 'Patient', id: 'p-half' });
        throw new Error('second entry refused');
      }),
    );
    await expect(failed).rejects.toThrow('second entry refused');
    await store.commit();
    expect(ids(await readSandboxData(file))).toEqual([]);
    await store.close();
  });

  it('when the write log grows past its limit, then it is folded into a new snapshot and emptied', async () => {
    const file = dataFile();
    const repo = new JournaledRepository();
    const store = await DurableStore.open(file, repo, 1);
    await repo.createResource({ resourceType: 'Practitioner', id: 'pr-1' });
    await store.commit();
    expect(statSync(logFileOf(file)).size).toBe(0);
    expect((JSON.parse(readFileSync(file, 'utf8')) as { resources: unknown[] }).resources).toEqual([expect.objectContaining({ id: 'pr-1' })]);
    await store.close();
  });

  it('when the log ends with a line cut short by a crash, then that unacknowledged write is left out', async () => {
    const file = dataFile();
    await writeSandboxData(file, [{ resourceType: 'Patient', id: 'p-1' }]);
    writeFileSync(logFileOf(file), `${JSON.stringify({ key: 'Patient/p-2', resource: { resourceType: 'Patient', id: 'p-2' } })}\n${JSON.stringify({ key: 'Patient/p-1', resource: null })}\n{"key":"Patient/p-3","reso`);
    expect(ids(await readSandboxData(file))).toEqual(['Patient/p-2']);
  });

  it('when a line before the end of the log is damaged, then reading fails naming the file and the line', () => {
    expect(() => parseLog('{"key":"Patient/p-1","resource":null}\nnot json\n{"key":"Patient/p-2","resource":null}\n', 'data.json.log')).toThrow('data.json.log line 2 is damaged');
  });

  it('when there is a write log but no snapshot, then there is no data (the sandbox seeds afresh)', async () => {
    const file = dataFile();
    writeFileSync(logFileOf(file), `${JSON.stringify({ key: 'Patient/p-2', resource: { resourceType: 'Patient', id: 'p-2' } })}\n`);
    expect(await readSandboxData(file)).toBeUndefined();
  });
});
