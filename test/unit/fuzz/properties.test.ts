import fc from 'fast-check';
import { beforeAll, describe, it } from 'vitest';
import { readConfig } from '../../../src/config.js';
import { sharedR4Validator } from '../../../src/fhir/r4-schema-validator.js';
import { createApp } from '../../../src/http/create-app.js';
import { silentLogger } from '../../../src/http/logger.js';
import type { Core } from '../../../src/service/core.js';
import { testCore } from '../../support/fixtures.js';
import { propertyAnyInput, propertyHttp, propertyValidSession } from '../../support/fuzz.js';

let core: Core;
beforeAll(async () => {
  core = await testCore();
});

describe('property-based fuzzing (fast-check; longer runs: npm run fuzz)', () => {
  it('when any JSON reaches the session pipeline, then it answers or gives a 422 OperationOutcome, never anything else', () => {
    fc.assert(propertyAnyInput(core), { numRuns: 300 });
  });

  it('when any valid session is analysed, then one needling code with one unit, a 0–100 score, a safe note and valid R4 resources come out', () => {
    fc.assert(propertyValidSession(core, sharedR4Validator()), { numRuns: 150 });
  });

  it('when any request hits the HTTP endpoints, then never a 500, and every /api error is an OperationOutcome', async () => {
    const app = createApp(readConfig({ NEEDLECHART_API_RATE_LIMIT: '100000000' }), { core, logger: silentLogger });
    await fc.assert(propertyHttp(app), { numRuns: 200 });
  });
});
