import type { Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import type { ReferenceIndex } from '../../../src/sandbox/fast-search.js';
import { matchingResources, searchType } from '../../../src/sandbox/sandbox-search.js';
import { SearchSnapshots, snapshotKey } from '../../../src/sandbox/search-snapshots.js';

const procedure = (id: string, date: string, patient = 'Patient/p-1'): Resource =>
  ({ resourceType: 'Procedure', id, status: 'completed', subject: { reference: patient }, performedDateTime: date, code: { coding: [{ system: 'http://snomed.info/sct', code: '1254816002' }] } }) as Resource;

/** A repository stand-in: a list, a generation bumped on every write, and a count of full scans. */
function store(resources: Resource[]) {
  const state = { scans: 0 };
  const index: ReferenceIndex & { generation: number } = {
    generation: 0,
    *byReference() {},
  };
  const all = function* () {
    state.scans += 1;
    yield* resources;
  };
  return { state, index, all, write: (r: Resource) => { resources.push(r); index.generation += 1; } };
}

/** A search as the sandbox endpoint runs it (strict handling), over the stand-in repository. */
const fastSearch = (type: string, query: Record<string, string | string[]>, all: () => Iterable<Resource>, index: ReferenceIndex, snapshots: SearchSnapshots) =>
  searchType(type, query, { all, index, snapshots }, { handling: 'strict' });

const ids = (bundle: ReturnType<typeof fastSearch>) => (bundle.entry ?? []).map((e) => e.resource?.id);

describe('paged sandbox searches (search snapshots)', () => {
  const dates = Array.from({ length: 25 }, (_, i) => procedure(`proc-${String(i).padStart(2, '0')}`, `2026-0${1 + (i % 9)}-1${i % 10}T09:00:00-05:00`));

  it('when a large search is paged through, then it is run once, and the pages together are the whole sorted result without repeats', () => {
    const s = store([...dates].reverse());
    const snapshots = new SearchSnapshots();
    const query = { code: 'http://snomed.info/sct|1254816002', date: ['ge2026-01-01', 'le2026-12-31T23:59:59'], _sort: 'date', _count: '10' };
    const pages = [0, 10, 20].map((offset) => fastSearch('Procedure', { ...query, _offset: String(offset) }, s.all, s.index, snapshots));
    expect(s.state.scans).toBe(1);
    expect(pages[0]?.total).toBe(25);
    const seen = pages.flatMap(ids);
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    const instants = seen.map((id) => Date.parse((dates.find((d) => d.id === id) as { performedDateTime: string }).performedDateTime));
    expect(instants).toEqual([...instants].sort((a, b) => a - b));
  });

  it('when a write lands between two pages, then the next page is computed afresh and shows it', () => {
    const s = store([procedure('a', '2026-01-01T09:00:00Z'), procedure('b', '2026-01-02T09:00:00Z')]);
    const snapshots = new SearchSnapshots();
    const query = { date: 'ge2026-01-01', _sort: 'date', _count: '1' };
    expect(ids(fastSearch('Procedure', query, s.all, s.index, snapshots))).toEqual(['a']);
    s.write(procedure('0', '2025-12-31T23:00:00-05:00'));
    const again = fastSearch('Procedure', query, s.all, s.index, snapshots);
    expect(s.state.scans).toBe(2);
    expect(again?.total).toBe(3);
    // 04:00 UTC on 1 January: the earliest visit now.
    expect(ids(again)).toEqual(['0']);
    expect(ids(fastSearch('Procedure', { ...query, _offset: '2' }, s.all, s.index, snapshots))).toEqual(['b']);
  });

  it('when the same search asks with its parameters in another order, then it shares the kept result; a different value does not', () => {
    expect(snapshotKey('Procedure', { date: ['le2026-12-31', 'ge2026-01-01'], code: 'x', _offset: '50', _count: '50' })).toBe(snapshotKey('Procedure', { code: 'x', date: ['ge2026-01-01', 'le2026-12-31'] }));
    expect(snapshotKey('Procedure', { code: 'x' })).not.toBe(snapshotKey('Procedure', { code: 'y' }));
    expect(snapshotKey('Procedure', { code: 'x' })).not.toBe(snapshotKey('Observation', { code: 'x' }));
  });

  it('when more searches are kept than the limit, then the least recently used is dropped first', () => {
    const snapshots = new SearchSnapshots(2);
    let runs = 0;
    const run = () => { runs += 1; return []; };
    snapshots.matches('a', 0, run);
    snapshots.matches('b', 0, run);
    snapshots.matches('a', 0, run); // a is now the most recent
    snapshots.matches('c', 0, run); // drops b
    snapshots.matches('a', 0, run);
    expect(runs).toBe(3);
    snapshots.matches('b', 0, run);
    expect(runs).toBe(4);
  });

  it.each([
    ['ge a day', { date: 'ge2026-03-02' }, ['mar2', 'mar3']],
    ['le a day (the whole day)', { date: 'le2026-03-02' }, ['mar1', 'mar2']],
    ['gt a day (after its end)', { date: 'gt2026-03-02' }, ['mar3']],
    ['lt a day (before its start)', { date: 'lt2026-03-02' }, ['mar1']],
    ['eq a day', { date: '2026-03-02' }, ['mar2']],
    ['a range', { date: ['ge2026-03-02', 'le2026-03-02T23:59:59Z'] }, ['mar2']],
    ['a patient and a date', { patient: 'Patient/p-2', date: 'ge2026-03-01' }, ['mar3']],
  ])('when the date filter is %s, then exactly the matching visits are found', (_label, query, expected) => {
    const s = store([procedure('mar1', '2026-03-01T12:00:00Z'), procedure('mar2', '2026-03-02T12:00:00Z'), procedure('mar3', '2026-03-03T12:00:00Z', 'Patient/p-2')]);
    expect(matchingResources('Procedure', { ...query, _sort: 'date' }, s.all)?.map((r) => r.id)).toEqual(expected);
  });

  it('when a query uses a parameter the sandbox does not support, then the search is refused naming it, and an export filter with it cannot run', () => {
    const s = store([procedure('a', '2026-01-01T09:00:00Z')]);
    expect(() => fastSearch('Procedure', { 'reason-code': 'x' }, s.all, s.index, new SearchSnapshots())).toThrow(expect.objectContaining({ status: 400, outcome: expect.objectContaining({ issue: [expect.objectContaining({ code: 'not-supported', expression: ['reason-code'] })] }) }));
    expect(matchingResources('Procedure', { 'reason-code': 'x' }, s.all)).toBeUndefined();
    expect(matchingResources('Procedure', { _sort: 'reason-code' }, s.all)).toBeUndefined();
  });
});
