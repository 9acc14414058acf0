#!/usr/bin/env node
// The CLI runs the compiled JavaScript in dist/. Right after `npm ci` (or after editing src/) it
// compiles first, once, so `npx needlechart` needs no separate build step.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from '../scripts/ensure-build.mjs';

// An export from an EHR streams thousands of visits: its live heap stays small (about 50 MB), so V8's
// heap is bounded to keep the process's memory small too (without it V8 lets garbage pile up to
// ~300 MB). The 4 MB semi-spaces apply to the visit workers too (a V8 flag holds for every thread):
// 6 or 8 MB made PDFs faster but took the export past 350 MB.
// Not with the in-process demo sandbox (no --fhir), whose FHIR engine needs more: there the export
// runs in a worker thread with its own bounded heap (export-cli.ts).
if (process.argv[2] === 'export' && process.argv.some((a) => a === '--fhir' || a.startsWith('--fhir=')) && !process.env.NEEDLECHART_EXPORT_CHILD) {
  const child = spawnSync(process.execPath, ['--max-old-space-size=128', '--max-semi-space-size=4', fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, NEEDLECHART_EXPORT_CHILD: '1' },
  });
  process.exit(child.status ?? 1);
}

const problem = ensureBuilt();
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}
const { main, readAllStdin } = await import('../dist/cli.js');
process.exitCode = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readStdin: readAllStdin,
  env: process.env,
  isTty: process.stderr.isTTY === true,
});
