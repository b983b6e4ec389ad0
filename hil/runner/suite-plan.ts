// A suite as jobs: the scenario files found in the files and folders given, every one read and checked
// before anything runs (an invalid file stops the run with its file, line and field), then one job per
// scenario and patient, in a stable order, so that shard k of n is the same jobs on every machine.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadCohort } from '../sim/cohorts/cohort.ts';
import type { HilScenario } from '../scenarios/hil-scenario.ts';
import { besideScenario, loadHilScenario } from '../scenarios/hil-scenario.ts';

export const SCENARIO_FILE = /\.hil\.(json|ya?ml)$/;

export interface Job {
  /** Position in the whole suite (before sharding). */
  index: number;
  file: string;
  scenario: string;
  patient: string;
}

/** Every scenario file under the paths, sorted within each folder; a file given by name is taken as it is. */
export function scenarioFiles(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string, given: boolean) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new Error(`${p}: no such file or folder`);
    }
    if (st.isDirectory()) {
      for (const e of readdirSync(p).sort()) walk(join(p, e), false);
    } else if (given || SCENARIO_FILE.test(p)) out.push(p);
  };
  for (const p of paths) walk(p, true);
  if (out.length === 0) throw new Error(`no scenario files (*.hil.json, *.hil.yaml) in ${paths.join(', ')}`);
  return out;
}

/** The patients a scenario runs on, from its cohort (some of them by id, at most count). */
export function scenarioPatients(s: HilScenario) {
  const cohortPath = besideScenario(s, s.patients.cohort);
  let cohort;
  try {
    cohort = loadCohort(cohortPath);
  } catch (e) {
    throw new Error(`${s.file}: patients.cohort: ${(e as Error).message}`);
  }
  const ids = s.patients.ids;
  const missing = (ids ?? []).filter((id) => !cohort.patients.some((p) => p.id === id));
  if (missing.length) throw new Error(`${s.file}: patients.ids: the cohort ${cohort.file.name} has no patient ${missing.join(', ')} (it has ${cohort.patients.slice(0, 4).map((p) => p.id).join(', ')}...)`);
  const chosen = ids ? ids.map((id) => cohort.patients.find((p) => p.id === id)!) : cohort.patients;
  return { cohort, patients: chosen.slice(0, s.patients.count ?? Infinity) };
}

/** Reads every scenario and lists its jobs; all problems of all files are reported together. */
export function planSuite(paths: string[]): { scenarios: HilScenario[]; jobs: Job[] } {
  const scenarios: HilScenario[] = [];
  const jobs: Job[] = [];
  const problems: string[] = [];
  for (const file of scenarioFiles(paths)) {
    try {
      const s = loadHilScenario(file);
      const { patients } = scenarioPatients(s);
      scenarios.push(s);
      for (const p of patients) jobs.push({ index: jobs.length, file, scenario: s.name, patient: p.id });
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  const names = scenarios.map((s) => s.name);
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  if (twice.length) problems.push(`scenario names must be unique in a suite: ${[...new Set(twice)].join(', ')} appear more than once`);
  if (problems.length) throw new Error(problems.join('\n'));
  return { scenarios, jobs };
}

/** Shard k of n ("2/4"; k from 1): every n-th job, so long and short scenarios spread out. */
export function parseShard(text: string): { k: number; n: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const k = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || n < 1 || k < 1 || k > n) throw new Error(`shard '${text}': give k/n with 1 <= k <= n, e.g. 2/4`);
  return { k, n };
}

export function shardJobs(jobs: Job[], shard: { k: number; n: number }): Job[] {
  return jobs.filter((j) => j.index % shard.n === shard.k - 1);
}

/**
 * The shard from the environment when --shard is not given: HOMEOSTAT_SHARD ("k/n"), or a Kubernetes
 * Indexed Job's JOB_COMPLETION_INDEX (from 0) with HOMEOSTAT_SHARDS (n).
 */
export function shardFromEnv(env: NodeJS.ProcessEnv): { k: number; n: number } | null {
  if (env.HOMEOSTAT_SHARD) return parseShard(env.HOMEOSTAT_SHARD);
  if (env.JOB_COMPLETION_INDEX !== undefined) {
    const n = Number(env.HOMEOSTAT_SHARDS);
    if (!Number.isInteger(n) || n < 1) throw new Error('JOB_COMPLETION_INDEX is set but HOMEOSTAT_SHARDS (the number of shards) is not: set it to the Job\'s completions');
    return parseShard(`${Number(env.JOB_COMPLETION_INDEX) + 1}/${n}`);
  }
  return null;
}
