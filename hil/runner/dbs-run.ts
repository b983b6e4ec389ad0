// One virtual Parkinsonian patient through one aDBS scenario at a level (MIL, SIL, PIL): the level's rig
// makes the plant (the patient steered by the scenario; the neurostimulator as its firmware's cores at MIL,
// as its built bundle in the board emulator at SIL, the same in the plant's own process behind a
// pseudo-terminal at PIL, sampling the LFP through its pins and driving its amplitude output), the host side is the composition root `homeostat run dbs` uses on a real board
// (host/app/dbs-app.ts), and the loop's record goes to a file as it happens. A patient runs three ways on the
// same seed: unstimulated (the reference, whose first seconds of device beta calibrate the policy's
// thresholds), with continuous DBS, and with the policy. Ground truth (the LFP, the delivered amplitude)
// reaches the metrics only.
import { join } from 'node:path';
import type { NeurostimBoardConfig } from '../../firmware/src/board-config.ts';
import type { DbsFiles } from '../../host/app/dbs-app.ts';
import { connectDbs, dbsHeader, startDbs } from '../../host/app/dbs-app.ts';
import { warnUnauthenticated } from '../../host/app/connect-devices.ts';
import type { PolicyFile } from '../../host/control/dbs/policy-file.ts';
import type { Confirmer } from '../../host/loop/loop-shell.ts';
import { FileRecorder } from '../../host/record/file-recorder.ts';
import { runVersions } from '../../host/record/versions.ts';
import type { Alarm } from '../../host/safety/alarm.ts';
import type { StimDevice } from '../../host/safety/stim-supervisor.ts';
import type { DbsDevices, DbsLoopDecision } from '../../host/therapies/dbs/dbs-loop.ts';
import { boardById, builtProgram } from '../emulator/emulated-node.ts';
import { percentile } from '../reports/beta-bursts.ts';
import type { CohortPatient } from '../sim/cohorts/cohort.ts';
import type { DbsPlan, DbsRecord, DbsTrace } from '../sim/engine/dbs-plant.ts';
import { dbsPlant, dbsRemoteRecord } from '../sim/engine/dbs-plant.ts';
import type { DbsScenario } from '../sim/scenarios/dbs-scenario.ts';
import { milDbsSession } from '../rigs/mil-dbs.ts';
import { pilSession } from '../rigs/pil-rig.ts';
import type { RigSession } from '../rigs/rig.ts';
import { silSession } from '../rigs/sil-rig.ts';
import { deviceLimits } from './dbs-mil-run.ts';

export type DbsLevel = 'mil' | 'sil' | 'pil';

/** How often the PIL plant sends its traces: the last of them a run may miss when it ends. */
const PIL_TRACE_EVERY_MS = 200;

/** How each level makes a session of the aDBS plant (HIL: not yet for this therapy). */
export const DBS_RIGS: Record<DbsLevel, (plan: DbsPlan, speed?: number) => Promise<RigSession<DbsDevices> & { world: DbsRecord }>> = {
  mil: async (plan) => milDbsSession(plan),
  sil: async (plan) => {
    const p = await dbsPlant(plan);
    return { ...silSession(p.plant, ['neurostimulator'], plan.seed), world: p.world };
  },
  // The bundle in the plant's own process behind a pseudo-terminal; the LFP and amplitude come back as traces.
  pil: async (plan, speed) => {
    const world = dbsRemoteRecord(plan);
    const session = await pilSession({
      therapy: 'dbs', plan, roles: ['neurostimulator'], board: plan.board, seed: plan.seed, speed: speed ?? 1, truthEveryMs: PIL_TRACE_EVERY_MS,
      onTrace: (t) => world.add(t as DbsTrace),
    });
    return { ...session, world };
  },
};

/** The stimulator's own facts from its board section, which a run's files are checked against. */
export function stimDevice(cfg: NeurostimBoardConfig): StimDevice {
  const l = cfg.limits;
  return { ...deviceLimits(cfg), hardMaxMa: l.hardMaxMa, fallbackMa: l.fallbackMa, maxLeaseMs: l.maxLeaseMs, blankMs: cfg.beta.blankMs };
}

export function neurostimConfig(boardId: string): NeurostimBoardConfig {
  const cfg = boardById(boardId).nodes.neurostimulator as NeurostimBoardConfig | undefined;
  if (!cfg) throw new Error(`the ${boardId} board has no neurostimulator section: give a board that has one (pico)`);
  return cfg;
}

export interface DbsRunSetup {
  scenario: DbsScenario;
  /** Everything but the policy and the calibration, which each run brings. */
  files: Omit<DbsFiles, 'policy' | 'baselineBetaUv2'>;
  seed: number;
  board: string;
  level: DbsLevel;
  /** PIL: this many times real time (default 1). */
  speed?: number;
  /** Where records go; null: none. */
  recordDir: string | null;
  confirmer?: Confirmer;
}

/** One arm of a patient's runs: the unstimulated reference, continuous DBS, or a policy. */
export interface DbsArm {
  name: string;
  lfpUv: number[];
  ampMa: number[];
  decisions: DbsLoopDecision[];
  alarms: { tMs: number; alarm: Alarm }[];
  recordPath: string;
  simulatedS: number;
  wallMs: number;
  error: string | null;
}

