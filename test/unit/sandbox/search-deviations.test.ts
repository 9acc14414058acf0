/**
 * Where Medplum's in-memory search (the engine under the sandbox) is not FHIR R4 search, pinned case
 * by case (test/support/medplum-search.ts, MEDPLUM_DEVIATIONS): each test shows Medplum's own
 * answer and the sandbox's, which follows R4. The differential property stays out of these cases;
 * if Medplum fixes one, its test here fails and the generator can take the case in.
 */
import { parseSearchRequest } from '@medplum/core';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import { JournaledRepository } from '../../../src/sandbox/journaled-repository.js';
import { indexFhirDefinitions } from '../../../src/sandbox/medplum-definitions.js';
import { searchType } from '../../../src/sandbox/sandbox-search.js';
import { parseSearch } from '../../../src/sandbox/search-request.js';
import { MEDPLUM_DEVIATIONS, medplumMatches, medplumSortedIds } from '../../support/medplum-search.js';

let repo: JournaledRepository;
const ids = (bundle: Bundle) => (bundle.entry ?? []).map((e) => e.resource?.id);
/** Medplum's engine end to end: its own query parsing and its in-memory search. */
const medplum = async (url: string) => ids(await repo.search(parseSearchRequest(url)));
const sandbox = (type: string, query: Record<string, string>) => ids(searchType(type, query, { all: (t) => repo.resourcesOfType(t), index: repo }, { handling: 'strict' }));
const matchesOf = async (type: string, query: Record<string, string>) => (await medplumMatches(parseSearch(type, query, { handling: 'strict' }), repo)).map((r) => r.id);

beforeAll(async () => {
  indexFhirDefinitions();
  repo = new JournaledRepository();
  const resources: Resource[] = [
    { resourceType: 'Patient', id: 'p1', name: [{ given: ['Maria'], family: 'López' }] },
    { resourceType: 'Encounter', id: 'e1', status: 'finished', class: { code: 'AMB' }, subject: { reference: 'Patient/p1' }, period: { start: '2026-03-01T09:00:00-05:00', end: '2026-03-01T10:00:00-05:00' } },
    { resourceType: 'Encounter', id: 'e2', status: 'finished', class: { code: 'AMB' }, subject: { reference: 'Patient/p1' }, period: { start: '2026-03-01T12:00:00Z', end: '2026-03-01T13:00:00Z' } },
    { resourceType: 'Encounter', id: 'e3', status: 'in-progress', class: { code: 'AMB' }, subject: { reference: 'Patient/p1' }, period: { start: '2026-03-01T20:00:00Z', end: '2026-03-02T08:00:00Z' } },
    { resourceType: 'Observation', id: 'o1', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '72514-3' }], text: 'Pain' }, effectiveDateTime: '2026-03-02T10:00:00Z', text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Pain 4/10</div>' } },
  ] as Resource[];
  for (const r of resources) await repo.createResource(r);
});

