// One virtual patient through one scenario at a level (MIL, SIL, PIL, HIL): the level's rig makes the plant (the
// patient steered by the scenario, the devices as ideal models or as firmware in emulators), the host side
// is the same composition root `homeostat run bp` uses on real boards (host/app/bp-app.ts), and the loop's
// record goes to a file as it happens. Ground truth (the patient's own mean pressure, what reached it) comes
// through the rig's probe for metrics only and never reaches the loop.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ControllerFile } from '../../host/control/bp/controller-file.ts';
import { BP_TIMING, bpHeader, connectBp, resumeBp, startBp } from '../../host/app/bp-app.ts';
import { readRecord } from '../../host/record/record-file.ts';
import type { ResumePoint } from '../../host/record/resume-point.ts';
import { warnUnauthenticated } from '../../host/app/connect-devices.ts';
import type { BpFiles, ConnectedBp } from '../../host/app/bp-app.ts';
import type { Confirmer } from '../../host/loop/loop-shell.ts';
import type { DashboardLoopSpec } from '../../host/dashboard/dashboard-server.ts';
import type { BpDevices, BpLoop, LoopDecision } from '../../host/therapies/bp/bp-loop.ts';
import type { Clock } from '../../protocols/clock/clock.ts';
import { FileRecorder } from '../../host/record/file-recorder.ts';
import { runVersions } from '../../host/record/versions.ts';
import type { AdvisoryConfig } from '../../host/safety/advisory-gate.ts';
import type { DriftConfig } from '../../host/safety/drift-monitor.ts';
import type { Alarm } from '../../host/safety/alarm.ts';
import type { SupervisorConfig } from '../../host/safety/infusion-supervisor.ts';
import { ceilingMlPerH, withWeight } from '../../host/safety/infusion-supervisor.ts';
import { boardById, builtProgram } from '../emulator/emulated-node.ts';
import type { CohortFile, VirtualPatient } from '../sim/cohorts/cohort.ts';
import type { Fault } from '../faults/fault-schedule.ts';
import { bpPlant } from '../sim/engine/bp-plant.ts';
import type { ScenarioPlant } from '../sim/engine/scenario-plant.ts';
import { scenarioPlantOptions } from '../sim/engine/scenario-plant.ts';
import type { Scenario } from '../sim/scenarios/scenario.ts';
import { scenarioSchema } from '../sim/scenarios/scenario.ts';
import { milBpSession } from '../rigs/mil-bp.ts';
import { pilSession } from '../rigs/pil-rig.ts';
import type { Level, RigSession } from '../rigs/rig.ts';
import { silSession } from '../rigs/sil-rig.ts';
import type { HilBenchSpec } from '../rigs/hil-bench-time.ts';
import { openHilBench } from '../rigs/hil-bench-time.ts';
import { hilBpSession } from '../rigs/hil-bp.ts';
import { loadRig } from '../rigs/rig-file.ts';
import type { HilSession } from '../rigs/hil-bp.ts';
import { pumpLimits } from '../rigs/plant-faults.ts';
import type { SafetyTrace } from './fault-session.ts';
import { faultSession, notingPump } from './fault-session.ts';

/** The loop's devices, in the order connectBp opens their links. */
const BP_NODES = ['bp-sensor', 'infusion-pump'] as const;

/** What a level's rig may need besides the plan: PIL's speed, HIL's bench and the faults it is asked to inject. */
export interface BpRigOptions {
  speed: number;
  bench?: HilBenchSpec;
  faults?: Fault[];
}

