/**
 * `npm run fuzz [runs]`: the property-based tests of test/unit/fuzz with many more runs (default
 * 20,000 per property). Prints runs and outcome per property; exits 1 on a counterexample.
 */
import fc from 'fast-check';
import { readConfig } from '../src/config.js';
import { sharedR4Validator } from '../src/fhir/r4-schema-validator.js';
import { createApp } from '../src/http/create-app.js';
import { silentLogger } from '../src/http/logger.js';
import { createCore } from '../src/service/core.js';
import { propertyAnyInput, propertyHttp, propertyValidSession } from '../test/support/fuzz.js';

const runs = Number(process.argv[2] ?? 20_000);
const core = await createCore();
let failed = false;
for (const [name, run] of [
  ['any input → result or 422', () => fc.check(propertyAnyInput(core), { numRuns: runs })],
  ['valid session → codes, score, safe note, valid R4', () => fc.check(propertyValidSession(core, sharedR4Validator()), { numRuns: runs })],
  ['HTTP endpoints → no 500, OperationOutcome errors', () => fc.check(propertyHttp(createApp(readConfig({ NEEDLECHART_API_RATE_LIMIT: '100000000' }), { core, logger: silentLogger })), { numRuns: Math.ceil(runs / 10) })],
] as const) {
  const started = performance.now();
  const details = await run();
  console.log(`${name}: ${details.numRuns} runs in ${((performance.now() - started) / 1000).toFixed(1)} s — ${details.failed ? `COUNTEREXAMPLE ${JSON.stringify(details.counterexample)?.slice(0, 500)} (${String(details.errorInstance)})` : 'ok'}`);
  failed ||= details.failed;
}
process.exit(failed ? 1 : 0);
