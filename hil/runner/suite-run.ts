// Running a suite's jobs: in this thread (one worker) or in worker threads side by side, each job on its own
// virtual clock. A job that throws is an error result; a worker that dies takes only its job with it (it
// is reported as an error with what is known, a new worker takes the next job). Results come back in the
// suite's order, whatever finished first.
import { Worker } from 'node:worker_threads';
import type { CaseResult, RunLevel } from './case-run.ts';
import { runCase } from './case-run.ts';
import type { Job } from './suite-plan.ts';
import type { HilBenchSpec } from '../rigs/hil-bench-time.ts';

export interface SuiteResults {
  /** Bumped when the shape changes; merge refuses other versions. */
  format: 1;
  startedAt: string;
  level: RunLevel;
  shard: { k: number; n: number };
  /** Jobs in the whole suite, before sharding. */
  suiteJobs: number;
  wallS: number;
  workers: number;
  cases: CaseResult[];
}

export interface PoolOptions {
  level: RunLevel;
  workers: number;
  recordDir: string | null;
  /** PIL: times faster than real time. */
  speed?: number;
  /** HIL: the bench (one bench: its cases run one at a time, in this thread). */
  bench?: HilBenchSpec;
  /** A job started or finished. */
  onProgress?: (done: number, total: number, running: string[], last: CaseResult | null) => void;
}

const label = (j: Job) => `${j.scenario}/${j.patient}`;

export async function runJobs(jobs: Job[], o: PoolOptions): Promise<CaseResult[]> {
  const results: CaseResult[] = new Array(jobs.length);
  const running = new Set<string>();
  let done = 0;
  const finished = (i: number, r: CaseResult) => {
    results[i] = r;
    running.delete(label(jobs[i]));
    done++;
    o.onProgress?.(done, jobs.length, [...running], r);
  };
  const begin = (i: number) => {
    running.add(label(jobs[i]));
    o.onProgress?.(done, jobs.length, [...running], null);
  };
  let next = 0;
  const workers = o.level === 'hil' ? 1 : Math.max(1, Math.min(o.workers, jobs.length));
  if (workers === 1) {
    for (; next < jobs.length; next++) {
      begin(next);
      finished(next, await runCase(jobs[next], o.level, o.recordDir, o.speed, o.bench));
    }
    return results;
  }
  const boot = new URL('./worker-boot.js', import.meta.url);
  const entry = new URL('./suite-worker.ts', import.meta.url).href;
  const lane = async (): Promise<void> => {
    while (next < jobs.length) {
      const worker = new Worker(boot, { workerData: { entry } });
      // One worker runs jobs until none are left or it dies; a dead worker's job is an error.
      await new Promise<void>((resolve) => {
        let current = -1;
        const feed = () => {
          if (next >= jobs.length) {
            current = -1;
            void worker.terminate().then(() => resolve());
            return;
          }
          current = next++;
          begin(current);
          worker.postMessage({ job: jobs[current], level: o.level, recordDir: o.recordDir, speed: o.speed });
        };
        worker.on('message', (r: CaseResult) => {
          finished(current, r);
          feed();
        });
        const died = (why: string) => {
          if (current >= 0) {
            const j = jobs[current];
            finished(current, { ...j, hazard: '', checklist: '', level: o.level, wallS: 0, simulatedS: 0, passed: false, criteria: [], error: `the worker running it died: ${why}`, log: why });
            current = -1;
          }
          resolve();
        };
        worker.on('error', (e) => died(e.stack ?? e.message));
        worker.on('exit', (code) => died(`exit code ${code}`));
        feed();
      });
    }
  };
  await Promise.all(Array.from({ length: workers }, lane));
  return results;
}