/** How each level makes a session of the blood-pressure plant; HIL runs on a bench (a rig file: real boards, or the fake bench). */
export const BP_RIGS: Record<Level, (plan: ScenarioPlant, o: BpRigOptions) => Promise<RigSession<BpDevices> & Partial<Pick<HilSession, 'notInjectable' | 'steps' | 'drive'>>>> = {
  mil: async (plan) => milBpSession(scenarioPlantOptions(plan)),
  sil: async (plan) => silSession((await bpPlant(scenarioPlantOptions(plan))).plant, [...BP_NODES], plan.seed),
  pil: (plan, o) => pilSession({ therapy: 'bp', plan, roles: [...BP_NODES], board: plan.board, seed: plan.seed, speed: o.speed }),
  hil: async (plan, o) => {
    if (!o.bench) throw new Error('the HIL level runs on a bench: give its rig file (hil run --level hil --rig <file.rig.yaml>)');
    return hilBpSession(plan, await openHilBench(o.bench), o.faults);
  },
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
  level?: Level;
  /** HIL: the bench the run uses (its rig file, real or fake). */
  bench?: HilBenchSpec;
  /** PIL only: how many times faster than real time the rig and the host run. */
  speed?: number;
  /** MIL and SIL: hold each decision period to this many times real time, for a person watching a dashboard (default: as fast as the machine goes). */
  pace?: number;
  confirmer?: Confirmer;
  /** Told of the patient's loop once it runs (a dashboard); what it returns is called with how the run ended. */
  onLoop?: (loop: DashboardLoopSpec) => ((ended: string) => void) | void;
  /** Aborting stops the run at its next period: the pump to its safe state, the record closed (Ctrl-C). */
  signal?: AbortSignal;
  /**
   * SIL and PIL: faults of the fault library scheduled on the run's clock (sensor faults go in the scenario's
   * artifacts); HIL lists them as not injectable on its bench. Given (even empty), the run goes through faulty links and a host that can be killed, and
   * keeps the safety trace its invariants are judged on.
   */
  faults?: Fault[];
  /** Changes of the target during the run (a HIL scenario's schedule), each given to the loop as a person's new target. */
  targets?: { atMin: number; mapMmHg: number }[];
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
  /** The target's segments: from when (s into the run) which target held; the first from 0 at targetMmHg. */
  targets: { fromS: number; mapMmHg: number }[];
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
  /** With faults: what the pump accepted and did, the faults' events and the run's log. */
  safety?: SafetyTrace;
  /** Each host started again after a kill: when its loop resumed and from what point (host/record/resume-point.ts). */
  resumes: { tMs: number; host: number; point: ResumePoint; truthDeliveredMl: number }[];
  /** The supervisor's largest increase per decision. */
  rateChangeLimitMlPerH: number;
}

/** A period's truth made by a constructor, not an object literal, as the loop's decisions are (see DecisionRow in bp-decision.ts). */
class TruthRow implements TruthSample {
  constructor(
    public tS: number, public mapMmHg: number, public observedMmHg: number | null, public rateMlPerH: number, public deliveredMlPerH: number,
    public confidence: number, public mode: string, public atCap: string | null,
  ) {}
}

const PATIENT_STEP_S = 0.5;

/** The plant's part of a scenario (a HIL scenario file adds the test's own fields, which a PIL plant process would refuse). */
const plantScenario = (s: Scenario): Scenario => Object.fromEntries(Object.keys(scenarioSchema.shape).filter((k) => k in s).map((k) => [k, s[k as keyof Scenario]])) as Scenario;

/** A run without a record. */
const NO_RECORD = { record: () => undefined, close: () => undefined };

