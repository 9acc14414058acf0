#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx, so `npx needlechart` works right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main, readAllStdin } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readStdin: readAllStdin,
  env: process.env,
  isTty: process.stderr.isTTY === true,
});
