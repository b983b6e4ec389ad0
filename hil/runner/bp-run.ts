// One virtual patient through one scenario at the SIL level: the patient model steered by the scenario,
// the bp-sensor and pump firmware in their emulators, the host loop with its controller, supervisor and
// gates, all on one virtual clock. The loop's record goes to a file as it happens; ground truth (the
// patient's own mean pressure) is sampled for metrics only and never reaches the loop.
import { join } from 'node:path';
import type { ControllerFile } from '../../host/control/bp/controller-file.ts';
import { controllerFrom } from '../../host/control/bp/controller-file.ts';
import type { Confirmer, LoopDecision } from '../../host/loop/bp-loop.ts';
import { BpLoop } from '../../host/loop/bp-loop.ts';
import { FileRecorder } from '../../host/record/file-recorder.ts';
import type { LoopHeader } from '../../host/record/replay.ts';
import { runVersions } from '../../host/record/versions.ts';
import type { AdvisoryConfig } from '../../host/safety/advisory-gate.ts';
import type { DriftConfig } from '../../host/safety/drift-monitor.ts';
import type { Alarm, SupervisorConfig } from '../../host/safety/infusion-supervisor.ts';
import { parseSupervisorConfig } from '../../host/safety/infusion-supervisor.ts';
import { boardById, builtProgram } from '../emulator/emulated-node.ts';
import type { VirtualPatient } from '../sim/cohorts/cohort.ts';
import { ScenarioPatient } from '../sim/engine/scenario-patient.ts';
import { silBench } from '../sim/engine/sil-bench.ts';
import type { SlateParameters } from '../sim/patients/slate-patient.ts';
import { SlatePatient } from '../sim/patients/slate-patient.ts';
import type { Scenario } from '../sim/scenarios/scenario.ts';
import { lineArtifacts } from '../sim/scenarios/scenario.ts';

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
  confirmer?: Confirmer;
}

export interface TruthSample {
  tS: number;
  mapMmHg: number;
  observedMmHg: number | null;
  rateMlPerH: number;
  confidence: number;
  mode: string;
}

export interface PatientRun {
  patient: VirtualPatient;
  targetMmHg: number;
  durationS: number;
  /** Every decision period: truth, what the loop saw and did. */
  samples: TruthSample[];
  decisions: LoopDecision[];
  alarms: { tMs: number; alarm: Alarm }[];
  deliveredMl: number;
  concentrationUgPerMl: number;
  ceilingMlPerH: number;
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
  const model = new SlatePatient(patient.params as unknown as SlateParameters, patient.baselineMapMmHg, PATIENT_STEP_S);
  const scenarioPatient = new ScenarioPatient(model, s, PATIENT_STEP_S);
  const seed = setup.seed * 1000 + Number(patient.id.replace(/\D/g, '') || 0);
  const bench = await silBench({
    patient: scenarioPatient, patientStepS: PATIENT_STEP_S, heartRateBpm: s.heartRateBpm, pulsePressureMmHg: s.pulsePressureMmHg,
    noiseMmHg: s.sensorNoiseMmHg, beatNoiseMmHg: s.beatNoiseMmHg, seed, board: setup.board, artifacts: lineArtifacts(s),
  });
  const board = boardById(setup.board);
  const header: LoopHeader & object = {
    controller: { ...setup.controller, targetMmHg: s.targetMmHg }, supervisor, advisory: setup.advisory, drift: setup.drift, initialRateMlPerH: 0,
  };
  const recordPath = join(setup.recordDir, `${patient.id}.record.jsonl`);
  const recorder = new FileRecorder(recordPath, {
    ...header,
    versions: runVersions({
      [`bp-sensor.${board.id}`]: await builtProgram('bp-sensor', board),
      [`infusion-pump.${board.id}`]: await builtProgram('infusion-pump', board),
    }),
    level: 'sil', patient, scenario: s, seed,
  });
  const loop = new BpLoop({
    clock: bench.clock, sensor: bench.sensor, pump: bench.pump, periodMs: PERIOD_MS, leaseMs: LEASE_MS, recorder, confirmer: setup.confirmer,
    setup: { controller: controllerFrom(header.controller), supervisor, advisory: setup.advisory, drift: setup.drift },
  });
  for (const a of s.operator) bench.clock.after(a.atMin * 60_000, () => loop.operatorAction(a.kind === 'manual' ? { kind: 'manual', rateMlPerH: a.rateMlPerH } : { kind: 'auto' }));
  const links = { 'bp-sensor': bench.sensorLink, 'infusion-pump': bench.pumpLink };
  for (const [name, l] of Object.entries(links)) {
    l.on({ state: (state, detail) => recorder.record('link', bench.clock.now(), { link: name, state, detail, counters: l.session.counters() }) });
  }
  const samples: TruthSample[] = [];
  loop.start();
  const durationS = s.durationMin * 60;
  let error: string | null = null;
  try {
    for (let tS = 0; tS < durationS; tS += PERIOD_MS / 1000) {
      await bench.run(PERIOD_MS);
      // A person answering an advisory request: virtual time waits for them.
      if (loop.pendingRequest && setup.confirmer?.settle) await setup.confirmer.settle();
      const last = loop.decisions.at(-1);
      samples.push({
        tS: tS + PERIOD_MS / 1000, mapMmHg: bench.truthMapMmHg(), observedMmHg: last?.observedMmHg ?? null,
        rateMlPerH: last?.commandedMlPerH ?? 0, confidence: last?.confidence ?? 0, mode: last?.mode ?? 'auto',
      });
      if (samples.length % 60 === 0) {
        for (const [name, l] of Object.entries(links)) recorder.record('counters', bench.clock.now(), { link: name, counters: l.session.counters() });
        onProgress?.(tS / durationS);
      }
    }
  } catch (e) {
    error = (e as Error).message;
  } finally {
    loop.stop();
    recorder.close(error ? { ok: false, error } : { ok: true });
  }
  onProgress?.(1);
  return {
    patient, targetMmHg: s.targetMmHg, durationS, samples, decisions: loop.decisions, alarms: loop.alarmLog,
    deliveredMl: bench.mechanism.deliveredMl, concentrationUgPerMl: supervisor.concentrationUgPerMl,
    ceilingMlPerH: (supervisor.maxDoseUgPerKgPerMin * supervisor.weightKg * 60) / supervisor.concentrationUgPerMl,
    recordPath, wallMs: performance.now() - started, error,
  };
}
