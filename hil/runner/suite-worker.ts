// A worker thread of a suite run: each message is one job; the answer is its result (errors included:
// runCase never throws).
import { parentPort } from 'node:worker_threads';
import type { RunLevel } from './case-run.ts';
import { runCase } from './case-run.ts';
import type { Job } from './suite-plan.ts';

parentPort!.on('message', (m: { job: Job; level: RunLevel; recordDir: string | null; speed?: number }) => {
  void runCase(m.job, m.level, m.recordDir, m.speed).then((r) => parentPort!.postMessage(r));
});
