// One virtual patient through one scenario: the patient model steered by the scenario, the bp-sensor and
// pump firmware in their emulators, and the host loop with its controller, supervisor and gates. At SIL all
// of it shares one virtual clock; at PIL the plant is its own process behind pseudo-terminals (hil/pil).
// The loop's record goes to a file as it happens; ground truth (the patient's own mean pressure) is
// sampled for metrics only and never reaches the loop.
import { join } from 'node:path';
import type { ControllerFile } from '../../host/control/bp/controller-file.ts';
import { controllerFrom } from '../../host/control/bp/controller-file.ts';
import type { Confirmer } from '../../host/loop/loop-shell.ts';
import type { LoopDecision } from '../../host/therapies/bp/bp-loop.ts';
import { bpLoop } from '../../host/therapies/bp/bp-loop.ts';
import { FileRecorder } from '../../host/record/file-recorder.ts';
import type { LoopHeader } from '../../host/record/replay.ts';
import { runVersions } from '../../host/record/versions.ts';
import type { AdvisoryConfig } from '../../host/safety/advisory-gate.ts';
import type { DriftConfig } from '../../host/safety/drift-monitor.ts';
import type { Alarm } from '../../host/safety/alarm.ts';
import type { SupervisorConfig } from '../../host/safety/infusion-supervisor.ts';
import { ceilingMlPerH, parseSupervisorConfig } from '../../host/safety/infusion-supervisor.ts';
import { boardById, builtProgram } from '../emulator/emulated-node.ts';
import type { CohortFile, VirtualPatient } from '../sim/cohorts/cohort.ts';
import { scenarioPlantOptions } from '../sim/engine/scenario-plant.ts';
import type { SilBench } from '../sim/engine/sil-bench.ts';
import { silBench } from '../sim/engine/sil-bench.ts';
import { pilBpEnvironment } from '../pil/pil-bp-environment.ts';
import type { LoopEnvironment } from './loop-environment.ts';
import type { Scenario } from '../sim/scenarios/scenario.ts';

export interface BpRunSetup {
  scenario: Scenario;
  controller: ControllerFile;
  /** Everything but the weight, which is the patient's. */
  supervisor: Omit<SupervisorConfig, 'weightKg'>;
  advisory: AdvisoryConfig | null;
  drift: DriftConfig | null;
  seed: number;
  board: string;
  /** Where each patient's record is written. */
  recordDir: string;
  /** The cohort's patient model. */
  model?: CohortFile['model'];
  level?: 'sil' | 'pil';
  /** PIL only: how many times faster than real time the rig and the host run. */
  speed?: number;
  confirmer?: Confirmer;
}

export interface TruthSample {
  tS: number;
  mapMmHg: number;
  observedMmHg: number | null;
  /** The rate the host commanded at the period's decision. */
  rateMlPerH: number;
  /** The rate that reached the patient over the period (ground truth from the mechanism). */
  deliveredMlPerH: number;
  confidence: number;
  mode: string;
  /** The cap the commanded rate sat at, if any. */
  atCap: string | null;
}

export interface PatientRun {
  patient: VirtualPatient;
  /** The drug lowers the pressure (brought down onto the target) or raises it (brought up). */
  drugEffect: 'lowers' | 'raises';
  targetMmHg: number;
  durationS: number;
  /** Every decision period: truth, what the loop saw and did. */
  samples: TruthSample[];
  decisions: LoopDecision[];
  alarms: { tMs: number; alarm: Alarm }[];
  /** Volume that reached the patient (ground truth). */
  deliveredMl: number;
  concentrationUgPerMl: number;
  ceilingMlPerH: number;
  /** The supervisor's pressure limits: a vasodilator's floor, a vasopressor's high limit. */
  floorMmHg: number;
  highMmHg: number;
  recordPath: string;
  wallMs: number;
  error: string | null;
}

const PATIENT_STEP_S = 0.5;
const PERIOD_MS = 5000;
const LEASE_MS = 15_000;

