// Blood-pressure loop figures for `npm run bench` (issue goals in brackets): on the held-out split of the
// default cohort with noise and a disturbance, each controller's time within +-5 mmHg after settling
// [adaptive >= 95%], overshoot [<= 5 mmHg], settling [<= 5 min] and time below 65 mmHg [none], for the
// cohort and per subgroup, and the same on the tuning split; the corners of the published ranges (the
// corners cohort: most sensitive with the longest delays, least sensitive with the longest lag...) through
// the default, sensitivity-rise, sensitivity-fall and stress scenarios, per patient; the stress scenario
// (sensitivity doubling, drift, bleeding, every line artifact) for the adaptive one on the held-out split;
// the adaptive controller's cost per decision on the held-out records [<= 50 us]; and full-stack speed
// per core, firmware bundles in the emulator included [>= 10,000 simulated s per wall s], beside the
// patient model alone. Also norepinephrine for hypotension (held-out split, vasopressor PID).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shippedControllerPath } from '../../host/control/bp/controller-file.ts';
import type { CohortRunResult } from '../runner/bp-cohort-run.ts';
import { runCohort } from '../runner/bp-cohort-run.ts';
import { decisionCost } from './decision-cost.ts';
import { SlatePatient } from '../sim/patients/slate-patient.ts';

const repo = (p: string) => new URL(`../../${p}`, import.meta.url).pathname;

async function cohort(controller: 'pid' | 'adaptive', scenario: string, split: 'held-out' | 'tuning' | 'all', patients?: number, workers = 1, cohortName = 'default'): Promise<CohortRunResult> {
  return runCohort({
    cohortPath: repo(`hil/sim/cohorts/${cohortName}.cohort.json`), scenarioPath: repo(`hil/sim/scenarios/${scenario}.scenario.json`),
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
    meanTimeBelowFloorPct: Number(c.meanTimeBelowFloorPct.toFixed(3)),
    medianMdapePct: Number(c.medianMdapePct?.toFixed(2)),
    calledOutSubgroups: r.summary.subgroups.filter((g) => g.callout).map((g) => `${g.name}: ${g.callout}`),
    subgroups: Object.fromEntries(r.summary.subgroups.map((g) => [g.name, {
      patients: g.patients,
      meanTimeInBand5AfterSettlingPct: Number(g.meanTimeInBand5AfterSettlingPct?.toFixed(1)),
      medianSettlingMin: g.medianSettlingTimeS === null ? null : Number((g.medianSettlingTimeS / 60).toFixed(2)),
      maxOvershootMmHg: Number(g.maxOvershootMmHg.toFixed(1)),
      meanTimeBelowFloorPct: Number(g.meanTimeBelowFloorPct.toFixed(3)),
    }])),
  };
}

/** Each corner patient on its own: the corners are few and each is its own question. */
function perPatient(r: CohortRunResult) {
  return Object.fromEntries(r.metrics.map((m, i) => [m.id, {
    settlingMin: m.settlingTimeS === null ? null : Number((m.settlingTimeS / 60).toFixed(2)),
    timeInBand5AfterSettlingPct: m.timeInBand5AfterSettlingPct === null ? null : Number(m.timeInBand5AfterSettlingPct.toFixed(1)),
    overshootMmHg: Number(m.overshootMmHg.toFixed(1)),
    minMapMmHg: Number(m.minMapMmHg.toFixed(1)),
    timeBelowFloorPct: Number(m.timeBelowFloorPct.toFixed(2)),
    lastFiveMinMeanMmHg: Number((r.runs[i].samples.slice(-60).reduce((a, x) => a + x.mapMmHg, 0) / Math.min(60, r.runs[i].samples.length)).toFixed(1)),
    alarms: r.runs[i].alarms.map((a) => a.alarm.id),
  }]));
}

const CORNER_SCENARIOS = ['default', 'sensitivity-rise', 'sensitivity-fall', 'stress'];

async function corners(controller: 'pid' | 'adaptive') {
  const out: Record<string, ReturnType<typeof perPatient>> = {};
  for (const scenario of CORNER_SCENARIOS) out[scenario] = perPatient(await cohort(controller, scenario, 'all', undefined, 2, 'corners'));
  return out;
}

export async function bpLoopBench() {
  const adaptive = await cohort('adaptive', 'default', 'held-out');
  const pid = await cohort('pid', 'default', 'held-out');
  // The adaptive controller's cost per decision, on four of the records just made.
  const cost = decisionCost(adaptive.runs.slice(0, 4).map((r) => r.recordPath));
  const tuningAdaptive = await cohort('adaptive', 'default', 'tuning', undefined, 2);
  const tuningPid = await cohort('pid', 'default', 'tuning', undefined, 2);
  const cornersAdaptive = await corners('adaptive');
  const cornersPid = await corners('pid');
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
    tuningDefaultScenario: { adaptive: outcome(tuningAdaptive), pid: outcome(tuningPid) },
    corners: { adaptive: cornersAdaptive, pid: cornersPid },
    adaptiveDecisionCost: { ...cost, goalUs: 50, note: 'per decision, the controller alone, on held-out records replayed (each chunk of 40 decisions at the fastest of 7 runs); identicalToRecords: every proposal as recorded' },
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
