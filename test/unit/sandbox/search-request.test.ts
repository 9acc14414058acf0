import { describe, expect, it } from 'vitest';
import { handlingOf, parseSearch } from '../../../src/sandbox/search-request.js';

const BASE = 'http://127.0.0.1:4000/fhir';
const strict = { handling: 'strict' as const, base: BASE };
const lenient = { handling: 'lenient' as const, base: BASE };

/** The OperationOutcome issues of a refused search, as [expression, code]. */
function refusal(run: () => unknown): [string | undefined, string][] {
  try {
    run();
  } catch (error) {
    const e = error as { status?: number; outcome?: { issue: { expression?: string[]; code: string }[] } };
    expect(e.status).toBe(400);
    return (e.outcome?.issue ?? []).map((i) => [i.expression?.[0], i.code]);
  }
  throw new Error('the search was not refused');
}

describe('reading a FHIR search query (R4 search)', () => {
  it.each([
    ['Type/id', 'Patient/p-maria-lopez'],
    ['a bare id', 'p-maria-lopez'],
    ['an absolute URL on this server', `${BASE}/Patient/p-maria-lopez`],
    ['a type modifier with an id', 'p-maria-lopez', 'patient:Patient'],
  ])('when a reference is written as %s, then it is read as Patient/<id>', (_label, value, key = 'patient') => {
    expect(parseSearch('Encounter', { [key]: value }, strict).filters).toEqual([{ param: 'patient', kind: 'reference', refs: [{ reference: 'Patient/p-maria-lopez' }] }]);
  });

  it('when a bare id is given for a parameter with several target types, then it stands for that id in any of them; an absolute URL elsewhere stays as written', () => {
    expect(parseSearch('Observation', { subject: 'p1', encounter: 'http://elsewhere.test/fhir/Encounter/e1' }, strict).filters).toEqual([
      { param: 'subject', kind: 'reference', refs: [{ id: 'p1', types: ['Group', 'Device', 'Patient', 'Location'] }] },
      { param: 'encounter', kind: 'reference', refs: [{ reference: 'http://elsewhere.test/fhir/Encounter/e1' }] },
    ]);
  });

  it.each([
    [{ '_sort:desc': 'date' }, [{ param: 'date', descending: true }]],
    [{ '_sort:asc': 'date' }, [{ param: 'date', descending: false }]],
    [{ _sort: '-date,status' }, [{ param: 'date', descending: true }, { param: 'status', descending: false }]],
    [{ _sort: ['status', '-date'] }, [{ param: 'status', descending: false }, { param: 'date', descending: true }]],
    [{ '_sort:asc': '' }, []],
  ])('when the sort is %j, then the keys and directions are %j', (query, sort) => {
    expect(parseSearch('Encounter', query, strict).sort).toEqual(sort);
  });

  it('when the result parameters are given, then page size, offset, summary, elements and total are read; none given, a page of 20 with an exact total', () => {
    expect(parseSearch('Observation', { _count: '0', _offset: '40', _summary: 'count', _total: 'none', _format: 'json' }, strict)).toMatchObject({ count: 0, offset: 40, summary: 'count', total: 'none' });
    expect(parseSearch('Observation', { _elements: 'status,Observation.effectiveDateTime,code' }, strict).elements).toEqual(['status', 'effective', 'code']);
    expect(parseSearch('Observation', { _count: '100000' }, strict).count).toBe(5000);
    expect(parseSearch('Observation', {}, strict)).toMatchObject({ count: 20, offset: 0, summary: 'false', total: 'accurate', filters: [], sort: [] });
  });

  it('when strict handling meets unknown parameters, modifiers, sort keys and elements, then it refuses the search with one not-supported issue naming each', () => {
    const issues = refusal(() => parseSearch('Encounter', { 'reason-code': 'x', 'status:text': 'done', _include: 'Encounter:patient', _sort: 'length', _elements: 'colour', 'subject.name': 'Lopez' }, strict));
    expect(issues).toEqual([
      ['reason-code', 'not-supported'],
      ['status:text', 'not-supported'],
      ['_include', 'not-supported'],
      ['_sort', 'not-supported'],
      ['_elements', 'not-supported'],
      ['subject.name', 'not-supported'],
    ]);
  });

  it('when lenient handling meets the same, then it ignores them, keeps them out of the parameters used, and lists each as a warning', () => {
    const search = parseSearch('Encounter', { patient: 'p1', 'reason-code': 'x', _sort: 'length,-date', 'status:text': 'done' }, lenient);
    expect(search.filters.map((f) => f.param)).toEqual(['patient']);
    expect(search.sort).toEqual([{ param: 'date', descending: true }]);
    expect(search.used).toEqual([['patient', 'p1'], ['_sort', '-date']]);
    expect(search.ignored.map((i) => [i.expression?.[0], i.severity, i.code])).toEqual([
      ['reason-code', 'warning', 'not-supported'],
      ['_sort', 'warning', 'not-supported'],
      ['status:text', 'warning', 'not-supported'],
    ]);
  });

  it('when lenient handling drops every element named in _elements, then _summary=true alone applies and nothing is refused', () => {
    const search = parseSearch('Observation', { _elements: 'colour', _summary: 'true' }, lenient);
    expect(search).toMatchObject({ summary: 'true', ignored: [expect.objectContaining({ expression: ['_elements'] })] });
    expect(search.elements).toBeUndefined();
  });

  it.each([
    [{ date: 'ge2026-02-30' }, 'date'],
    [{ date: 'xx2026-03-01' }, 'date'],
    [{ _count: '-1' }, '_count'],
    [{ _count: ['1', '2'] }, '_count'],
    [{ _summary: 'maybe' }, '_summary'],
    [{ _total: 'some' }, '_total'],
    [{ 'status:missing': 'yes' }, 'status:missing'],
    [{ patient: 'not a reference' }, 'patient'],
    [{ type: '|' }, 'type'],
    [{ 'subject:Practitioner': 'p1' }, 'subject:Practitioner'],
    [{ _summary: 'true', _elements: 'status' }, '_elements'],
  ])('when a value is malformed (%j), then even lenient handling refuses it, naming %s', (query, expression) => {
    expect(refusal(() => parseSearch('Encounter', query, lenient))).toEqual([[expression, 'value']]);
  });

  it("when a date prefix is 'ap' (approximately), then it is refused as not supported, not as malformed", () => {
    expect(refusal(() => parseSearch('Procedure', { date: 'ap2026-03-01' }, strict))).toEqual([['date', 'not-supported']]);
  });

  it('when a parameter is given with an empty value, then it is ignored (as the SMART launcher sends _sort:asc= when unsorted)', () => {
    expect(parseSearch('Patient', { '_sort:asc': '', name: '', _count: '10' }, strict)).toMatchObject({ sort: [], filters: [], used: [] });
  });

  it.each([
    [{ prefer: 'handling=lenient' }, 'lenient'],
    [{ prefer: 'return=minimal, handling="lenient"' }, 'lenient'],
    [{ prefer: 'handling=strict' }, 'strict'],
    [{}, 'strict'],
    [undefined, 'strict'],
  ])('when the Prefer header is %j, then handling is %s', (headers, expected) => {
    expect(handlingOf(headers)).toBe(expected);
  });
});
