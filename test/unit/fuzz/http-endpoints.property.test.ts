/**
 * Property-based fuzzing of the HTTP endpoints (no SMART client: preview, catalog, body map, rules,
 * health). The properties live in test/support/fuzz-properties.ts; `npx tsx scripts/fuzz-long.ts
 * [runs]` runs the same ones with many more runs.
 */
import type { Server } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../../src/config.js';
import { createApp } from '../../../src/http/create-app.js';
import { silentLogger } from '../../../src/infra/logger.js';
import type { Core } from '../../../src/service/core.js';
import { testCore } from '../../support/fixtures.js';
import {
  NAME_HTTP_ANY_REQUEST,
  NAME_HTTP_VALID_PREVIEW,
  NAME_KNOWN_BUG_CONTENT_ENCODING,
  propertyHttpAnyRequest,
  propertyHttpValidPreview,
  propertyKnownBugContentEncoding,
  startHttp,
} from '../../support/fuzz-properties.js';

const numRuns = 150;
const timeout = 120_000;

let core: Core;
let server: Server;
let close: () => Promise<void>;
beforeAll(async () => {
  core = await testCore();
  ({ server, close } = await startHttp(createApp(readConfig({}), { core, logger: silentLogger })));
});
afterAll(async () => {
  await close();
});

describe('HTTP endpoint properties (fast-check)', () => {
  it(NAME_HTTP_ANY_REQUEST, async () => {
    await fc.assert(propertyHttpAnyRequest(core, server), { numRuns, includeErrorInReport: true });
  }, timeout);

  it(NAME_HTTP_VALID_PREVIEW, async () => {
    await fc.assert(propertyHttpValidPreview(core, server), { numRuns, includeErrorInReport: true });
  }, timeout);
});

/** A bug these properties found, now fixed: the property must hold from here on. */
describe('HTTP regressions found by fuzzing', () => {
  it(NAME_KNOWN_BUG_CONTENT_ENCODING, async () => {
    await fc.assert(propertyKnownBugContentEncoding(core, server), { numRuns, includeErrorInReport: true });
  }, timeout);
});
