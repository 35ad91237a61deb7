// Used only when Kestrel runs from its TypeScript sources (tests, tsx): registers tsx's loader in
// the worker thread, then loads the real worker. The bundle (dist/) starts inferenceWorker.js directly.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
