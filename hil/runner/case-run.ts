// One job of a suite: a scenario on one patient at a level, judged against the scenario's criteria. What
// comes back is plain data (it crosses from a worker thread and into results files): the verdict of every
// criterion, the run's figures, a thinned trace for the plots, and the log. A run that throws comes back as
// an error with its log; it never stops the suite.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadControllerFile } from '../../host/control/bp/controller-file.ts';
import { driftConfigSchema } from '../../host/safety/drift-monitor.ts';
import { loadSupervisorFile } from '../../host/safety/infusion-supervisor.ts';
import { readConfigFile } from '../../host/config/config-file.ts';
import type { DrugFile } from '../../host/therapies/bp/drugs/drug-file.ts';
import { checkRunDrug } from '../../host/therapies/bp/drugs/drug-file.ts';
import type { PatientMetrics } from '../reports/bp-metrics.ts';
import { patientMetrics } from '../reports/bp-metrics.ts';
import type { HilScenario } from '../scenarios/hil-scenario.ts';
import { besideScenario, loadHilScenario, splitFaults } from '../scenarios/hil-scenario.ts';
import type { PatientRun } from './bp-run.ts';
import { runPatient } from './bp-run.ts';
import type { CriterionResult } from './scenario-criteria.ts';
import { judgeRun } from './scenario-criteria.ts';
import type { Job } from './suite-plan.ts';
import type { HilBenchSpec } from '../rigs/hil-bench-time.ts';
import { scenarioPatients } from './suite-plan.ts';

export type RunLevel = 'sil' | 'pil' | 'hil';

export interface CaseResult {
  index: number;
  file: string;
  scenario: string;
  patient: string;
  hazard: string;
  checklist: string;
  level: RunLevel;
  wallS: number;
  simulatedS: number;
  /** Every criterion held (and the run did not fail). */
  passed: boolean;
  criteria: CriterionResult[];
  /** The run crashed: why. */
  error?: string;
  /** Faults of the scenario this level could not inject ("not injectable at pil: ..."): the case did not test them. */
  notInjectable?: string[];
  metrics?: Pick<PatientMetrics, 'settlingTimeS' | 'overshootMmHg' | 'steadyStateDeviationMmHg' | 'timeInBand5AfterSettlingPct' | 'minMapMmHg' | 'totalDoseMg' | 'alarmsPerHour'>;
  /** Per decision period: minutes, true MAP, observed MAP (null: none), commanded and delivered mL/h. */
  trace?: { targetMmHg: number; floorMmHg: number; rows: [number, number, number | null, number, number][]; alarmsMin: number[]; faultsMin: [number, string][] };
  log: string;
}

const repo = (p: string) => new URL(`../../${p}`, import.meta.url).pathname;

/** The scenario's controller and supervisor files, or the shipped ones for the cohort's drug. */
function files(s: HilScenario, drug: DrugFile) {
  return {
    controller: s.controller ? besideScenario(s, s.controller) : repo(`host/control/bp/${drug.defaults.controller}.controller.json`),
    supervisor: s.supervisor ? besideScenario(s, s.supervisor) : repo(`host/safety/${drug.defaults.supervisor}.supervisor.json`),
    drift: repo('host/safety/default.drift.json'),
  };
}

function scenarioDir(recordDir: string, scenario: string): string {
  const dir = join(recordDir, scenario.replace(/[^a-z0-9._-]/gi, '_'));
  mkdirSync(dir, { recursive: true });
  return dir;
}

const r1 = (v: number) => Math.round(v * 10) / 10;

function traceOf(run: PatientRun): CaseResult['trace'] {
  return {
    targetMmHg: run.targetMmHg, floorMmHg: run.floorMmHg,
    rows: run.samples.map((x) => [r1(x.tS / 60 * 100) / 100, r1(x.mapMmHg), x.observedMmHg === null ? null : r1(x.observedMmHg), r1(x.rateMlPerH), r1(x.deliveredMlPerH)]),
    alarmsMin: run.alarms.map((a) => r1(a.tMs / 6000) / 10),
    faultsMin: (run.safety?.faults ?? []).filter((e) => e.what === 'applied').map((e) => [r1(e.tMs / 6000) / 10, e.fault.kind]),
  };
}

function logOf(run: PatientRun): string {
  const alarms = run.alarms.map((a) => `${(a.tMs / 1000).toFixed(1)} s: alarm ${a.alarm.priority} ${a.alarm.id}: ${a.alarm.text}`);
  const lines = [...(run.safety?.log ?? []), ...alarms].sort((a, b) => parseFloat(a) - parseFloat(b));
  if (run.error) lines.push(`run failed: ${run.error}`);
  return lines.join('\n');
}

/** PIL runs on the machine's clock, this many times faster than real time; HIL on the bench given. */
export async function runCase(job: Job, level: RunLevel, recordDir: string | null, speed = 1, bench?: HilBenchSpec): Promise<CaseResult> {
  const started = performance.now();
  const base = { index: job.index, file: job.file, scenario: job.scenario, patient: job.patient, level, hazard: '', checklist: '', simulatedS: 0 };
  let s: HilScenario | null = null;
  try {
    s = loadHilScenario(job.file);
    const { cohort, patients } = scenarioPatients(s);
    const patient = patients.find((p) => p.id === job.patient);
    if (!patient) throw new Error(`${job.file}: no patient ${job.patient} any more`);
    const f = files(s, cohort.drug);
    const controller = loadControllerFile(f.controller);
    const supervisor = loadSupervisorFile(f.supervisor);
    checkRunDrug(cohort.drug, `the cohort ${cohort.file.name}`, { path: f.controller, ...controller }, { path: f.supervisor, ...supervisor });
    const { line, scheduled } = splitFaults(s.faults);
    const run = await runPatient({
      scenario: { ...s, artifacts: [...s.artifacts, ...line] },
      controller, supervisor,
      drift: readConfigFile(f.drift, 'the drift alarm', driftConfigSchema), advisory: null,
      // One folder per scenario: records are named by patient, and scenarios share patients.
      seed: s.seed, board: s.board, recordDir: recordDir === null ? null : scenarioDir(recordDir, s.name), level, speed, bench, model: cohort.file.model, faults: scheduled, targets: s.targets,
    }, patient);
    const notInjectable = (run.safety?.notInjectable ?? []).map((x) => `${x.fault.kind} at ${x.fault.atMin} min: ${x.why}`);
    const m = patientMetrics(run);
    const criteria = judgeRun(s.criteria, run, m);
    return {
      ...base, hazard: s.hazard, checklist: s.checklist, wallS: (performance.now() - started) / 1000, simulatedS: run.durationS,
      passed: !run.error && criteria.every((c) => c.held), criteria, ...(run.error ? { error: run.error } : {}),
      ...(notInjectable.length ? { notInjectable } : {}),
      metrics: {
        settlingTimeS: m.settlingTimeS, overshootMmHg: m.overshootMmHg, steadyStateDeviationMmHg: m.steadyStateDeviationMmHg,
        timeInBand5AfterSettlingPct: m.timeInBand5AfterSettlingPct, minMapMmHg: m.minMapMmHg, totalDoseMg: m.totalDoseMg, alarmsPerHour: m.alarmsPerHour,
      },
      trace: traceOf(run), log: logOf(run),
    };
  } catch (e) {
    const err = e as Error;
    return { ...base, hazard: s?.hazard ?? '', checklist: s?.checklist ?? '', wallS: (performance.now() - started) / 1000, passed: false, criteria: [], error: err.message, log: err.stack ?? err.message };
  }
}
