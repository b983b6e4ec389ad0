// A cohort through a scenario with one controller: each patient run in turn (each on its own virtual
// clock), metrics per patient, summaries per split and subgroup, the report and a record per patient.
// A patient whose run fails keeps its record up to the failure and is reported with its error.
import { mkdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { loadControllerFile } from '../../host/control/bp/controller-file.ts';
import { advisoryConfigSchema } from '../../host/safety/advisory-gate.ts';
import { driftConfigSchema } from '../../host/safety/drift-monitor.ts';
import { loadSupervisorFile } from '../../host/safety/infusion-supervisor.ts';
import { checkRunDrug } from '../../host/therapies/bp/drugs/drug-file.ts';
import { readConfigFile } from '../../host/config/config-file.ts';
import type { Confirmer } from '../../host/loop/loop-shell.ts';
import { choosePatients, loadCohort } from '../sim/cohorts/cohort.ts';
import { loadScenario } from '../sim/scenarios/scenario.ts';
import type { GroupSummary, PatientMetrics } from '../reports/bp-metrics.ts';
import { cohortSummaries, patientMetrics } from '../reports/bp-metrics.ts';
import { writeReport } from '../reports/bp-report.ts';
import type { Acceptance } from '../reports/acceptance.ts';
import { acceptanceFailures, loadAcceptance } from '../reports/acceptance.ts';
import type { VirtualPatient } from '../sim/cohorts/cohort.ts';
import type { BpRunSetup, PatientRun } from './bp-run.ts';
import { runPatient } from './bp-run.ts';

export interface CohortRunOptions {
  cohortPath: string;
  scenarioPath: string;
  controllerPath: string;
  supervisorPath: string;
  driftPath: string | null;
  advisoryPath: string | null;
  /** false: no record per patient (sweeps over thousands of patients); the report and metrics are still written. */
  records?: boolean;
  /** Per-patient acceptance thresholds (hil/reports/default.acceptance.json when absent). */
  acceptancePath?: string;
  split: 'all' | 'tuning' | 'held-out';
  /** At most this many patients (the first of the split). */
  patients?: number;
  /** Only this patient (by id), whatever the split. */
  patient?: string;
  /** Seed of the noise and artifacts; the cohort's draw keeps its own unless cohortSeed is given. */
  seed: number;
  cohortSeed?: number;
  board: string;
  outDir: string;
  /** Worker threads running patients side by side (1: in this thread). A confirmer or the PIL level forces 1. */
  workers?: number;
  level?: 'mil' | 'sil' | 'pil';
  /** PIL only: times real time. */
  speed?: number;
  /** MIL and SIL: hold each patient to this many times real time (a person watching the dashboard). */
  pace?: number;
  confirmer?: Confirmer;
  /** Each patient's loop as it starts (a dashboard): runs one patient at a time, in this thread. */
  onLoop?: BpRunSetup['onLoop'];
  /** Aborting stops the running patient safely and runs no more (Ctrl-C). */
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, current: string, share: number) => void;
}

export interface CohortRunResult {
  runs: PatientRun[];
  metrics: PatientMetrics[];
  /** Per patient, in cohort order: the acceptance thresholds it missed (empty: passed). */
  failures: string[][];
  acceptance: Acceptance;
  summary: { cohort: GroupSummary; splits: GroupSummary[]; subgroups: GroupSummary[] };
  report: { index: string; json: string; csv: string };
  simulatedS: number;
  wallMs: number;
}

