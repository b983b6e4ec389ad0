// `homeostat hil run` and `homeostat hil merge`: a suite of HIL scenario files, in worker threads, maybe one
// shard of it (CI matrix, Kubernetes Indexed Job); results.json, JUnit and an HTML report; the exit status
// says whether every criterion of every case held. `hil merge` joins the shards' results.json into one
// report and one JUnit file with the same exit status.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { availableParallelism } from 'node:os';
import { loadRig } from '../../../hil/rigs/rig-file.ts';
import type { RunLevel } from '../../../hil/runner/case-run.ts';
import type { BenchOptions } from '../../../hil/rigs/bench-strategy.ts';
import { checkHilBench } from '../../../hil/runner/hil-bench.ts';
import type { BenchKind, HilBenchSpec } from '../../../hil/rigs/hil-bench-time.ts';
import { BENCH_KINDS } from '../../../hil/rigs/hil-bench-time.ts';
import { checkBpRig } from '../../../hil/rigs/hil-bp.ts';
import { parseShard, planSuite, shardFromEnv, shardJobs } from '../../../hil/runner/suite-plan.ts';
import { mergeResults, readResults, suiteJunit, writeSuiteReport } from '../../../hil/runner/suite-report.ts';
import type { SuiteResults } from '../../../hil/runner/suite-run.ts';
import { runJobs } from '../../../hil/runner/suite-run.ts';
import { traceabilityMarkdown } from '../../../hil/runner/traceability.ts';

export interface HilRunOptions {
  level: string;
  rig?: string;
  workers: number;
  shard?: string;
  junit?: string;
  report?: string;
  records: boolean;
  /** PIL: times faster than real time. */
  speed?: number;
  /** HIL: the real bench (the rig's drivers) or the fake one (emulated boards wired as the rig says, for CI). */
  bench?: string;
  /** HIL: the bench strategy's timeouts (tests shorten them). */
  benchOptions?: BenchOptions;
}

const LEVELS: RunLevel[] = ['sil', 'pil', 'hil'];

function writeOutputs(r: SuiteResults, o: { junit?: string; report?: string }, out: (l: string) => void): void {
  if (o.junit) {
    mkdirSync(dirname(resolve(o.junit)), { recursive: true });
    writeFileSync(o.junit, suiteJunit(r));
    out(`junit: ${o.junit}`);
  }
  if (o.report) out(`report: ${writeSuiteReport(o.report, r).index}`);
}

function summary(r: SuiteResults, out: (l: string) => void): boolean {
  for (const c of r.cases) {
    for (const n of c.notInjectable ?? []) out(`NOT INJECTED in ${c.scenario} / ${c.patient}: ${n}`);
    if (c.passed) continue;
    const why = c.error !== undefined ? `error: ${c.error.split('\n')[0]}` : c.criteria.filter((x) => !x.held).map((x) => `${x.criterion}: ${x.detail}`).join('; ');
    out(`FAILED ${c.scenario} / ${c.patient}: ${why}`);
  }
  const failed = r.cases.filter((c) => !c.passed).length;
  const simMin = r.cases.reduce((a, c) => a + c.simulatedS, 0) / 60;
  out(`${failed ? `${failed} of ${r.cases.length} cases failed` : `all ${r.cases.length} cases passed`}${r.shard.n > 1 ? ` (shard ${r.shard.k}/${r.shard.n} of ${r.suiteJobs})` : ''}: ` +
    `${simMin.toFixed(0)} simulated min in ${r.wallS.toFixed(1)} s with ${r.workers} workers (${(r.cases.length / (r.wallS / 60)).toFixed(1)} scenarios/min)`);
  return failed === 0;
}

export async function hilRun(paths: string[], o: HilRunOptions, out: (l: string) => void, progress: (t: string) => void, env = process.env): Promise<{ ok: boolean; results: SuiteResults }> {
  if (!LEVELS.includes(o.level as RunLevel)) throw new Error(`--level must be sil, pil or hil, got '${o.level}'`);
  const level = o.level as RunLevel;
  if (o.rig) loadRig(o.rig);
  if (level === 'hil' && !o.rig) throw new Error('--level hil needs --rig <file.rig.yaml>: the boards, ports and power of the bench');
  if (o.bench !== undefined && !BENCH_KINDS.includes(o.bench as BenchKind)) throw new Error(`--bench must be real or fake, got '${o.bench}'`);
  if (o.bench !== undefined && level !== 'hil') throw new Error(`--bench applies only with --level hil: leave --bench out`);
  if (o.speed !== undefined && level !== 'pil') throw new Error(`--speed applies only with --level pil (--level ${level} runs on a virtual clock or on real boards): leave --speed out`);
  // Every file is checked before anything runs.
  const { jobs: all } = planSuite(paths);
  const bench: HilBenchSpec | undefined = level === 'hil' ? { rigFile: o.rig!, kind: (o.bench ?? 'real') as BenchKind, options: o.benchOptions } : undefined;
  if (bench) checkBpRig(loadRig(bench.rigFile), bench.rigFile);
  if (bench) await checkHilBench(bench, (r) => out(`bench: ${r.node} ${r.step}: ${r.detail}`));
  const shard = o.shard ? parseShard(o.shard) : shardFromEnv(env) ?? { k: 1, n: 1 };
  const jobs = shardJobs(all, shard);
  const started = new Date().toISOString();
  const t0 = performance.now();
  const recordDir = o.records && o.report ? join(o.report, 'records') : null;
  if (recordDir) mkdirSync(recordDir, { recursive: true });
  const cases = await runJobs(jobs, {
    level, workers: o.workers, recordDir, speed: o.speed, bench,
    onProgress: (done, total, running, last) => {
      if (last) out(`${last.passed ? 'ok    ' : last.error !== undefined ? 'ERROR ' : 'FAILED'} ${last.scenario} / ${last.patient} (${last.wallS.toFixed(1)} s)`);
      progress(`[${done}/${total}] ${running.length ? `running ${running.join(', ')}` : ''}`);
    },
  });
  const results: SuiteResults = {
    format: 1, startedAt: started, level, shard, suiteJobs: all.length, wallS: (performance.now() - t0) / 1000, workers: level === 'hil' ? 1 : Math.min(o.workers, Math.max(1, jobs.length)), cases,
  };
  if (o.report) mkdirSync(o.report, { recursive: true });
  writeOutputs(results, o, out);
  return { ok: summary(results, out), results };
}