describe("Medplum's in-memory search against FHIR R4 (each deviation the differential test avoids)", () => {
  it('when the list of deviations is read, then each has a case below', () => {
    expect(MEDPLUM_DEVIATIONS).toHaveLength(11);
  });

  it('when a reference is a bare id, then Medplum finds nothing and the sandbox finds the patient\'s encounters', async () => {
    expect(await medplum('Encounter?patient=p1')).toEqual([]);
    expect(sandbox('Encounter', { patient: 'p1' })).toEqual(['e1', 'e2', 'e3']);
  });

  it('when the sort says _sort:desc=date, then Medplum sorts ascending and the sandbox descending', async () => {
    expect(await medplum('Encounter?_sort:desc=date')).toEqual(['e1', 'e2', 'e3'].sort());
    expect(sandbox('Encounter', { '_sort:desc': 'date' })).toEqual(['e3', 'e1', 'e2']);
  });

  it('when the sort has two keys, then Medplum lets the last decide and the sandbox the first', async () => {
    // status: e1, e2 finished, e3 in-progress. R4: by status first, then newest first.
    expect(await medplum('Encounter?_sort=status,-date')).toEqual(['e3', 'e2', 'e1']);
    expect(sandbox('Encounter', { _sort: 'status,-date' })).toEqual(['e1', 'e2', 'e3']);
  });

  it('when dates carry different UTC offsets, then Medplum sorts their text and the sandbox their instants', async () => {
    // e1 starts 14:00Z (09:00-05:00), e2 at 12:00Z.
    expect(await medplum('Encounter?_sort=date&_id=e1,e2')).toEqual(['e1', 'e2']);
    expect(sandbox('Encounter', { _sort: 'date', _id: 'e1,e2' })).toEqual(['e2', 'e1']);
  });

  it('when a string search is a word\'s middle or lacks an accent, then Medplum matches the middle but not the accentless word; R4 the reverse', async () => {
    expect(await medplum('Patient?name=ari')).toEqual(['p1']);
    expect(sandbox('Patient', { name: 'ari' })).toEqual([]);
    expect(await medplum('Patient?name=lopez')).toEqual([]);
    expect(sandbox('Patient', { name: 'lopez' })).toEqual(['p1']);
    expect(await medplum('Patient?name:exact=Ló')).toEqual(['p1']);
    expect(sandbox('Patient', { 'name:exact': 'Ló' })).toEqual([]);
  });

  it('when a token differs only in case, or is a CodeableConcept.text, then Medplum matches it and the sandbox does not', async () => {
    expect(await medplum('Observation?status=FINAL')).toEqual(['o1']);
    expect(sandbox('Observation', { status: 'FINAL' })).toEqual([]);
    expect(await medplum('Observation?code=Pain')).toEqual(['o1']);
    expect(sandbox('Observation', { code: 'Pain' })).toEqual([]);
  });

  it('when a Period straddles the searched day, then Medplum counts it as eq and ge, and the sandbox as neither (R4: eq needs containment)', async () => {
    // e3 runs from 20:00 on 1 March to 08:00 on 2 March (UTC).
    expect(await matchesOf('Encounter', { date: 'eq2026-03-02' })).toEqual(['e3']);
    expect(sandbox('Encounter', { date: 'eq2026-03-02' })).toEqual([]);
    expect(await matchesOf('Encounter', { date: 'ge2026-03-02' })).toEqual(['e3']);
    expect(sandbox('Encounter', { date: 'ge2026-03-02' })).toEqual([]);
  });

  it('when a month has fewer than 31 days, then Medplum lets it run into the next month', async () => {
    expect(await medplum('Observation?date=eq2026-02')).toEqual(['o1']);
    expect(sandbox('Observation', { date: 'eq2026-02' })).toEqual([]);
  });

  it('when dates are given as a comma-separated list, then Medplum refuses the query and the sandbox matches any of them, each with its own prefix', async () => {
    await expect(medplum('Encounter?date=sa2026-03-05,eb2026-03-02')).rejects.toThrow(/Invalid format/);
    expect(sandbox('Encounter', { date: 'sa2026-03-05,eb2026-03-02' })).toEqual(['e1', 'e2']);
  });

  it('when a date has minute precision, then Medplum refuses it and the sandbox reads the minute', async () => {
    await expect(medplum('Observation?date=2026-03-02T10:00')).rejects.toThrow(/Invalid format/);
    expect(sandbox('Observation', { date: '2026-03-02T10:00Z' })).toEqual(['o1']);
  });

  it('when _summary, _total and no _count are asked, then Medplum returns every whole resource untagged with a total, and the sandbox a tagged page without a total', async () => {
    const whole = await repo.search(parseSearchRequest('Observation?_summary=true&_total=none'));
    expect(whole.total).toBe(1);
    expect(whole.entry?.[0]?.resource).toHaveProperty('text');
    const page = searchType('Observation', { _summary: 'true', _total: 'none' }, { all: (t) => repo.resourcesOfType(t) }, { handling: 'strict' });
    expect(page).not.toHaveProperty('total');
    expect(page.entry?.[0]?.resource).not.toHaveProperty('text');
  });

  it('when one date key sorts values all in UTC at one precision, then Medplum\'s own sort and the sandbox\'s agree, both ways', async () => {
    const search = parseSearch('Encounter', { _id: 'e2,e3' }, { handling: 'strict' });
    expect(await medplumSortedIds(search, repo, [{ code: 'date', descending: true }])).toEqual(sandbox('Encounter', { _id: 'e2,e3', _sort: '-date' }));
    expect(await medplumSortedIds(search, repo, [{ code: 'date' }])).toEqual(sandbox('Encounter', { _id: 'e2,e3', _sort: 'date' }));
  });
});
