import type { Bundle, Resource } from '@medplum/fhirtypes';
import { beforeEach, describe, expect, it } from 'vitest';
import { JournaledRepository } from '../../../src/sandbox/journaled-repository.js';
import { searchType } from '../../../src/sandbox/sandbox-search.js';
import { SearchSnapshots } from '../../../src/sandbox/search-snapshots.js';
import { SUBSETTED } from '../../../src/sandbox/search-subset.js';

const BASE = 'http://127.0.0.1:4000/fhir';
const LOINC_PAIN = { system: 'http://loinc.org', code: '72514-3' };

const observation = (id: string, effective: string | undefined, status = 'final', patient = 'Patient/p1'): Resource =>
  ({
    resourceType: 'Observation',
    id,
    status,
    code: { coding: [LOINC_PAIN] },
    subject: { reference: patient },
    ...(effective ? { effectiveDateTime: effective } : {}),
    valueInteger: 4,
    text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Pain 4/10</div>' },
  }) as Resource;

let repo: JournaledRepository;
let snapshots: SearchSnapshots;
const search = (type: string, query: Record<string, string | string[]>, handling: 'strict' | 'lenient' = 'strict'): Bundle =>
  searchType(type, query, { all: (t) => repo.resourcesOfType(t), index: repo, snapshots }, { handling, base: BASE });
const ids = (bundle: Bundle) => (bundle.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource?.id);

beforeEach(async () => {
  repo = new JournaledRepository();
  snapshots = new SearchSnapshots();
  // Stored in this order: o3 (no date) first, so storage order differs from date order.
  for (const r of [observation('o3', undefined), observation('o1', '2026-03-01T09:00:00-05:00'), observation('o2', '2026-03-01T12:00:00Z', 'amended'), observation('o4', '2026-03-03T08:00:00Z'), observation('o5', '2026-03-02T10:00:00Z', 'final', 'Patient/p2')]) {
    await repo.createResource(r);
  }
});