export interface DbsReference extends DbsArm {
  /** Median of the device's beta reports over the scenario's calibration span: the policy's baseline. */
  baselineBetaUv2: number;
  peakHz: number;
}

const NO_RECORD = { record: () => undefined, close: () => undefined };

export function patientSeed(setup: Pick<DbsRunSetup, 'seed'>, p: CohortPatient): number {
  return setup.seed * 1000 + Number(p.id.replace(/\D/g, '') || 0);
}

/** Lets the scenario's time pass on a session, reporting progress; the error that ended it, if any. */
async function runThrough(session: RigSession<DbsDevices>, durationS: number, onProgress?: (share: number) => void, between?: () => Promise<void>): Promise<string | null> {
  const sliceMs = 1000;
  try {
    for (let t = 0; t < durationS * 1000; t += sliceMs) {
      await session.run(Math.min(sliceMs, durationS * 1000 - t));
      if (between) await between();
      if ((t / sliceMs) % 5 === 0) onProgress?.(t / (durationS * 1000));
    }
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

async function openSession(setup: DbsRunSetup, p: CohortPatient, stimulate: boolean) {
  const plan: DbsPlan = { scenario: setup.scenario, patient: p, seed: patientSeed(setup, p), board: setup.board, stimulate };
  const session = await DBS_RIGS[setup.level](plan, setup.speed);
  try {
    const connected = session.ideal ? null : await connectDbs(session.clock, session.nodes, setup.board, session.wait);
    return { session, connected, devices: connected ?? session.ideal! };
  } catch (e) {
    session.close();
    throw e;
  }
}

/** The patient without stimulation, the device sensing: the reference and the calibration. */
export async function runReference(setup: DbsRunSetup, p: CohortPatient, onProgress?: (share: number) => void): Promise<DbsReference> {
  const started = performance.now();
  const { session, connected, devices } = await openSession(setup, p, false);
  const calibration: number[] = [];
  devices.stim.onBetaPower((b) => {
    if (session.clock.now() <= setup.scenario.calibrationS * 1000) calibration.push(b.betaPowerUv2);
  });
  const error = await runThrough(session, setup.scenario.durationS, onProgress);
  session.world.finish(session.clock.now());
  connected?.close();
  session.close();
  return {
    name: 'off', lfpUv: session.world.lfpUv, ampMa: session.world.ampMa, decisions: [], alarms: [], recordPath: '',
    simulatedS: setup.scenario.durationS, wallMs: performance.now() - started,
    error: error ?? (calibration.length === 0 ? 'the stimulator reported no beta during the calibration span' : null),
    baselineBetaUv2: calibration.length ? percentile(calibration, 0.5) : NaN, peakHz: session.world.peakHz,
  };
}

/** The patient with the loop closed by a policy (continuous DBS is the continuous policy). */
export async function runArm(setup: DbsRunSetup, p: CohortPatient, policy: PolicyFile, baselineBetaUv2: number, onProgress?: (share: number) => void): Promise<DbsArm> {
  const started = performance.now();
  const s = setup.scenario;
  const files: DbsFiles = { ...setup.files, policy, baselineBetaUv2 };
  const seed = patientSeed(setup, p);
  const recordPath = setup.recordDir === null ? '' : join(setup.recordDir, `${p.id}.${policy.kind}.record.jsonl`);
  // The record comes first: a run that cannot keep its record never starts.
  const recorder = setup.recordDir === null ? NO_RECORD : new FileRecorder(recordPath, {
    ...dbsHeader(files),
    versions: runVersions(setup.level === 'mil' ? {} : { [`neurostimulator.${setup.board}`]: await builtProgram('neurostimulator', boardById(setup.board)) }),
    level: setup.level, patient: p, scenario: s, seed,
  });
  let opened: Awaited<ReturnType<typeof openSession>>;
  try {
    opened = await openSession(setup, p, true);
  } catch (e) {
    recorder.close({ ok: false, error: (e as Error).message });
    throw e;
  }
  const { session, connected, devices } = opened;
  if (connected) warnUnauthenticated(connected, session.clock, recorder, (line) => process.stderr.write(`${line}\n`));
  let error: string | null = null;
  let loop: ReturnType<typeof startDbs> | null = null;
  try {
    loop = startDbs({ clock: session.clock, devices, files, recorder: setup.recordDir === null ? undefined : recorder, confirmer: setup.confirmer });
    const l = loop;
    for (const a of s.operator) session.clock.after(a.atS * 1000, () => l.operatorAction(a.kind === 'manual' ? { kind: 'manual', amplitudeMa: a.amplitudeMa } : { kind: 'auto' }));
    // A person answering an advisory request: virtual time waits for them.
    error = await runThrough(session, s.durationS, onProgress, async () => {
      if (l.pendingRequest && setup.confirmer?.settle) await setup.confirmer.settle();
    });
  } catch (e) {
    error = (e as Error).message;
  } finally {
    loop?.stop();
    session.world.finish(session.clock.now());
    connected?.close();
    session.close();
    recorder.close(error ? { ok: false, error } : { ok: true });
  }
  return {
    name: policy.kind, lfpUv: session.world.lfpUv, ampMa: session.world.ampMa, decisions: loop?.decisions ?? [], alarms: loop?.alarmLog ?? [],
    recordPath, simulatedS: s.durationS, wallMs: performance.now() - started, error,
  };
}
