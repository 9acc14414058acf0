import { globalSchema } from '@medplum/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { sandboxCapabilityStatement } from '../../../src/sandbox/capability-statement.js';
import { indexFhirDefinitions } from '../../../src/sandbox/medplum-definitions.js';
import { SEARCH_PARAMETERS } from '../../../src/sandbox/search-parameters.js';

beforeAll(() => indexFhirDefinitions());

const RESULT_PARAMETERS = ['_sort', '_count', '_offset', '_summary', '_elements', '_total'];

describe('the search parameters the sandbox claims', () => {
  const claimed = Object.entries(SEARCH_PARAMETERS).flatMap(([type, params]) => Object.entries(params).map(([name, param]) => [type, name, param] as const));

  it.each(claimed.map(([type, name, param]) => [`${type}.${name}`, type, name, param]))('when %s is compared with the R4 SearchParameter (Medplum\'s copy), then its type and target types are the same', (_label, type, name, param) => {
    const definition = globalSchema.types[type]?.searchParams?.[name];
    expect(definition?.type).toBe(param.type);
    if (param.type === 'reference') {
      const targets = [...(definition?.target ?? [])].sort();
      // `*`: any resource type (R4 lists every one of them).
      if (param.targets === '*') expect(targets.length).toBeGreaterThan(100);
      else expect([...param.targets].sort()).toEqual(targets);
    }
  });

  it('when the CapabilityStatement is read, then each resource type lists exactly the parameters the sandbox answers, and the result parameters', () => {
    const caps = sandboxCapabilityStatement('http://127.0.0.1:4000/fhir', 'test');
    const listed = Object.fromEntries((caps.rest?.[0]?.resource ?? []).map((r) => [r.type, (r.searchParam ?? []).map((p) => `${p.name}:${p.type}`)]));
    const expected = Object.fromEntries(Object.entries(SEARCH_PARAMETERS).map(([type, params]) => [type, [...Object.entries(params).map(([name, p]) => `${name}:${p.type}`), ...RESULT_PARAMETERS.map((n) => `${n}:${n === '_count' || n === '_offset' ? 'number' : n === '_summary' || n === '_total' ? 'token' : 'string'}`)]]));
    expect(listed).toEqual(expected);
    expect(caps.rest?.[0]?.documentation).toMatch(/Prefer: handling=lenient/);
  });
});
