/**
 * `npx tsx scripts/fuzz-long.ts [runs] [seed]`: the property-based tests of
 * test/unit/fuzz/*.property.test.ts (properties in test/support/fuzz-properties.ts and
 * test/support/search-properties.ts) with many more runs, default 20,000 per property. Prints the
 * runs, time and result of each property; exits 1 when a regular property finds a counterexample.
 * The known-bug properties (the suites' `it.fails`) run after them and are reported apart: they
 * are expected to fail until the bug is fixed, so they do not change the exit code; one that passes
 * is flagged so it can join the regular list.
 *
 * The HTTP app gets a rate limit high enough that thousands of requests reach the routes instead of
 * the limiter's 429 (the suites use the default, readConfig({}), with their 150 runs).
 */
import fc from 'fast-check';
import { readConfig } from '../src/config.js';
import { createR4SchemaValidator } from '../src/fhir/r4-schema-validator.js';
import { createApp } from '../src/http/create-app.js';
import { silentLogger } from '../src/infra/logger.js';
import { testCore } from '../test/support/fixtures.js';
import {
  NAME_ANY_INPUT,
  NAME_HTTP_ANY_REQUEST,
  NAME_HTTP_VALID_PREVIEW,
  NAME_KNOWN_BUG_CONTENT_ENCODING,
  NAME_KNOWN_BUG_DATE,
  NAME_KNOWN_BUG_EMPTY_MUSCLE,
  NAME_UNSTORABLE_TEXT,
  NAME_VALID_SESSION,
  propertyAnyInput,
  propertyHttpAnyRequest,
  propertyHttpValidPreview,
  propertyKnownBugContentEncoding,
  propertyKnownBugDateSpellings,
  propertyKnownBugEmptyMuscle,
  propertyUnstorableText,
  propertyValidSession,
  startHttp,
} from '../test/support/fuzz-properties.js';
import { NAME_SEARCH_DIFFERENTIAL, propertySearchDifferential } from '../test/support/search-properties.js';

const runs = Number(process.argv[2] ?? 20_000);
const seedArg = process.argv[3];
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`usage: npx tsx scripts/fuzz-long.ts [runs] [seed]  (runs must be a positive whole number, got '${process.argv[2]}')`);
  process.exit(2);
}

interface Outcome {
  readonly failed: boolean;
  readonly numRuns: number;
  readonly seed: number;
  /** Replays the failure: fc.check(property, { seed, path }). */
  readonly path: string | undefined;
  readonly counterexample: string | undefined;
  readonly error: string | undefined;
}

const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text);

/** Runs one property and keeps what the report needs (RunDetails is generic in the property's arguments). */
async function check<Ts extends [unknown, ...unknown[]]>(property: fc.IAsyncPropertyWithHooks<Ts>): Promise<Outcome> {
  const details = await fc.check(property, { numRuns: runs, ...(seedArg !== undefined ? { seed: Number(seedArg) } : {}) });
  const error = details.failed ? details.errorInstance : undefined;
  return {
    failed: details.failed,
    numRuns: details.numRuns,
    seed: details.seed,
    path: details.counterexamplePath ?? undefined,
    counterexample: details.counterexample ? fc.stringify(details.counterexample) : undefined,
    error: error === undefined ? undefined : error instanceof Error ? `${error.name}: ${error.message}` : String(error),
  };
}

const core = await testCore();
const r4 = createR4SchemaValidator();
const http = await startHttp(createApp(readConfig({ NEEDLECHART_API_RATE_LIMIT: '100000000' }), { core, logger: silentLogger }));

const regular: [string, () => Promise<Outcome>][] = [
  [NAME_ANY_INPUT, () => check(propertyAnyInput(core))],
  [NAME_VALID_SESSION, () => check(propertyValidSession(core, r4))],
  [NAME_UNSTORABLE_TEXT, () => check(propertyUnstorableText(core))],
  [NAME_HTTP_ANY_REQUEST, () => check(propertyHttpAnyRequest(core, http.server))],
  [NAME_HTTP_VALID_PREVIEW, () => check(propertyHttpValidPreview(core, http.server))],
  // The sandbox EHR's search: fast path against Medplum's own evaluation (test/unit/fuzz/sandbox-search.property.test.ts).
  [NAME_SEARCH_DIFFERENTIAL, () => check(propertySearchDifferential())],
  // Found by fuzzing and fixed: regressions now.
  [NAME_KNOWN_BUG_DATE, () => check(propertyKnownBugDateSpellings(core, r4))],
  [NAME_KNOWN_BUG_EMPTY_MUSCLE, () => check(propertyKnownBugEmptyMuscle(core))],
  [NAME_KNOWN_BUG_CONTENT_ENCODING, () => check(propertyKnownBugContentEncoding(core, http.server))],
];

const seconds = (since: number): string => `${((performance.now() - since) / 1000).toFixed(1)} s`;
const started = performance.now();
let counterexamples = 0;

console.log(`fuzz-long: ${runs} runs per property${seedArg !== undefined ? `, seed ${seedArg}` : ''}\n`);
for (const [name, run] of regular) {
  const t = performance.now();
  const result = await run();
  if (result.failed) counterexamples += 1;
  console.log(`${result.failed ? 'COUNTEREXAMPLE' : 'ok'}  ${name}\n    ${result.numRuns} runs in ${seconds(t)}, seed ${result.seed}`);
  if (result.failed) {
    console.log(`    replay: fc.check(property, { seed: ${result.seed}, path: '${result.path ?? ''}' })`);
    console.log(`    error: ${clip(result.error ?? '', 2000)}`);
    console.log(`    counterexample: ${clip(result.counterexample ?? '', 6000)}`);
  }
}

await http.close();
console.log(`\n${counterexamples === 0 ? 'no counterexample' : `${counterexamples} propert${counterexamples === 1 ? 'y' : 'ies'} with a counterexample`} in ${seconds(started)}`);
process.exit(counterexamples > 0 ? 1 : 0);
