import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.js';
import { MAX_SETS_PER_CLINICIAN } from '../../src/domain/favourite-sets.js';
import { FAVOURITES_FILE } from '../../src/favourites/file-favourite-store.js';
import type { RunningNeedleChart } from '../../src/runtime.js';
import { ehrLaunch, type LaunchedSession } from '../support/launch.js';
import { startTestNeedleChart } from '../support/sandbox.js';

let nc: RunningNeedleChart;
let logLines: string[];
let dataDir: string;
let clinicFile: string;
const CLINIC = { sets: [{ name: 'Jaw (clinic)', muscles: [{ muscle: 'masseter', side: 'left', depth: 'deep', technique: 'static', needles: 1, retentionSeconds: 300 }] }] };

beforeAll(async () => {
  const root = await mkdtemp(join(tmpdir(), 'nc-favourites-test-'));
  dataDir = join(root, 'data');
  clinicFile = join(root, 'clinic-favourites.json');
  await writeFile(clinicFile, JSON.stringify(CLINIC));
  ({ nc, logLines } = await startTestNeedleChart({ env: { NEEDLECHART_DATA_DIR: dataDir, NEEDLECHART_CLINIC_FAVOURITES: clinicFile } }));
}, 60_000);
afterAll(async () => {
  await nc?.close();
  await rm(join(dataDir, '..'), { recursive: true, force: true });
});

const launch = (practitioner = 'Practitioner/pt-rivera', patient = 'p-james-carter', encounter = 'e-james-carter-3'): Promise<LaunchedSession> => ehrLaunch(nc.sandbox?.origin ?? '', { patient, encounter, practitioner });

const api = (s: LaunchedSession, path: string, init: RequestInit = {}): Promise<Response> =>
  fetch(`${nc.appUrl}${path}`, { ...init, headers: { cookie: s.cookie, 'x-launch-id': s.launchId, 'content-type': 'application/json', ...(init.headers as Record<string, string> | undefined) } });

const muscle = (id: string, side: 'left' | 'right' = 'left') => ({ muscle: id, side, depth: 'deep', technique: 'pistoning', needles: 2, retentionSeconds: 60 });
const NECK = { name: 'Neck and shoulder', muscles: [muscle('upper-trapezius'), muscle('upper-trapezius', 'right'), muscle('levator-scapulae')] };

interface Lists {
  clinic: { id: string; name: string }[];
  mine: { id: string; name: string; muscles: unknown[] }[];
}
interface Outcome {
  resourceType: string;
  issue: { code: string; expression?: string[]; diagnostics: string }[];
}

async function create(s: LaunchedSession, set: unknown): Promise<Response> {
  return api(s, '/api/favourites', { method: 'POST', body: JSON.stringify(set) });
}

/** Deletes every set of the launch's clinician, so each test starts from none. */
async function clear(s: LaunchedSession): Promise<void> {
  const lists = (await (await api(s, '/api/favourites')).json()) as Lists;
  for (const set of lists.mine) expect((await api(s, `/api/favourites/${set.id}`, { method: 'DELETE' })).status).toBe(204);
}

