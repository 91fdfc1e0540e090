// Entry of the mapping worker thread (front-end.ts): a worker does not inherit the main thread's
// TypeScript loader, so it registers tsx before loading the worker's code.
import { register } from 'tsx/esm/api';
register();
await import('./map-worker.ts');
