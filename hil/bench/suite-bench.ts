// The HIL suite for `npm run bench` (section `suite`): how scenarios per minute grow with worker threads
// (the first jobs of the shipped suite at 1, 2 and N workers), then the whole shipped suite at SIL with N
// workers: its wall time and every case's verdict. The results go to dist/bench/suite/results.json, from
// which `homeostat hil trace` writes the traceability table's last results. First, one scenario of the
// suite at HIL on the fake bench of the patient bench (one case at a time: one bench) against the same at SIL.
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { planSuite } from '../runner/suite-plan.ts';
import type { SuiteResults } from '../runner/suite-run.ts';
import { runJobs } from '../runner/suite-run.ts';

const SUITE = new URL('../scenarios/suite', import.meta.url).pathname;
/** Jobs in each scaling run: enough to keep N workers busy, few enough to run three times. */
const SCALING_JOBS = 8;

const PATIENT_BENCH = new URL('../rigs/benches/patient-bench.rig.yaml', import.meta.url).pathname;
/** The scenario timed at HIL: the nominal one, no faults (25 simulated minutes). */
const HIL_SCENARIO = 'nominal-step';

/** One case at HIL on the fake bench and at SIL: wall time and simulated seconds per wall second of each. */
export async function hilLevelBench() {
  const job = planSuite([SUITE]).jobs.find((j) => j.scenario === HIL_SCENARIO)!;
  const out: Record<string, { wallS: number; simulatedS: number; simSPerWallS: number; passed: boolean }> = {};
  for (const level of ['sil', 'hil'] as const) {
    // Once to build the bundles and warm up, then timed.
    await runJobs([job], { level, workers: 1, recordDir: null, bench: { rigFile: PATIENT_BENCH, kind: 'fake' } });
    const t0 = performance.now();
    const [c] = await runJobs([job], { level, workers: 1, recordDir: null, bench: level === 'hil' ? { rigFile: PATIENT_BENCH, kind: 'fake' } : undefined });
    const wallS = (performance.now() - t0) / 1000;
    out[level] = { wallS: Math.round(wallS * 100) / 100, simulatedS: c.simulatedS, simSPerWallS: Math.round(c.simulatedS / wallS), passed: c.passed };
    process.stderr.write(`  ${HIL_SCENARIO} at ${level}${level === 'hil' ? ' (fake bench)' : ''}: ${c.simulatedS} simulated s in ${wallS.toFixed(1)} s, ${c.passed ? 'passed' : 'FAILED'}\n`);
  }
  return { scenario: HIL_SCENARIO, ...out };
}

export async function suiteBench() {
  const hil = await hilLevelBench();
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
    hil, scaling, speedupAtN: Math.round(speedup * 100) / 100, cpus: availableParallelism(),
    suite: { scenarios: new Set(jobs.map((j) => j.scenario)).size, cases: cases.length, workers: n, wallS: Math.round(wallS * 10) / 10, simulatedMin: Math.round(simulatedMin), passed: cases.length - failed.length, failed },
  };
}

// `tsx hil/bench/suite-bench.ts hil`: the HIL figures alone.
if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await (process.argv[2] === 'hil' ? hilLevelBench() : suiteBench()), null, 1));