export async function runPatient(setup: BpRunSetup, patient: VirtualPatient, onProgress?: (share: number) => void): Promise<PatientRun> {
  const started = performance.now();
  const s = setup.scenario;
  const supervisor = parseSupervisorConfig({ ...setup.supervisor, weightKg: Number(patient.weightKg.toFixed(1)) });
  const seed = setup.seed * 1000 + Number(patient.id.replace(/\D/g, '') || 0);
  const level = setup.level ?? 'sil';
  const plant = {
    scenario: s, patient, model: setup.model ?? 'slate-vasodilator', concentrationUgPerMl: supervisor.concentrationUgPerMl,
    seed, board: setup.board, patientStepS: PATIENT_STEP_S,
  } as const;
  const board = boardById(setup.board);
  const header: LoopHeader = {
    controller: { ...setup.controller, targetMmHg: s.targetMmHg }, supervisor, advisory: setup.advisory, drift: setup.drift, initialRateMlPerH: 0,
    leaseMs: LEASE_MS,
  };
  const recordPath = join(setup.recordDir, `${patient.id}.record.jsonl`);
  // The record comes first: a run that cannot keep its record never starts the plant (and leaves nothing running).
  const recorder = new FileRecorder(recordPath, {
    ...header,
    versions: runVersions({
      [`bp-sensor.${board.id}`]: await builtProgram('bp-sensor', board),
      [`infusion-pump.${board.id}`]: await builtProgram('infusion-pump', board),
    }),
    level, speed: level === 'pil' ? (setup.speed ?? 1) : undefined, patient, scenario: s, seed,
  });
  let env: LoopEnvironment;
  try {
    env = level === 'pil'
      ? await pilBpEnvironment({ ...plant, speed: setup.speed ?? 1 })
      : silEnvironment(await silBench(scenarioPlantOptions(plant)));
  } catch (e) {
    recorder.close({ ok: false, error: (e as Error).message });
    throw e;
  }
  const loop = bpLoop({
    clock: env.clock, sensor: env.sensor, pump: env.pump, periodMs: PERIOD_MS, recorder, confirmer: setup.confirmer,
    setup: { controller: controllerFrom(header.controller), supervisor, advisory: setup.advisory, drift: setup.drift, leaseMs: LEASE_MS },
  });
  for (const a of s.operator) env.clock.after(a.atMin * 60_000, () => loop.operatorAction(a.kind === 'manual' ? { kind: 'manual', rateMlPerH: a.rateMlPerH } : { kind: 'auto' }));
  const samples: TruthSample[] = [];
  loop.start();
  const durationS = s.durationMin * 60;
  let error: string | null = null;
  let deliveredBefore = env.deliveredMl();
  try {
    for (let tS = 0; tS < durationS; tS += PERIOD_MS / 1000) {
      await env.run(PERIOD_MS);
      // A person answering an advisory request: virtual time waits for them.
      if (loop.pendingRequest && setup.confirmer?.settle) await setup.confirmer.settle();
      const last = loop.decisions.at(-1);
      const delivered = env.deliveredMl();
      samples.push({
        tS: tS + PERIOD_MS / 1000, mapMmHg: env.truthMapMmHg(), observedMmHg: last?.observedMmHg ?? null,
        rateMlPerH: last?.commandedMlPerH ?? 0, deliveredMlPerH: ((delivered - deliveredBefore) * 3_600_000) / PERIOD_MS,
        confidence: last?.confidence ?? 0, mode: last?.mode ?? 'auto', atCap: last?.atCap ?? null,
      });
      deliveredBefore = delivered;
      if (samples.length % 60 === 0) {
        for (const [name, l] of Object.entries(env.links)) recorder.record('counters', env.clock.now(), { link: name, counters: l.session.counters() });
        onProgress?.(tS / durationS);
      }
    }
  } catch (e) {
    error = (e as Error).message;
  } finally {
    loop.stop();
    env.close();
    recorder.close(error ? { ok: false, error } : { ok: true });
  }
  onProgress?.(1);
  return {
    patient, drugEffect: supervisor.drugEffect, targetMmHg: s.targetMmHg, durationS, samples, decisions: loop.decisions, alarms: loop.alarmLog,
    deliveredMl: env.deliveredMl(), concentrationUgPerMl: supervisor.concentrationUgPerMl,
    ceilingMlPerH: ceilingMlPerH(supervisor), floorMmHg: supervisor.floorMmHg, highMmHg: supervisor.highMmHg,
    recordPath, wallMs: performance.now() - started, error,
  };
}

function silEnvironment(bench: SilBench): LoopEnvironment {
  return {
    level: 'sil', clock: bench.clock, sensor: bench.sensor, pump: bench.pump,
    links: { 'bp-sensor': bench.sensorLink, 'infusion-pump': bench.pumpLink },
    truthMapMmHg: bench.truthMapMmHg, deliveredMl: () => bench.mechanism.deliveredMl,
    run: bench.run,
    close: () => {
      bench.sensorLink.close();
      bench.pumpLink.close();
    },
  };
}