export async function runCohort(o: CohortRunOptions): Promise<CohortRunResult> {
  const started = performance.now();
  // Every file is read and validated before the first patient runs.
  const scenario = loadScenario(o.scenarioPath);
  const controller = loadControllerFile(o.controllerPath);
  const supervisor = loadSupervisorFile(o.supervisorPath);
  const drift = o.driftPath ? readConfigFile(o.driftPath, 'the drift alarm', driftConfigSchema) : null;
  const advisory = o.advisoryPath ? readConfigFile(o.advisoryPath, 'the advisory mode', advisoryConfigSchema) : null;
  const acceptance = loadAcceptance(o.acceptancePath ?? new URL('../reports/default.acceptance.json', import.meta.url).pathname);
  const { file: cohortFile, drug, patients: drawn } = loadCohort(o.cohortPath, o.cohortSeed);
  // The drug of the cohort, the controller and the supervisor must agree before anything is infused.
  checkRunDrug(drug, `the cohort ${cohortFile.name}`, { path: o.controllerPath, ...controller }, { path: o.supervisorPath, ...supervisor });
  const chosen = choosePatients(cohortFile.name, o.cohortPath, drawn, o);
  const recordDir = o.records === false ? null : join(o.outDir, 'records');
  if (recordDir) mkdirSync(recordDir, { recursive: true });
  const setup: BpRunSetup = { scenario, controller, supervisor, advisory, drift, seed: o.seed, board: o.board, recordDir, level: o.level, speed: o.speed, pace: o.pace, model: cohortFile.model };
  const workers = o.confirmer || o.onLoop || o.level === 'pil' ? 1 : Math.max(1, Math.min(o.workers ?? 1, chosen.length));
  let runs: PatientRun[];
  if (workers === 1) {
    runs = [];
    for (const [i, p] of chosen.entries()) {
      if (o.signal?.aborted) break;
      o.onProgress?.(i, chosen.length, p.id, 0);
      runs.push(await runPatient({ ...setup, confirmer: o.confirmer, onLoop: o.onLoop, signal: o.signal }, p, (share) => o.onProgress?.(i, chosen.length, p.id, share)));
    }
  } else {
    runs = await runInWorkers(setup, chosen, workers, o.onProgress);
  }
  o.onProgress?.(chosen.length, chosen.length, '', 1);
  const metrics = runs.map(patientMetrics);
  const failures = metrics.map((m) => acceptanceFailures(acceptance, m));
  const report = await writeReport(o.outDir, {
    title: `${cohortFile.name} cohort, ${scenario.name} scenario, ${controller.kind} controller`,
    settings: {
      cohort: `${cohortFile.name} (seed ${o.cohortSeed ?? cohortFile.seed})`, split: o.split, patients: String(chosen.length), scenario: scenario.name,
      controller: controller.kind, target: `${scenario.targetMmHg} mmHg`, advisory: advisory ? 'on' : 'off', level: o.level === 'pil' ? `PIL at ${o.speed ?? 1}x real time` : (o.level ?? 'sil').toUpperCase(), seed: String(o.seed), board: o.board,
    },
    runs, metrics, failures, acceptance, scenario,
  });
  return { runs, metrics, failures, acceptance, summary: cohortSummaries(metrics), report, simulatedS: runs.reduce((a, r) => a + r.durationS, 0), wallMs: performance.now() - started };
}

/** Patients shared out to worker threads; results come back in cohort order. */
async function runInWorkers(setup: BpRunSetup, patients: VirtualPatient[], count: number, onProgress: CohortRunOptions['onProgress']): Promise<PatientRun[]> {
  const results: PatientRun[] = new Array(patients.length);
  let next = 0;
  let done = 0;
  let failed = false;
  const boot = new URL('./worker-boot.js', import.meta.url);
  const entry = new URL('./bp-run-worker.ts', import.meta.url).href;
  const one = (): Promise<void> => new Promise((resolve, reject) => {
    const worker = new Worker(boot, { workerData: { entry } });
    const feed = () => {
      if (next >= patients.length || failed) {
        void worker.terminate().then(() => resolve());
        return;
      }
      const i = next++;
      worker.once('message', function answer(m: { progress?: number; run?: PatientRun; error?: string }) {
        if (m.progress !== undefined) {
          onProgress?.(done, patients.length, patients[i].id, m.progress);
          worker.once('message', answer);
          return;
        }
        if (m.error) {
          failed = true; // the other workers finish the patient they have and take no more
          void worker.terminate();
          reject(new Error(m.error));
          return;
        }
        results[i] = m.run!;
        done++;
        onProgress?.(done, patients.length, '', 0);
        feed();
      });
      worker.postMessage({ setup, patient: patients[i] });
    };
    worker.once('error', reject);
    feed();
  });
  await Promise.all(Array.from({ length: count }, one));
  return results;
}
