// A visit worker thread starts here when NeedleChart runs from its TypeScript sources (tests, tsx):
// worker threads do not inherit tsx's loader, so it is registered before the worker body is loaded.
import { register } from 'tsx/esm/api';

register();
await import('./visit-worker.ts');