describe('sandbox search results (R4 search)', () => {
  it('when sorting by date either way, then resources come in date order (offsets compared as instants) and one without a date comes last both ways', () => {
    expect(ids(search('Observation', { _sort: 'date' }))).toEqual(['o2', 'o1', 'o5', 'o4', 'o3']);
    expect(ids(search('Observation', { '_sort:desc': 'date' }))).toEqual(['o4', 'o5', 'o1', 'o2', 'o3']);
  });

  it('when sorting by two keys, then the first decides and the second orders its ties; equal keys keep storage order', () => {
    expect(ids(search('Observation', { _sort: 'status,-date' }))).toEqual(['o2', 'o4', 'o5', 'o1', 'o3']);
    expect(ids(search('Observation', { _sort: 'code' }))).toEqual(['o3', 'o1', 'o2', 'o4', 'o5']);
  });

  it('when a resource found through the reference index was updated since, then the results still come in storage order', async () => {
    await repo.createResource(observation('o1', '2026-03-01T09:00:00-05:00', 'final'));
    expect(ids(search('Observation', { patient: 'p1' }))).toEqual(['o3', 'o1', 'o2', 'o4']);
  });

  it('when _summary=true, then each resource keeps only its summary and mandatory elements and is tagged SUBSETTED', () => {
    const resource = search('Observation', { _id: 'o1', _summary: 'true' }).entry?.[0]?.resource as unknown as Record<string, unknown>;
    expect(Object.keys(resource).sort()).toEqual(['code', 'effectiveDateTime', 'id', 'meta', 'resourceType', 'status', 'subject', 'valueInteger']);
    expect((resource.meta as { tag: unknown[] }).tag).toContainEqual(SUBSETTED);
  });

  it('when _summary=text or data, then text keeps the narrative and mandatory elements, data everything but the narrative, both tagged', () => {
    const text = search('Observation', { _id: 'o1', _summary: 'text' }).entry?.[0]?.resource as unknown as Record<string, unknown>;
    expect(Object.keys(text).sort()).toEqual(['code', 'id', 'meta', 'resourceType', 'status', 'text']);
    const data = search('Observation', { _id: 'o1', _summary: 'data' }).entry?.[0]?.resource as unknown as Record<string, unknown>;
    expect(data).not.toHaveProperty('text');
    expect(data).toHaveProperty('valueInteger', 4);
    expect((data.meta as { tag: unknown[] }).tag).toContainEqual(SUBSETTED);
  });

  it('when _elements names some elements, then those, the mandatory ones, id and meta are kept, and the resource is tagged SUBSETTED', () => {
    const resource = search('Observation', { _id: 'o1', _elements: 'effective' }).entry?.[0]?.resource as unknown as Record<string, unknown>;
    expect(Object.keys(resource).sort()).toEqual(['code', 'effectiveDateTime', 'id', 'meta', 'resourceType', 'status']);
    expect((resource.meta as { tag: unknown[] }).tag).toContainEqual(SUBSETTED);
  });

  it('when _summary=count, then only the total comes back: no entries and no next link', () => {
    const bundle = search('Observation', { patient: 'Patient/p1', _summary: 'count', _count: '1' });
    expect(bundle.total).toBe(4);
    expect(bundle.entry).toBeUndefined();
    expect(bundle.link?.map((l) => l.relation)).toEqual(['self']);
  });

  it('when _count=0, then the total without entries; when _total=none, then entries without a total', () => {
    expect(search('Observation', { _count: '0' })).toMatchObject({ total: 5 });
    expect(search('Observation', { _count: '0' }).entry).toBeUndefined();
    const none = search('Observation', { _total: 'none' });
    expect(none).not.toHaveProperty('total');
    expect(ids(none)).toHaveLength(5);
  });

  it('when a search is paged, then self, previous and next links repeat the parameters used with the page size and offset', () => {
    const page = search('Observation', { subject: `${BASE}/Patient/p1`, '_sort:desc': 'date', _count: '2', _offset: '1' });
    expect(ids(page)).toEqual(['o1', 'o2']);
    const links = Object.fromEntries((page.link ?? []).map((l) => [l.relation, decodeURIComponent(l.url ?? '')]));
    expect(links).toEqual({
      self: `${BASE}/Observation?subject=${BASE}/Patient/p1&_sort:desc=date&_count=2&_offset=1`,
      previous: `${BASE}/Observation?subject=${BASE}/Patient/p1&_sort:desc=date&_count=2`,
      next: `${BASE}/Observation?subject=${BASE}/Patient/p1&_sort:desc=date&_count=2&_offset=3`,
    });
  });

  it('when lenient handling ignored a parameter, then the search runs without it, the links leave it out, and an OperationOutcome entry says so', () => {
    const bundle = search('Observation', { patient: 'p1', 'value-quantity': 'gt3', _count: '1' }, 'lenient');
    expect(bundle.total).toBe(4);
    expect(bundle.link?.find((l) => l.relation === 'next')?.url).not.toContain('value-quantity');
    expect(bundle.entry?.at(-1)).toMatchObject({ search: { mode: 'outcome' }, resource: { resourceType: 'OperationOutcome', issue: [{ severity: 'warning', code: 'not-supported', expression: ['value-quantity'] }] } });
  });

  it('when strict handling meets the same parameter, then the search is refused with 400 naming it', () => {
    expect(() => search('Observation', { patient: 'p1', 'value-quantity': 'gt3' })).toThrow(expect.objectContaining({ status: 400, outcome: expect.objectContaining({ issue: [expect.objectContaining({ expression: ['value-quantity'] })] }) }));
  });

  it('when a write lands after a search was kept, then the same search sees it (the kept result is stale)', async () => {
    expect(search('Observation', { patient: 'p2' }).total).toBe(1);
    await repo.createResource(observation('o6', '2026-03-04T08:00:00Z', 'final', 'Patient/p2'));
    expect(ids(search('Observation', { patient: 'p2' }))).toEqual(['o5', 'o6']);
  });
});
