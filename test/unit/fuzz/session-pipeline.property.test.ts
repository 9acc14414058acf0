/**
 * Property-based fuzzing of the session pipeline (validation, codes, readiness, notes, FHIR mapping).
 * The properties live in test/support/fuzz-properties.ts; `npx tsx scripts/fuzz-long.ts [runs]`
 * runs the same ones with many more runs.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createR4SchemaValidator, type R4SchemaValidator } from '../../../src/fhir/r4-schema-validator.js';
import type { Core } from '../../../src/service/core.js';
import { testCore } from '../../support/fixtures.js';
import {
  NAME_ANY_INPUT,
  NAME_KNOWN_BUG_DATE,
  NAME_KNOWN_BUG_EMPTY_MUSCLE,
  NAME_UNSTORABLE_TEXT,
  NAME_VALID_SESSION,
  propertyAnyInput,
  propertyKnownBugDateSpellings,
  propertyKnownBugEmptyMuscle,
  propertyUnstorableText,
  propertyValidSession,
} from '../../support/fuzz-properties.js';

const numRuns = 150;
const timeout = 120_000;

let core: Core;
let r4: R4SchemaValidator;
beforeAll(async () => {
  core = await testCore();
  r4 = createR4SchemaValidator();
});

describe('session pipeline properties (fast-check)', () => {
  it(NAME_ANY_INPUT, async () => {
    await fc.assert(propertyAnyInput(core), { numRuns, includeErrorInReport: true });
  }, timeout);

  it(NAME_VALID_SESSION, async () => {
    await fc.assert(propertyValidSession(core, r4), { numRuns, includeErrorInReport: true });
  }, timeout);

  it(NAME_UNSTORABLE_TEXT, async () => {
    await fc.assert(propertyUnstorableText(core), { numRuns, includeErrorInReport: true });
  }, timeout);
});

/** Bugs these properties found, now fixed: each property must hold from here on. */
describe('session pipeline regressions found by fuzzing', () => {
  it(NAME_KNOWN_BUG_DATE, async () => {
    await fc.assert(propertyKnownBugDateSpellings(core, r4), { numRuns, includeErrorInReport: true });
  }, timeout);

  it(NAME_KNOWN_BUG_EMPTY_MUSCLE, async () => {
    await fc.assert(propertyKnownBugEmptyMuscle(core), { numRuns, includeErrorInReport: true });
  }, timeout);
});
