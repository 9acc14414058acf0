import { describe, expect, it } from 'vitest';
import { allowlistEntryProblem, issAllowed } from '../../../src/smart/iss-allowlist.js';

const LIST = ['https://ehr.example.org/fhir/r4', 'https://launch.example.org/v/r4/sim/*/fhir', 'http://127.0.0.1:8090/fhir'];

describe('iss allow-list', () => {
  it.each([
    ['the exact base', 'https://ehr.example.org/fhir/r4'],
    ['the exact base with a trailing slash', 'https://ehr.example.org/fhir/r4/'],
    ['the host in capitals (hosts are case-insensitive)', 'https://EHR.example.org/fhir/r4'],
    ['the launcher with one option set in the * segment', 'https://launch.example.org/v/r4/sim/eyJoIjoiMSJ9/fhir'],
    ['the launcher with another option set', 'https://launch.example.org/v/r4/sim/WzMsIiIsIiIsIkFVVE8iXQ/fhir'],
    ['the sandbox on loopback http', 'http://127.0.0.1:8090/fhir'],
  ])('when iss is %s, then it is allowed', (_what, iss) => {
    expect(issAllowed(iss, LIST)).toBe(true);
  });

  it.each([
    ['another host', 'https://evil.example.org/fhir'],
    ['a look-alike host that starts with the allowed one', 'https://ehr.example.org.evil.test/fhir/r4'],
    ['the allowed host as user info before another host', 'https://ehr.example.org@evil.test/fhir/r4'],
    ['http instead of https', 'http://ehr.example.org/fhir/r4'],
    ['another port', 'https://ehr.example.org:8443/fhir/r4'],
    ['a longer path (string prefix)', 'https://ehr.example.org/fhir/r4/other'],
    ['a path that only starts alike', 'https://ehr.example.org/fhir/r4x'],
    ['a dot segment climbing out', 'https://ehr.example.org/fhir/r4/../../other/fhir/r4'],
    ['an encoded dot segment', 'https://ehr.example.org/fhir/%2e%2e/fhir/r4'],
    ['a query', 'https://ehr.example.org/fhir/r4?x=https://evil.test'],
    ['a fragment', 'https://ehr.example.org/fhir/r4#x'],
    ['two segments where the pattern has one *', 'https://launch.example.org/v/r4/sim/a/b/fhir'],
    ['an empty * segment', 'https://launch.example.org/v/r4/sim//fhir'],
    ['an encoded slash in the * segment', 'https://launch.example.org/v/r4/sim/a%2Fb/fhir'],
    ['the pattern with another last segment', 'https://launch.example.org/v/r4/sim/x/other'],
    ['the pattern without its * segment', 'https://launch.example.org/v/r4/sim/fhir'],
    ['the pattern on another host', 'https://launch.example.org.evil.test/v/r4/sim/x/fhir'],
    ['loopback on another port', 'http://127.0.0.1:8091/fhir'],
    ['localhost for 127.0.0.1', 'http://localhost:8090/fhir'],
    ['nothing', ''],
    ['not a URL', 'ehr.example.org/fhir/r4'],
  ])('when iss is %s, then it is refused', (_what, iss) => {
    expect(issAllowed(iss, LIST)).toBe(false);
  });

  it.each([
    ['https://launch.example.org/v/r4/sim/*/fhir', undefined],
    ['https://ehr.example.org/fhir/r4', undefined],
    ['https://*.example.org/fhir', /not in the host/],
    ['https://launch.example.org/v/r4/sim*/fhir', /whole path segment/],
    ['https://ehr.example.org/fhir?tenant=1', /query or fragment/],
    ['ftp://ehr.example.org/fhir', /https URL/],
    ['http://ehr.example.org/fhir', /http only on loopback/],
    ['http://localhost:8080/v/r4/sim/*/fhir', undefined],
    ['not a url', /absolute URL/],
  ])('when the allow-list entry is %s, then its problem is %s', (entry, problem) => {
    const found = allowlistEntryProblem(entry);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toMatch(problem);
  });
});
