// Blood-pressure loop figures for `npm run bench` (issue goals in brackets): on the held-out split of the
// default cohort with noise and a disturbance, each controller's time within +-5 mmHg after settling
// [adaptive >= 95%], overshoot [<= 5 mmHg], settling [<= 5 min] and time below 65 mmHg [none]; the
// stress scenario (sensitivity doubling, drift, bleeding, every line artifact) for the adaptive one; and
// full-stack speed per core, firmware bundles in the emulator included [>= 10,000 simulated s per wall s],
// beside the patient model alone. Also norepinephrine for hypotension (held-out split, vasopressor PID).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shippedControllerPath } from '../../host/control/bp/controller-file.ts';
import type { CohortRunResult } from '../runner/bp-cohort-run.ts';
import { runCohort } from '../runner/bp-cohort-run.ts';
import { SlatePatient } from '../sim/patients/slate-patient.ts';

const repo = (p: string) => new URL(`../../${p}`, import.meta.url).pathname;

async function cohort(controller: 'pid' | 'adaptive', scenario: string, split: 'held-out' | 'all', patients?: number, workers = 1): Promise<CohortRunResult> {
  return runCohort({
    cohortPath: repo('hil/sim/cohorts/default.cohort.json'), scenarioPath: repo(`hil/sim/scenarios/${scenario}.scenario.json`),
    controllerPath: shippedControllerPath(controller), supervisorPath: repo('host/safety/nitroprusside.supervisor.json'),
    driftPath: repo('host/safety/default.drift.json'), advisoryPath: null, split, patients, seed: 1, board: 'pico',
    outDir: mkdtempSync(join(tmpdir(), `bench-${controller}-${scenario}-`)), workers,
  });
}

/** The norepinephrine cohort's held-out patients through the hypotension scenario with the vasopressor PID. */
async function vasopressorCohort(): Promise<CohortRunResult> {
  return runCohort({
    cohortPath: repo('hil/sim/cohorts/norepinephrine.cohort.json'), scenarioPath: repo('hil/sim/scenarios/hypotension.scenario.json'),
    controllerPath: repo('host/control/bp/pid-norepinephrine.controller.json'), supervisorPath: repo('host/safety/norepinephrine.supervisor.json'),
    driftPath: null, advisoryPath: null, split: 'held-out', seed: 1, board: 'pico', outDir: mkdtempSync(join(tmpdir(), 'bench-norepinephrine-')),
  });
}

function outcome(r: CohortRunResult) {
  const ms = r.metrics;
  const after = ms.map((m) => m.timeInBand5AfterSettlingPct ?? 0);
  const settling = ms.map((m) => (m.settlingTimeS === null ? Infinity : m.settlingTimeS / 60));
  const c = r.summary.cohort;
  return {
    patients: ms.length,
    meanTimeInBand5AfterSettlingPct: Number(c.meanTimeInBand5AfterSettlingPct?.toFixed(1)),
    patientsAtOrAbove95PctInBand: ms.filter((m) => (m.timeInBand5AfterSettlingPct ?? 0) >= 95).length,
    worstTimeInBand5AfterSettlingPct: Number(Math.min(...after).toFixed(1)),
    settledPct: c.settledPct,
    medianSettlingMin: Number((c.medianSettlingTimeS! / 60).toFixed(2)),
    maxSettlingMin: Number(Math.max(...settling.filter(Number.isFinite)).toFixed(2)),
    patientsNeverSettled: settling.filter((x) => !Number.isFinite(x)).length,
    patientsSettledWithin5Min: settling.filter((s) => s <= 5).length,
    maxOvershootMmHg: Number(c.maxOvershootMmHg.toFixed(1)),
    patientsWithOvershootAtMost5MmHg: ms.filter((m) => m.overshootMmHg <= 5).length,
    minMapMmHg: Number(Math.min(...ms.map((m) => m.minMapMmHg)).toFixed(1)),
    meanTimeBelow65Pct: Number(c.meanTimeBelow65Pct.toFixed(3)),
    medianMdapePct: Number(c.medianMdapePct?.toFixed(2)),
    calledOutSubgroups: r.summary.subgroups.filter((g) => g.callout).map((g) => `${g.name}: ${g.callout}`),
  };
}

export async function bpLoopBench() {
  const adaptive = await cohort('adaptive', 'default', 'held-out');
  const pid = await cohort('pid', 'default', 'held-out');
  const stress = await cohort('adaptive', 'stress', 'held-out');
  const vasopressor = await vasopressorCohort();
  // Speed per core: one thread, the firmware already built (the held-out run above built it).
  const speed = await cohort('adaptive', 'default', 'all', 6);
  const patient = new SlatePatient({ gainMmHgPerMlPerH: 0.72, transportDelayS: 30, recirculationDelayS: 45, recirculationFraction: 0.4, timeConstantS: 40 }, 100, 0.5);
  const steps = 2_000_000;
  const t = performance.now();
  for (let i = 0; i < steps; i++) patient.step(10);
  const modelWallS = (performance.now() - t) / 1000;
  const perCore = speed.simulatedS / (speed.wallMs / 1000);
  return {
    heldOutDefaultScenario: { adaptive: outcome(adaptive), pid: outcome(pid) },
    heldOutNorepinephrineHypotension: { pid: outcome(vasopressor), maxMapMmHg: Number(Math.max(...vasopressor.runs.flatMap((r) => r.samples.map((x) => x.mapMmHg))).toFixed(1)) },
    heldOutStressScenario: { adaptive: { ...outcome(stress), sensitivityDriftAlarms: stress.runs.reduce((a, r) => a + r.alarms.filter((x) => x.alarm.id === 'sensitivity-drift').length, 0) } },
    speed: {
      fullStackSimulatedSPerWallSPerCore: Math.round(perCore),
      goal: 10_000,
      patientModelAloneSimulatedSPerWallS: Math.round((steps * 0.5) / modelWallS),
      note: 'full stack: patient, arterial-line synthesiser, both firmware bundles in board emulators, links, host loop, record to disk; one thread, 6 patients x 30 min',
    },
  };
}
