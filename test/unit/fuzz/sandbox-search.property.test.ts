/**
 * Differential fuzzing of the sandbox's search: the fast path against Medplum's own evaluation on
 * the same repository (properties in test/support/search-properties.ts; `npm run fuzz` runs the same
 * property with many more runs). Where Medplum's evaluation is not FHIR R4 search, the generators
 * stay out (test/support/medplum-search.ts, MEDPLUM_DEVIATIONS) and
 * test/unit/sandbox/search-deviations.test.ts pins each case.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { NAME_SEARCH_DIFFERENTIAL, propertySearchDifferential } from '../../support/search-properties.js';

const numRuns = 300;

describe('sandbox search: fast path against Medplum (fast-check)', () => {
  it(NAME_SEARCH_DIFFERENTIAL, async () => {
    await fc.assert(propertySearchDifferential(), { numRuns, includeErrorInReport: true });
  }, 60_000);
});
