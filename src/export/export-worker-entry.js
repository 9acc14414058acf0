// The compliance export's worker thread starts here: worker threads do not inherit tsx's loader from
// the main thread, so it is registered before the TypeScript worker body is loaded.
import { register } from 'tsx/esm/api';

register();
await import('./export-worker.ts');