export function hilMerge(files: string[], o: { junit?: string; report?: string }, out: (l: string) => void): { ok: boolean; results: SuiteResults } {
  const results = mergeResults(files.map((path) => ({ path, r: readResults(path) })));
  writeOutputs(results, o, out);
  return { ok: summary(results, out), results };
}

/** Writes the traceability table from a suite's files and, when given, its last results. */
export function hilTrace(paths: string[], o: { results?: string; out: string }): string {
  const { scenarios } = planSuite(paths);
  const text = traceabilityMarkdown(scenarios, o.results ? readResults(o.results) : null, paths.join(', '));
  mkdirSync(dirname(resolve(o.out)), { recursive: true });
  writeFileSync(o.out, text);
  return o.out;
}

const speedOption = (v: string) => {
  const x = Number(v);
  if (!(x > 0 && x <= 100)) throw new InvalidArgumentError(`--speed must be a number above 0 and at most 100, got '${v}'`);
  return x;
};

const workersOption = (v: string) => {
  const n = Number(v);
  if (!/^\s*\d+\s*$/.test(v) || n < 1 || n > 64) throw new InvalidArgumentError(`--workers must be a whole number from 1 to 64, got '${v}'`);
  return n;
};

export function registerHil(program: Command): void {
  const hil = program.command('hil').description('HIL scenario suites (*.hil.json, *.hil.yaml): acceptance criteria and safety invariants, JUnit, reports, shards');
  hil
    .command('run')
    .description('run scenario files (or every one under folders) and judge each case; exits 1 unless every criterion held')
    .argument('<paths...>', 'scenario files or folders (the shipped suite: hil/scenarios/suite)')
    .option('--level <sil|pil|hil>', 'where the firmware runs', 'sil')
    .option('--rig <file>', 'a .rig.yaml file (PIL and HIL benches)')
    .option('--bench <real|fake>', 'HIL: the bench attached (real), or the rig\'s boards emulated and wired as the file says, on a virtual clock (fake, for CI)')
    .option('--speed <x>', 'PIL: run the plant and the host this many times faster than real time', speedOption)
    .option('--workers <n>', 'cases run side by side in worker threads', workersOption, Math.max(1, Math.min(8, availableParallelism())))
    .option('--shard <k/n>', 'run every n-th case from the k-th (default: HOMEOSTAT_SHARD, or JOB_COMPLETION_INDEX with HOMEOSTAT_SHARDS)')
    .option('--junit <file>', 'write JUnit XML there')
    .option('--report <dir>', 'write results.json (for hil merge), the HTML report and the records there')
    .option('--no-records', 'keep no loop record per case')
    .action(async (paths: string[], opts: HilRunOptions) => {
      const tty = process.stderr.isTTY;
      const r = await hilRun(paths, opts, (l) => console.log(tty ? `\r${' '.repeat(79)}\r${l}` : l), (t) => (tty ? process.stderr.write(`\r${t.slice(0, 79).padEnd(79)}`) : undefined));
      process.exitCode = r.ok ? 0 : 1;
    });
  hil
    .command('merge')
    .description('join the results.json of every shard into one report and JUnit file; exits 1 unless every case passed')
    .argument('<results...>', 'each shard\'s results.json')
    .option('--junit <file>', 'write JUnit XML there')
    .option('--report <dir>', 'write the merged results.json and HTML report there')
    .action((files: string[], opts: { junit?: string; report?: string }) => {
      process.exitCode = hilMerge(files, opts, (l) => console.log(l)).ok ? 0 : 1;
    });
  hil
    .command('trace')
    .description('write the traceability table: checklist item -> hazard -> mitigation in code -> scenario -> last result')
    .argument('<paths...>', 'the suite\'s scenario files or folders (hil/scenarios/suite)')
    .option('--results <file>', 'the results.json of the suite\'s last run (hil run --report, or hil merge)')
    .option('--out <file>', 'where the table goes', 'docs/traceability.md')
    .action((paths: string[], opts: { results?: string; out: string }) => {
      console.log(`wrote ${hilTrace(paths, opts)}`);
    });
}
