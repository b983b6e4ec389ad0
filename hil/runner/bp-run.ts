// One virtual patient through one scenario at a level (MIL, SIL, PIL): the level's rig makes the plant (the
// patient steered by the scenario, the devices as ideal models or as firmware in emulators), the host side
// is the same composition root `homeostat run bp` uses on real boards (host/app/bp-app.ts), and the loop's
// record goes to a file as it happens. Ground truth (the patient's own mean pressure, what reached it) comes
// through the rig's probe for metrics only and never reaches the loop.
import { join } from 'node:path';
import type { ControllerFile } from '../../host/control/bp/controller-file.ts';
import { BP_TIMING, bpHeader, connectBp, startBp } from '../../host/app/bp-app.ts';
import type { BpFiles, ConnectedBp } from '../../host/app/bp-app.ts';
import type { Confirmer } from '../../host/loop/loop-shell.ts';
import type { BpDevices, LoopDecision } from '../../host/therapies/bp/bp-loop.ts';
import { FileRecorder } from '../../host/record/file-recorder.ts';
import { runVersions } from '../../host/record/versions.ts';
import type { AdvisoryConfig } from '../../host/safety/advisory-gate.ts';
import type { DriftConfig } from '../../host/safety/drift-monitor.ts';
import type { Alarm } from '../../host/safety/alarm.ts';
import type { SupervisorConfig } from '../../host/safety/infusion-supervisor.ts';
import { ceilingMlPerH, parseSupervisorConfig } from '../../host/safety/infusion-supervisor.ts';
import { boardById, builtProgram } from '../emulator/emulated-node.ts';
import type { CohortFile, VirtualPatient } from '../sim/cohorts/cohort.ts';
import { bpPlant } from '../sim/engine/bp-plant.ts';
import type { ScenarioPlant } from '../sim/engine/scenario-plant.ts';
import { scenarioPlantOptions } from '../sim/engine/scenario-plant.ts';
import type { Scenario } from '../sim/scenarios/scenario.ts';
import { milBpSession } from '../rigs/mil-bp.ts';
import { pilSession } from '../rigs/pil-rig.ts';
import type { Level, RigSession } from '../rigs/rig.ts';
import { silSession } from '../rigs/sil-rig.ts';

/** How each level makes a session of the blood-pressure plant; HIL runs on real boards (a rig file). */
export const BP_RIGS: Record<Exclude<Level, 'hil'>, (plan: ScenarioPlant, speed: number) => Promise<RigSession<BpDevices>>> = {
  mil: async (plan) => milBpSession(scenarioPlantOptions(plan)),
  sil: async (plan) => silSession((await bpPlant(scenarioPlantOptions(plan))).plant, ['bp-sensor', 'infusion-pump'], plan.seed),
  pil: (plan, speed) => pilSession({ therapy: 'bp', plan, roles: ['bp-sensor', 'infusion-pump'], board: plan.board, seed: plan.seed, speed }),
};

