// An aDBS cohort through a scenario with one policy: each patient unstimulated (the reference and the
// calibration of the policy's thresholds), with continuous DBS and with the policy, on one seed; figures per
// patient against its own references, summaries per split and subgroup, acceptance per patient, the report
// and a record per loop run. A patient whose run fails keeps its record up to the failure and is reported.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { PolicyFile } from '../../host/control/dbs/policy-file.ts';
import { loadPolicyFile, shippedPolicyPath } from '../../host/control/dbs/policy-file.ts';
import { readConfigFile } from '../../host/config/config-file.ts';
import type { Confirmer } from '../../host/loop/loop-shell.ts';
import { stimAdvisoryConfigSchema } from '../../host/safety/advisory-gate.ts';
import { betaDriftConfigSchema } from '../../host/safety/drift-monitor.ts';
import { stimSupervisorConfigSchema } from '../../host/safety/stim-supervisor.ts';
import type { DbsAcceptance } from '../reports/acceptance.ts';
import { dbsAcceptanceFailures, dbsAcceptanceSchema } from '../reports/acceptance.ts';
import type { DbsFigures } from '../reports/dbs-metrics.ts';
import { dbsFigures, dbsReferences } from '../reports/dbs-metrics.ts';
import { writeDbsReport } from '../reports/dbs-report.ts';
import type { CohortPatient } from '../sim/cohorts/cohort.ts';
import { choosePatients, loadDbsCohort } from '../sim/cohorts/cohort.ts';
import { DBS_LFP_RATE_HZ, DBS_STEP_MS } from '../sim/engine/dbs-plant.ts';
import type { DbsScenario } from '../sim/scenarios/dbs-scenario.ts';
import { loadDbsScenario } from '../sim/scenarios/dbs-scenario.ts';
import { deviceLimits } from './dbs-mil-run.ts';
import type { DbsArm, DbsLevel, DbsReference, DbsRunSetup } from './dbs-run.ts';
import { neurostimConfig, runArm, runReference, stimDevice } from './dbs-run.ts';

export interface DbsCohortOptions {
  cohortPath: string;
  scenarioPath: string;
  policyPath: string;
  supervisorPath: string;
  driftPath: string | null;
  advisoryPath: string | null;
  acceptancePath: string;
  split: 'all' | 'tuning' | 'held-out';
  patients?: number;
  patient?: string;
  seed: number;
  cohortSeed?: number;
  board: string;
  level: DbsLevel;
  /** PIL: this many times real time (default 1). */
  speed?: number;
  outDir: string;
  records?: boolean;
  confirmer?: Confirmer;
  onProgress?: (done: number, total: number, current: string, share: number) => void;
}

/** One patient's runs and figures. */
export interface DbsPatientResult {
  patient: CohortPatient;
  peakHz: number;
  baselineBetaUv2: number;
  offLongBurstShare: number;
  continuous: DbsFigures | null;
  /** The policy's figures (the continuous ones again when the policy is continuous DBS). */
  policy: DbsFigures | null;
  /** Share of the policy run's decisions in fallback (stale beta, lost link). */
  fallbackShare: number;
  alarms: { tMs: number; id: string; text: string }[];
  arms: { off: DbsReference; continuous: DbsArm | null; policy: DbsArm | null };
  error: string | null;
}

export interface DbsGroupSummary {
  name: string;
  patients: number;
  /** Means over the patients of the policy's figures. */
  suppression: number;
  suppressionVsContinuous: number;
  teedRelative: number;
  duty: number;
  longBurstShare: number;
  offLongBurstShare: number;
  /** Median over the patients that had one. */
  latencyMs: number | null;
  failed: number;
}

