import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config.js';
import { favouriteMusclesOf, needledFromFavourite, withSetAdded } from '../../../src/domain/favourite-sets.js';
import type { NeedledMuscle } from '../../../src/domain/types.generated.js';
import { loadClinicFavourites } from '../../../src/favourites/clinic-favourites.js';
import { FAVOURITES_FILE, FileFavouriteStore } from '../../../src/favourites/file-favourite-store.js';
import { testCore } from '../../support/fixtures.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nc-favourite-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const MUSCLE = { muscle: 'masseter', side: 'left', depth: 'deep', technique: 'static', needles: 1, retentionSeconds: 60 } as const;

describe('the favourite-set file store', () => {
  it('when sets are saved and the store is opened again, then they are read back, the folder is made 0700 and the file 0600', async () => {
    const data = join(dir, 'data');
    const store = await FileFavouriteStore.open(data);
    await store.update('ehr|Practitioner/a', (sets) => withSetAdded(sets, { name: 'Jaw', muscles: [MUSCLE] }, 'fav-1'));
    await store.close();
    const again = await FileFavouriteStore.open(data);
    expect(await again.list('ehr|Practitioner/a')).toEqual([{ id: 'fav-1', name: 'Jaw', muscles: [MUSCLE] }]);
    expect(await again.list('ehr|Practitioner/b')).toEqual([]);
    expect((await stat(data)).mode & 0o777).toBe(0o700);
    expect((await stat(join(data, FAVOURITES_FILE))).mode & 0o777).toBe(0o600);
  });

  it('when many changes run at once, then none is lost, and a refused change leaves the file as it was', async () => {
    const store = await FileFavouriteStore.open(dir);
    await Promise.all(Array.from({ length: 10 }, (_, i) => store.update('o', (sets) => withSetAdded(sets, { name: `Set ${i}`, muscles: [MUSCLE] }, `fav-${i}`))));
    expect(await store.list('o')).toHaveLength(10);
    await expect(store.update('o', (sets) => withSetAdded(sets, { name: 'set 3', muscles: [MUSCLE] }, 'fav-x'))).rejects.toMatchObject({ status: 422 });
    expect(await store.list('o')).toHaveLength(10);
    expect(await readdir(dir)).toEqual([FAVOURITES_FILE]);
  });
});

describe('the clinic’s favourite sets (NEEDLECHART_CLINIC_FAVOURITES)', () => {
  it('when the file has several problems, then start-up stops with every one listed, each naming the setting and the field', async () => {
    const core = await testCore();
    const path = join(dir, 'clinic.json');
    await writeFile(path, JSON.stringify({ sets: [{ name: 'A\nB', muscles: [{ ...MUSCLE, muscle: 'no-such-muscle' }] }, { name: 'x'.repeat(61), muscles: [] }] }));
    const error = await loadClinicFavourites(path, core.check).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.every((p) => p.startsWith(`NEEDLECHART_CLINIC_FAVOURITES (${path}): `))).toBe(true);
    expect(problems.join('\n')).toMatch(/sets\[0\]\.name/);
    expect(problems.join('\n')).toMatch(/sets\[0\]\.muscles\[0\]\.muscle 'no-such-muscle' is not in the muscle catalog/);
    expect(problems.join('\n')).toMatch(/sets\[1\]\.name must be at most 60 characters/);
    expect(problems.join('\n')).toMatch(/sets\[1\]\.muscles must have at least 1 entry/);
  });

  it('when the file is not JSON or two sets share a name, then start-up stops saying so; a good file gives clinic-1, clinic-2…', async () => {
    const core = await testCore();
    const path = join(dir, 'clinic.json');
    await writeFile(path, '{ not json');
    await expect(loadClinicFavourites(path, core.check)).rejects.toBeInstanceOf(ConfigError);
    await writeFile(path, JSON.stringify({ sets: [{ name: 'Jaw', muscles: [MUSCLE] }, { name: 'jaw', muscles: [MUSCLE] }] }));
    await expect(loadClinicFavourites(path, core.check)).rejects.toMatchObject({ problems: [expect.stringContaining("sets[1].name 'jaw' repeats sets[0].name")] });
    await writeFile(path, JSON.stringify({ sets: [{ name: 'Jaw', muscles: [MUSCLE] }, { name: 'Jaw, both sides', muscles: [MUSCLE, { ...MUSCLE, side: 'right' }] }] }));
    expect((await loadClinicFavourites(path, core.check)).map((s) => s.id)).toEqual(['clinic-1', 'clinic-2']);
    expect(await loadClinicFavourites(undefined, core.check)).toEqual([]);
  });
});

describe('what a favourite set keeps', () => {
  it('when a set is made from today’s muscles, then palpation, twitch, precaution and notes are left out, and a row made from it has no twitch yet', () => {
    const today: NeedledMuscle[] = [
      { ...MUSCLE, twitch: { elicited: true, count: 3 }, precaution: 'pincer grip', notes: 'tender today', exam: { tautBand: true } },
      { ...MUSCLE, twitch: { elicited: false } },
    ];
    expect(favouriteMusclesOf(today)).toEqual([MUSCLE]);
    expect(needledFromFavourite(MUSCLE)).toEqual({ ...MUSCLE, twitch: { elicited: false } });
  });
});