export async function runPatient(setup: BpRunSetup, patient: VirtualPatient, onProgress?: (share: number) => void): Promise<PatientRun> {
  const started = performance.now();
  const s = setup.scenario;
  const supervisor = withWeight(setup.supervisor, Number(patient.weightKg.toFixed(1)));
  const seed = setup.seed * 1000 + Number(patient.id.replace(/\D/g, '') || 0);
  const level = setup.level ?? 'sil';
  const plan: ScenarioPlant = {
    scenario: plantScenario(s), patient, model: setup.model ?? 'slate-vasodilator', concentrationUgPerMl: supervisor.concentrationUgPerMl,
    seed, board: setup.board, patientStepS: PATIENT_STEP_S,
  };
  const files: BpFiles = { controller: { ...setup.controller, targetMmHg: s.targetMmHg }, supervisor, advisory: setup.advisory, drift: setup.drift };
  // At HIL the boards are the rig's.
  const rigNodes = level === 'hil' && setup.bench ? loadRig(setup.bench.rigFile).nodes : null;
  const boardOf = (node: 'bp-sensor' | 'infusion-pump') => boardById(rigNodes?.[node]?.board ?? setup.board);
  // A host killed and started again resumes from the dead one's record: such a run keeps one even when
  // asked for none (in a scratch folder, removed at the end).
  const restarts = setup.faults?.some((f) => f.kind === 'host-kill' && f.durationS !== undefined) ?? false;
  const scratchDir = setup.recordDir === null && restarts ? mkdtempSync(join(tmpdir(), 'homeostat-record-')) : null;
  const recordDir = setup.recordDir ?? scratchDir;
  const recordPath = recordDir === null ? '' : join(recordDir, `${patient.id}.record.jsonl`);
  // The record comes first: a run that cannot keep its record never starts the plant (and leaves nothing running).
  const recorder = recordDir === null ? NO_RECORD : new FileRecorder(recordPath, {
    ...bpHeader(files),
    versions: runVersions(level === 'mil' ? {} : Object.fromEntries(await Promise.all(BP_NODES.map(async (node) => {
      const b = boardOf(node);
      return [`${node}.${b.id}`, await builtProgram(node, b)];
    })))),
    ...(setup.bench ? { bench: { rig: setup.bench.rigFile, kind: setup.bench.kind } } : {}),
    level, speed: level === 'pil' ? (setup.speed ?? 1) : undefined, patient, scenario: s, seed, startedAt: new Date().toISOString(),
  });
  let rig: Awaited<ReturnType<(typeof BP_RIGS)[Level]>> | null = null;
  let connected: ConnectedBp | null = null;
  /** What the loop drives, when not the connected devices themselves (HIL notes each pump command). */
  let devices: BpDevices | null = null;
  // Every loop the run's host started (more than one when the host is killed and restarted), the current last.
  let loops: BpLoop[] = [];
  let safety: SafetyTrace | undefined;
  let closeFaulty = () => undefined as void;
  const resumes: PatientRun['resumes'] = [];
  const startOptions = (clock: Clock, devices: BpDevices) => ({ clock, devices, files, recorder: recordDir === null ? undefined : recorder, confirmer: setup.confirmer, name: patient.id });
  const start = async (clock: Clock, devices: BpDevices, host: number): Promise<BpLoop> => {
    if (host === 1 || recordDir === null) return startBp(startOptions(clock, devices));
    // A host started again finds the pump and reads what the dead one recorded.
    const r = await resumeBp({ ...startOptions(clock, devices), record: readRecord(recordPath) });
    // Ground truth for the criteria only: what had reached the patient when the loop resumed.
    resumes.push({ tMs: clock.now(), host, point: r.point, truthDeliveredMl: rig?.probe().deliveredMl ?? 0 });
    // A target the schedule changed while the host was dead reached nobody (a dead process takes nothing):
    // the person enters it again on the new host, so the loop is judged against the target it was given.
    const due = (setup.targets ?? []).filter((t) => t.atMin * 60_000 <= clock.now()).at(-1);
    if (due && due.mapMmHg !== (r.point.targetMmHg ?? s.targetMmHg)) r.loop.operatorAction({ kind: 'target', mapMmHg: due.mapMmHg });
    return r.loop;
  };
  try {
    if (setup.faults && level !== 'hil') {
      if (level === 'mil') throw new Error('faults need firmware and links to act on: run them at SIL or PIL, not MIL');
      const f = await faultSession(level, plan, setup.faults, start, setup.speed ?? 1, files.supervisor);
      rig = f.session as RigSession<BpDevices>;
      loops = f.loops;
      safety = f.trace;
      closeFaulty = () => f.close();
      await f.start();
    } else {
      rig = await BP_RIGS[level](plan, { speed: setup.speed ?? 1, bench: setup.bench, faults: setup.faults });
      connected = rig.ideal ? null : await connectBp(rig.clock, rig.nodes, rig.wait, files.supervisor);
      // At HIL the pump's drive is counted outside it (the patient emulator): the safety invariants are judged as at SIL and PIL.
      if (connected && rig.drive) {
        const r = rig;
        const trace: SafetyTrace = {
          sent: [], accepted: [], drive: rig.drive, faults: [], notInjectable: r.notInjectable ?? [], hostStarts: 1, ...pumpLimits(boardOf('infusion-pump').id),
          log: (r.steps ?? []).map((x) => `${(x.tMs / 1000).toFixed(1)} s: bench: ${x.node} ${x.step}: ${x.detail}`),
        };
        safety = trace;
        devices = { sensor: connected.sensor, pump: notingPump(connected.pump, () => r.clock.now(), trace) };
      }
    }
  } catch (e) {
    closeFaulty();
    rig?.close();
    recorder.close({ ok: false, error: (e as Error).message });
    throw e;
  }
  const session = rig;
  if (connected) warnUnauthenticated(connected, session.clock, recorder, (line) => process.stderr.write(`${line}\n`));
  if (!setup.faults || level === 'hil') loops.push(startBp(startOptions(session.clock, devices ?? connected ?? session.ideal!)));
  const current = () => loops.at(-1)!;
  // A person's Stop (a dashboard) or Ctrl-C (the signal) ends the run at its next period, safely.
  let stopWhy: string | null = null;
  let stoppedWith: (result: string) => void = () => undefined;
  const stopped = new Promise<string>((r) => (stoppedWith = r));
  const onAbort = () => void (stopWhy ??= String(setup.signal?.reason ?? 'stopped'));
  setup.signal?.addEventListener('abort', onAbort);
  if (setup.signal?.aborted) onAbort();
  const ended = setup.onLoop?.({
    name: patient.id, level, loop: current(), files, truth: () => session.probe(),
    counters: () => Object.fromEntries((connected?.links ?? []).map((l, i) => [BP_NODES[i], { ...l.session.counters }])),
    linkStates: () => Object.fromEntries((connected?.links ?? []).map((l, i) => [BP_NODES[i], l.state])),
    stop: (why) => {
      stopWhy ??= why;
      return stopped;
    },
  });
  // A scheduled target goes to whichever host runs then (a dead one takes nothing, as a dead process would not).
  for (const t of setup.targets ?? []) session.clock.after(t.atMin * 60_000, () => current().operatorAction({ kind: 'target', mapMmHg: t.mapMmHg }));
  for (const a of s.operator) session.clock.after(a.atMin * 60_000, () => current().operatorAction(a.kind === 'manual' ? { kind: 'manual', rateMlPerH: a.rateMlPerH } : { kind: 'auto' }));
  const samples: TruthSample[] = [];
  const durationS = s.durationMin * 60;
  const periodMs = BP_TIMING.periodMs;
  let error: string | null = null;
  let deliveredBefore = session.probe().deliveredMl ?? 0;
  try {
    for (let tS = 0; tS < durationS && stopWhy === null; tS += periodMs / 1000) {
      await session.run(periodMs);
      if (level !== 'pil' && setup.pace) await new Promise((r) => setTimeout(r, periodMs / setup.pace!));
      // A person answering an advisory request: virtual time waits for them.
      if (current().pendingRequest && setup.confirmer?.settle) await setup.confirmer.settle();
      // A decision of this period (none while the host is dead or hung).
      const last = current().decisions.at(-1);
      const fresh = last !== undefined && last.tMs >= session.clock.now() - periodMs;
      const truth = session.probe();
      samples.push(new TruthRow(
        tS + periodMs / 1000, truth.mapMmHg, fresh ? last.observedMmHg : null, last?.commandedMlPerH ?? 0, ((truth.deliveredMl - deliveredBefore) * 3_600_000) / periodMs,
        last?.confidence ?? 0, last?.mode ?? 'auto', last?.atCap ?? null,
      ));
      deliveredBefore = truth.deliveredMl;
      if (samples.length % 60 === 0) {
        (connected?.links ?? []).forEach((l, i) => recorder.record('counters', session.clock.now(), { link: BP_NODES[i], counters: l.session.counters }));
        onProgress?.(tS / durationS);
      }
    }
    if (stopWhy !== null) {
      const result = await stopSafely(current(), session);
      stoppedWith(result);
      recorder.record('stop', session.clock.now(), { why: stopWhy, result });
      error = `stopped early (${stopWhy}): ${result}`;
    }
  } catch (e) {
    error = (e as Error).message;
  } finally {
    setup.signal?.removeEventListener('abort', onAbort);
    stoppedWith('the run had already ended');
    if (ended) ended(error ?? 'the scenario ended');
    for (const l of loops) l.stop();
    connected?.close();
    closeFaulty();
    session.close();
    // A stop a person or a signal asked for is a proper end; the run is still reported as cut short.
    recorder.close(error && stopWhy === null ? { ok: false, error } : { ok: true });
    if (scratchDir) rmSync(scratchDir, { recursive: true, force: true });
  }
  onProgress?.(1);
  return {
    patient, drugEffect: supervisor.drugEffect, targetMmHg: s.targetMmHg,
    targets: [{ fromS: 0, mapMmHg: s.targetMmHg }, ...(setup.targets ?? []).map((t) => ({ fromS: t.atMin * 60, mapMmHg: t.mapMmHg }))], durationS, samples, decisions: loops.flatMap((l) => l.decisions), alarms: loops.flatMap((l) => l.alarmLog),
    deliveredMl: session.probe().deliveredMl, concentrationUgPerMl: supervisor.concentrationUgPerMl,
    ceilingMlPerH: ceilingMlPerH(supervisor), floorMmHg: supervisor.floorMmHg, highMmHg: supervisor.highMmHg,
    recordPath: scratchDir ? '' : recordPath, wallMs: performance.now() - started, error, safety, resumes, rateChangeLimitMlPerH: supervisor.maxRateChangeMlPerH,
  };
}

/** The loop stopped and the pump brought to its safe state, the session's time passing meanwhile (a virtual clock needs driving). */
async function stopSafely(loop: ReturnType<typeof startBp>, session: RigSession<BpDevices>): Promise<string> {
  let result: string | null = null;
  void loop.safeStop().then((r) => (result = r), (e: Error) => (result = `the pump did not acknowledge the stop (${e.message}): it stops by itself when its lease lapses`));
  for (let i = 0; i < 100 && result === null; i++) await session.run(100);
  return result ?? 'no answer from the pump within 10 s: it stops by itself when its lease lapses';
}