export interface DbsCohortResult {
  policy: PolicyFile;
  scenario: DbsScenario;
  level: DbsLevel;
  results: DbsPatientResult[];
  failures: string[][];
  acceptance: DbsAcceptance;
  summary: { cohort: DbsGroupSummary; splits: DbsGroupSummary[]; subgroups: DbsGroupSummary[] };
  report: { index: string; json: string; csv: string };
  /** Simulated seconds of every run (reference, continuous, policy), and the wall time. */
  simulatedS: number;
  wallMs: number;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export function dbsGroup(name: string, rs: DbsPatientResult[], failures: number): DbsGroupSummary {
  const ok = rs.filter((r) => r.policy);
  const of = (k: keyof DbsFigures) => mean(ok.map((r) => r.policy![k]));
  return {
    name, patients: rs.length, suppression: of('suppression'), suppressionVsContinuous: of('suppressionVsContinuous'), teedRelative: of('teedRelative'),
    duty: of('duty'), longBurstShare: of('longBurstShare'), offLongBurstShare: mean(ok.map((r) => r.offLongBurstShare)),
    latencyMs: median(ok.map((r) => r.policy!.latencyMs).filter((x) => !Number.isNaN(x))), failed: failures,
  };
}

function summaries(rs: DbsPatientResult[], failures: string[][]) {
  const failedIn = (sel: DbsPatientResult[]) => sel.filter((r) => failures[rs.indexOf(r)].length > 0).length;
  const group = (name: string, sel: DbsPatientResult[]) => dbsGroup(name, sel, failedIn(sel));
  const splits = (['tuning', 'held-out'] as const).map((s) => rs.filter((r) => r.patient.split === s)).filter((x) => x.length).map((x) => group(x[0].patient.split, x));
  const labels = [...new Set(rs.flatMap((r) => Object.entries(r.patient.subgroups).map(([k, v]) => `${k}: ${v}`)))].sort();
  const subgroups = labels.map((l) => group(l, rs.filter((r) => Object.entries(r.patient.subgroups).some(([k, v]) => `${k}: ${v}` === l))));
  return { cohort: group('cohort', rs), splits, subgroups };
}

/** One patient's three runs and their figures. */
async function onePatient(setup: DbsRunSetup, p: CohortPatient, policy: PolicyFile, continuous: PolicyFile, progress: (share: number) => void): Promise<DbsPatientResult> {
  const same = policy.kind === 'continuous';
  const parts = same ? 2 : 3;
  const part = (i: number) => (share: number) => progress((i + share) / parts);
  const off = await runReference(setup, p, part(0));
  const empty = { patient: p, peakHz: off.peakHz, baselineBetaUv2: off.baselineBetaUv2, offLongBurstShare: NaN, continuous: null, policy: null, fallbackShare: 0, alarms: [] };
  if (off.error) return { ...empty, arms: { off, continuous: null, policy: null }, error: `unstimulated reference: ${off.error}` };
  const cont = await runArm(setup, p, continuous, off.baselineBetaUv2, part(1));
  const run = same ? cont : await runArm(setup, p, policy, off.baselineBetaUv2, part(2));
  const arms = { off, continuous: cont, policy: run };
  const error = cont.error ? `continuous DBS: ${cont.error}` : run.error ? `${policy.kind}: ${run.error}` : null;
  if (error) return { ...empty, arms, error };
  const basis = { peakHz: off.peakHz, skipS: setup.scenario.settleS, lfpRateHz: DBS_LFP_RATE_HZ, ampStepMs: DBS_STEP_MS, floorMa: continuous.windowMinMa };
  const ref = dbsReferences(off, cont, basis);
  return {
    patient: p, peakHz: off.peakHz, baselineBetaUv2: off.baselineBetaUv2, offLongBurstShare: ref.offLongBurstShare,
    continuous: dbsFigures(cont, ref, basis), policy: dbsFigures(run, ref, { ...basis, floorMa: policy.windowMinMa }),
    fallbackShare: run.decisions.length ? run.decisions.filter((d) => d.mode === 'fallback').length / run.decisions.length : 0,
    alarms: run.alarms.map((a) => ({ tMs: a.tMs, id: a.alarm.id, text: a.alarm.text })), arms, error: null,
  };
}

export async function runDbsCohort(o: DbsCohortOptions): Promise<DbsCohortResult> {
  const started = performance.now();
  // Every file is read and checked against the stimulator before the first patient runs.
  const cfg = neurostimConfig(o.board);
  const device = stimDevice(cfg);
  const scenario = loadDbsScenario(o.scenarioPath);
  const policy = loadPolicyFile(o.policyPath, deviceLimits(cfg));
  const continuous = policy.kind === 'continuous' ? policy : loadPolicyFile(shippedPolicyPath('continuous'), deviceLimits(cfg));
  if (Math.abs(continuous.continuousMa - policy.continuousMa) > 1e-9) {
    throw new Error(`${o.policyPath}: continuousMa ${policy.continuousMa} mA differs from the continuous-DBS reference's ${continuous.continuousMa} mA: the policy's fallback and the reference must be one amplitude`);
  }
  const supervisor = readConfigFile(o.supervisorPath, 'the aDBS supervisor', stimSupervisorConfigSchema);
  const drift = o.driftPath ? readConfigFile(o.driftPath, 'the beta drift alarm', betaDriftConfigSchema) : null;
  const advisory = o.advisoryPath ? readConfigFile(o.advisoryPath, 'the aDBS advisory mode', stimAdvisoryConfigSchema) : null;
  const acceptance = readConfigFile(o.acceptancePath, 'the aDBS acceptance thresholds', dbsAcceptanceSchema);
  const { file: cohortFile, patients: drawn } = loadDbsCohort(o.cohortPath, o.cohortSeed);
  const chosen = choosePatients(cohortFile.name, o.cohortPath, drawn, o);
  const recordDir = o.records === false ? null : join(o.outDir, 'records');
  if (recordDir) mkdirSync(recordDir, { recursive: true });
  const setup: DbsRunSetup = { scenario, files: { supervisor, advisory, drift, device }, seed: o.seed, board: o.board, level: o.level, speed: o.speed, recordDir, confirmer: o.confirmer };
  const results: DbsPatientResult[] = [];
  for (const [i, p] of chosen.entries()) {
    o.onProgress?.(i, chosen.length, p.id, 0);
    results.push(await onePatient(setup, p, policy, continuous, (share) => o.onProgress?.(i, chosen.length, p.id, share)));
  }
  o.onProgress?.(chosen.length, chosen.length, '', 1);
  const failures = results.map((r) => dbsAcceptanceFailures(acceptance, r));
  const summary = summaries(results, failures);
  const report = writeDbsReport(o.outDir, {
    title: `${cohortFile.name} cohort, ${scenario.name} scenario, ${policy.kind} policy against continuous DBS`,
    settings: {
      cohort: `${cohortFile.name} (seed ${o.cohortSeed ?? cohortFile.seed})`, split: o.split, patients: String(chosen.length), scenario: scenario.name,
      policy: policy.kind, continuous: `${continuous.continuousMa} mA`, advisory: advisory ? 'on' : 'off', drift: drift ? 'on' : 'off', level: o.level === 'pil' ? `PIL at ${o.speed ?? 1}x real time` : o.level.toUpperCase(), seed: String(o.seed), board: o.board,
    },
    results, failures, acceptance, summary, settleS: scenario.settleS,
  });
  const simulatedS = results.reduce((a, r) => a + [r.arms.off, r.arms.continuous, r.arms.policy === r.arms.continuous ? null : r.arms.policy].reduce((b, x) => b + (x ? x.simulatedS : 0), 0), 0);
  return { policy, scenario, level: o.level, results, failures, acceptance, summary, report, simulatedS, wallMs: performance.now() - started };
}