export interface BpRunSetup {
  scenario: Scenario;
  controller: ControllerFile;
  /** Everything but the weight, which is the patient's. */
  supervisor: Omit<SupervisorConfig, 'weightKg'>;
  advisory: AdvisoryConfig | null;
  drift: DriftConfig | null;
  seed: number;
  board: string;
  /** Where each patient's record is written; null: no record (tuning sweeps over thousands of patients). */
  recordDir: string | null;
  /** The cohort's patient model. */
  model?: CohortFile['model'];
  level?: Exclude<Level, 'hil'>;
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

/** A run without a record. */
const NO_RECORD = { record: () => undefined, close: () => undefined };

export async function runPatient(setup: BpRunSetup, patient: VirtualPatient, onProgress?: (share: number) => void): Promise<PatientRun> {
  const started = performance.now();
  const s = setup.scenario;
  const supervisor = parseSupervisorConfig({ ...setup.supervisor, weightKg: Number(patient.weightKg.toFixed(1)) });
  const seed = setup.seed * 1000 + Number(patient.id.replace(/\D/g, '') || 0);
  const level = setup.level ?? 'sil';
  const plan: ScenarioPlant = {
    scenario: s, patient, model: setup.model ?? 'slate-vasodilator', concentrationUgPerMl: supervisor.concentrationUgPerMl,
    seed, board: setup.board, patientStepS: PATIENT_STEP_S,
  };
  const files: BpFiles = { controller: { ...setup.controller, targetMmHg: s.targetMmHg }, supervisor, advisory: setup.advisory, drift: setup.drift };
  const board = boardById(setup.board);
  const recordPath = setup.recordDir === null ? '' : join(setup.recordDir, `${patient.id}.record.jsonl`);
  // The record comes first: a run that cannot keep its record never starts the plant (and leaves nothing running).
  const recorder = setup.recordDir === null ? NO_RECORD : new FileRecorder(recordPath, {
    ...bpHeader(files),
    versions: runVersions(level === 'mil' ? {} : {
      [`bp-sensor.${board.id}`]: await builtProgram('bp-sensor', board),
      [`infusion-pump.${board.id}`]: await builtProgram('infusion-pump', board),
    }),
    level, speed: level === 'pil' ? (setup.speed ?? 1) : undefined, patient, scenario: s, seed,
  });
  let rig: RigSession<BpDevices> | null = null;
  let connected: ConnectedBp | null = null;
  try {
    rig = await BP_RIGS[level](plan, setup.speed ?? 1);
    connected = rig.ideal ? null : await connectBp(rig.clock, rig.nodes, rig.wait);
  } catch (e) {
    rig?.close();
    recorder.close({ ok: false, error: (e as Error).message });
    throw e;
  }
  const session = rig;
  const devices = connected ?? session.ideal!;
  const loop = startBp({ clock: session.clock, devices, files, recorder: setup.recordDir === null ? undefined : recorder, confirmer: setup.confirmer });
  for (const a of s.operator) session.clock.after(a.atMin * 60_000, () => loop.operatorAction(a.kind === 'manual' ? { kind: 'manual', rateMlPerH: a.rateMlPerH } : { kind: 'auto' }));
  const samples: TruthSample[] = [];
  const durationS = s.durationMin * 60;
  const periodMs = BP_TIMING.periodMs;
  let error: string | null = null;
  let deliveredBefore = session.probe().deliveredMl ?? 0;
  try {
    for (let tS = 0; tS < durationS; tS += periodMs / 1000) {
      await session.run(periodMs);
      // A person answering an advisory request: virtual time waits for them.
      if (loop.pendingRequest && setup.confirmer?.settle) await setup.confirmer.settle();
      const last = loop.decisions.at(-1);
      const truth = session.probe();
      samples.push({
        tS: tS + periodMs / 1000, mapMmHg: truth.mapMmHg, observedMmHg: last?.observedMmHg ?? null,
        rateMlPerH: last?.commandedMlPerH ?? 0, deliveredMlPerH: ((truth.deliveredMl - deliveredBefore) * 3_600_000) / periodMs,
        confidence: last?.confidence ?? 0, mode: last?.mode ?? 'auto', atCap: last?.atCap ?? null,
      });
      deliveredBefore = truth.deliveredMl;
      if (samples.length % 60 === 0) {
        (connected?.links ?? []).forEach((l, i) => recorder.record('counters', session.clock.now(), { link: ['bp-sensor', 'infusion-pump'][i], counters: l.session.counters() }));
        onProgress?.(tS / durationS);
      }
    }
  } catch (e) {
    error = (e as Error).message;
  } finally {
    loop.stop();
    connected?.close();
    session.close();
    recorder.close(error ? { ok: false, error } : { ok: true });
  }
  onProgress?.(1);
  return {
    patient, drugEffect: supervisor.drugEffect, targetMmHg: s.targetMmHg, durationS, samples, decisions: loop.decisions, alarms: loop.alarmLog,
    deliveredMl: session.probe().deliveredMl, concentrationUgPerMl: supervisor.concentrationUgPerMl,
    ceilingMlPerH: ceilingMlPerH(supervisor), floorMmHg: supervisor.floorMmHg, highMmHg: supervisor.highMmHg,
    recordPath, wallMs: performance.now() - started, error,
  };
}
