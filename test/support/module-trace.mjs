// `node --import ./test/support/module-trace.mjs …`: records the URL of every module the process
// loads into the file named by MODULE_TRACE_FILE, so a test can see what production start loads.
import { register } from 'node:module';

register('./module-trace-hooks.mjs', import.meta.url);
