// The HIL suite for `npm run bench` (section `suite`): how scenarios per minute grow with worker threads
// (the first jobs of the shipped suite at 1, 2 and N workers), then the whole shipped suite at SIL with N
// workers: its wall time and every case's verdict. The results go to dist/bench/suite/results.json, from
// which `homeostat hil trace` writes the traceability table's last results.
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { planSuite } from '../runner/suite-plan.ts';
import type { SuiteResults } from '../runner/suite-run.ts';
import { runJobs } from '../runner/suite-run.ts';

const SUITE = new URL('../scenarios/suite', import.meta.url).pathname;
/** Jobs in each scaling run: enough to keep N workers busy, few enough to run three times. */
const SCALING_JOBS = 8;

export async function suiteBench() {
  const { jobs } = planSuite([SUITE]);
  const n = Math.max(2, Math.min(8, availableParallelism()));
  const scaling: { workers: number; jobs: number; wallS: number; scenariosPerMin: number }[] = [];
  for (const workers of [...new Set([1, 2, n])]) {
    const some = jobs.slice(0, SCALING_JOBS);
    const t0 = performance.now();
    await runJobs(some, { level: 'sil', workers, recordDir: null });
    const wallS = (performance.now() - t0) / 1000;
    scaling.push({ workers, jobs: some.length, wallS: Math.round(wallS * 10) / 10, scenariosPerMin: Math.round((some.length / (wallS / 60)) * 10) / 10 });
    process.stderr.write(`  ${workers} workers: ${some.length} cases in ${wallS.toFixed(1)} s\n`);
  }
  console.table(scaling);
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const cases = await runJobs(jobs, { level: 'sil', workers: n, recordDir: null, onProgress: (done, total, _r, last) => last && process.stderr.write(`  suite ${done}/${total}: ${last.scenario}/${last.patient} ${last.passed ? 'passed' : 'FAILED'}\n`) });
  const wallS = (performance.now() - t0) / 1000;
  const results: SuiteResults = { format: 1, startedAt, level: 'sil', shard: { k: 1, n: 1 }, suiteJobs: jobs.length, wallS, workers: n, cases };
  mkdirSync('dist/bench/suite', { recursive: true });
  writeFileSync('dist/bench/suite/results.json', JSON.stringify(results));
  const simulatedMin = cases.reduce((a, c) => a + c.simulatedS, 0) / 60;
  const failed = cases.filter((c) => !c.passed).map((c) => `${c.scenario}/${c.patient}: ${c.error ?? c.criteria.filter((x) => !x.held).map((x) => x.criterion).join(', ')}`);
  const speedup = scaling.at(-1)!.scenariosPerMin / scaling[0].scenariosPerMin;
  return {
    scaling, speedupAtN: Math.round(speedup * 100) / 100, cpus: availableParallelism(),
    suite: { scenarios: new Set(jobs.map((j) => j.scenario)).size, cases: cases.length, workers: n, wallS: Math.round(wallS * 10) / 10, simulatedMin: Math.round(simulatedMin), passed: cases.length - failed.length, failed },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await suiteBench(), null, 1));
