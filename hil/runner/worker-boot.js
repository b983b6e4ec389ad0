// Starts a worker thread on a TypeScript module: workers do not inherit the main thread's loader, so each
// registers tsx itself before importing its entry.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