describe('favourite muscle sets per clinician (/api/favourites)', () => {
  it('when a clinician saves a set, then it is listed after the clinic’s sets in this launch and in a later launch for another patient, and another clinician does not see it', async () => {
    const first = await launch();
    await clear(first);
    const res = await create(first, NECK);
    expect(res.status).toBe(201);
    const saved = (await res.json()) as { id: string; name: string; muscles: unknown[] };
    expect(saved).toMatchObject({ id: expect.stringMatching(/^fav-/), name: 'Neck and shoulder', muscles: NECK.muscles });

    const later = await launch('Practitioner/pt-rivera', 'p-li-wei', 'e-li-wei-6');
    const lists = (await (await api(later, '/api/favourites')).json()) as Lists;
    expect(lists.clinic).toEqual([{ id: 'clinic-1', ...CLINIC.sets[0] }]);
    expect(lists.mine).toEqual([saved]);

    const colleague = await launch('Practitioner/pt-chen');
    expect(((await (await api(colleague, '/api/favourites')).json()) as Lists).mine).toEqual([]);
  });

  it('when a request names whose sets they are, then it is refused naming the field: the owner comes from the launch only', async () => {
    const s = await launch('Practitioner/pt-chen');
    const res = await create(s, { ...NECK, owner: 'Practitioner/pt-rivera' });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'invalid', expression: ['owner'] }] });
  });

  it('when a set breaks the rules, then 422 names each field: a name over two lines or past 60 characters, an unknown muscle, more than 30 muscles, a muscle listed twice', async () => {
    const s = await launch();
    const expressions = async (set: unknown): Promise<string[]> => {
      const res = await create(s, set);
      expect(res.status).toBe(422);
      const body = (await res.json()) as Outcome;
      expect(body.resourceType).toBe('OperationOutcome');
      return [...new Set(body.issue.flatMap((i) => i.expression ?? []))];
    };
    expect(await expressions({ ...NECK, name: 'Neck\nand shoulder' })).toEqual(['name']);
    expect(await expressions({ ...NECK, name: 'x'.repeat(61) })).toEqual(['name']);
    expect(await expressions({ ...NECK, name: '   ' })).toEqual(['name']);
    expect(await expressions({ ...NECK, muscles: [muscle('upper-trapezius'), muscle('not-a-muscle')] })).toEqual(['muscles[1].muscle']);
    const many = Array.from({ length: 31 }, (_, i) => muscle('upper-trapezius', i % 2 ? 'left' : 'right'));
    expect(await expressions({ ...NECK, muscles: many })).toEqual(['muscles']);
    expect(await expressions({ ...NECK, muscles: [muscle('masseter'), muscle('masseter')] })).toEqual(['muscles[1]']);
    // Today's facts are not part of a set.
    expect(await expressions({ ...NECK, muscles: [{ ...muscle('masseter'), exam: { tautBand: true } }] })).toEqual(['muscles[0].exam']);
    const unknown = (await (await create(s, { ...NECK, muscles: [muscle('not-a-muscle')] })).json()) as Outcome;
    expect(unknown.issue[0]?.diagnostics).toContain('is not in the muscle catalog');
  });

  it(`when a clinician has ${MAX_SETS_PER_CLINICIAN} sets, then a new one is refused with the limit named, and a repeated name is refused`, async () => {
    const s = await launch('Practitioner/pt-okafor');
    await clear(s);
    for (let i = 1; i <= MAX_SETS_PER_CLINICIAN; i++) expect((await create(s, { ...NECK, name: `Set ${i}` })).status).toBe(201);
    const over = await create(s, { ...NECK, name: 'One too many' });
    expect(over.status).toBe(422);
    expect(await over.json()).toMatchObject({ issue: [{ code: 'business-rule', expression: ['name'], diagnostics: expect.stringContaining(`${MAX_SETS_PER_CLINICIAN} favourite sets`) }] });
    await clear(s);
    expect((await create(s, NECK)).status).toBe(201);
    const again = await create(s, { ...NECK, name: ' neck AND shoulder ' });
    expect(again.status).toBe(422);
    expect(await again.json()).toMatchObject({ issue: [{ code: 'business-rule', expression: ['name'] }] });
  });

  it('when a clinician renames and deletes a set, then the list follows; a clinic set cannot be renamed or deleted, an unknown one is not found', async () => {
    const s = await launch();
    await clear(s);
    const { id } = (await (await create(s, NECK)).json()) as { id: string };
    const renamed = await api(s, `/api/favourites/${id}`, { method: 'PATCH', body: JSON.stringify({ name: 'Upper quarter' }) });
    expect(renamed.status).toBe(200);
    expect(await renamed.json()).toMatchObject({ id, name: 'Upper quarter' });
    const badName = await api(s, `/api/favourites/${id}`, { method: 'PATCH', body: JSON.stringify({ name: 'a\u0007b' }) });
    expect(badName.status).toBe(422);
    expect(await badName.json()).toMatchObject({ issue: [{ expression: ['name'], diagnostics: 'name must be a single line of plain text' }] });
    expect((await api(s, '/api/favourites/clinic-1', { method: 'PATCH', body: JSON.stringify({ name: 'Mine now' }) })).status).toBe(403);
    expect((await api(s, '/api/favourites/clinic-1', { method: 'DELETE' })).status).toBe(403);
    expect((await api(s, `/api/favourites/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await api(s, `/api/favourites/${id}`, { method: 'DELETE' })).status).toBe(404);
    expect(((await (await api(s, '/api/favourites')).json()) as Lists).mine).toEqual([]);
  });

  it('when the launch header is missing, then 401; when the launch has no clinician user, then 403', async () => {
    const s = await launch();
    expect((await fetch(`${nc.appUrl}/api/favourites`, { headers: { cookie: s.cookie } })).status).toBe(401);
    const patientUser = await launch('Patient/p-james-carter');
    const res = await api(patientUser, '/api/favourites');
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'forbidden' }] });
  });

  it('when sets are saved without Redis, then they are in a 0600 file in a 0700 data folder, with no temporary file left, and no set name reaches the logs', async () => {
    const s = await launch();
    await clear(s);
    expect((await create(s, { ...NECK, name: 'Quite private name' })).status).toBe(201);
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dataDir, FAVOURITES_FILE))).mode & 0o777).toBe(0o600);
    expect(await readdir(dataDir)).toEqual([FAVOURITES_FILE]);
    expect(await readFile(join(dataDir, FAVOURITES_FILE), 'utf8')).toContain('Quite private name');
    expect(logLines.join('\n')).not.toContain('Quite private name');
  });

  it('when NEEDLECHART_CLINIC_FAVOURITES names a file with an unknown muscle, then NeedleChart does not start and says which setting and field', async () => {
    const bad = join(dataDir, '..', 'bad-clinic.json');
    await writeFile(bad, JSON.stringify({ sets: [{ name: 'Jaw', muscles: [{ ...CLINIC.sets[0]!.muscles[0], muscle: 'no-such-muscle' }] }] }));
    const started = startTestNeedleChart({ env: { NEEDLECHART_CLINIC_FAVOURITES: bad } });
    await expect(started).rejects.toBeInstanceOf(ConfigError);
    await expect(started).rejects.toMatchObject({ problems: [expect.stringMatching(/^NEEDLECHART_CLINIC_FAVOURITES .*sets\[0\]\.muscles\[0\]\.muscle 'no-such-muscle' is not in the muscle catalog/)] });
  });
});
