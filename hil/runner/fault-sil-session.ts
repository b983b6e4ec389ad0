// The SIL binding with the fault library's targets: the same plant as the SIL rig (both bundles in their
// emulators, the syringe mechanism, the patient), but each node's port is reached through a FaultyLink (the
// cable and USB bus), and the host runs as an InProcessHost on edges that can be killed, hung and slowed.
// A restarted host connects afresh and starts a new loop, as a new process would. Beside the run it keeps
// what the safety invariants are judged on: when the pump accepted each rate command (and for how long),
// and what the drive actually did (the step pin, sampled), never anything the host could see.
import { SIM_KEYRING } from '../emulator/sim-keys.ts';
import type { PumpBoardConfig } from '../../firmware/src/board-config.ts';
import type { ConnectedBp } from '../../host/app/bp-app.ts';
import { connectBp } from '../../host/app/bp-app.ts';
import type { BpDevices, BpLoop, RatePump } from '../../host/therapies/bp/bp-loop.ts';
import { advanceSettling } from '../../protocols/testing/virtual-time.ts';
import { boardById } from '../emulator/emulated-node.ts';
import type { Fault, FaultEvent } from '../faults/fault-schedule.ts';
import { scheduleFaults } from '../faults/fault-schedule.ts';
import { FaultyLink } from '../faults/faulty-link.ts';
import type { HostFaultTarget } from '../faults/host-faults.ts';
import type { HostEdges } from '../faults/in-process-host.ts';
import { InProcessHost } from '../faults/in-process-host.ts';
import { bpPlant } from '../sim/engine/bp-plant.ts';
import type { ScenarioPlant } from '../sim/engine/scenario-plant.ts';
import { scenarioPlantOptions } from '../sim/engine/scenario-plant.ts';
import type { RigSession } from '../rigs/rig.ts';

const ROLES = ['bp-sensor', 'infusion-pump'] as const;
const SLICE_MS = 500;
/** How often the drive is sampled for the invariants. */
export const DRIVE_SAMPLE_MS = 250;

/** A rate command (a stop has rate 0 and no end). */
export interface Command {
  tMs: number;
  rateMlPerH: number;
  leaseMs: number;
  /** Where the pump falls if this lease lapses (absent: its safe rate). */
  lapseRateMlPerH?: number;
}

export interface SafetyTrace {
  /** When the host sent each command: the pump cannot run on one before it was sent. */
  sent: Command[];
  /** When the pump's answer accepted it. */
  accepted: Command[];
  /** [tMs, rate the drive pushed at, mL/h]: the step pin's frequency times the volume per step. */
  drive: [number, number][];
  faults: FaultEvent[];
  hostStarts: number;
  safeRateMlPerH: number;
  /** The most a lapsed lease may leave running, whatever the host asked (the board's limit). */
  maxLapseRateMlPerH: number;
  maxLeaseMs: number;
  log: string[];
}

export interface FaultSilSession {
  session: RigSession;
  trace: SafetyTrace;
  /** Every loop a host started, the current one last. */
  loops: BpLoop[];
  /** Starts the first host and waits until its loop runs. */
  start(): Promise<void>;
  close(): void;
}

/** A pump whose commands are noted when sent and when accepted (the pump's answer is its acceptance). */
function notingPump(pump: RatePump, now: () => number, trace: SafetyTrace): RatePump {
  // The pump's Ack names the lease it applied (counted from when the host sent the command): that one is noted.
  const noted = <T,>(c: Omit<Command, 'tMs'>, send: () => Promise<T>): Promise<T> => {
    trace.sent.push({ tMs: now(), ...c });
    return send().then((applied) => {
      trace.accepted.push({ tMs: now(), ...c, ...(typeof applied === 'number' ? { leaseMs: applied } : {}) });
      return applied;
    });
  };
  return {
    link: pump.link,
    onStatus: (l) => pump.onStatus(l),
    onAlarm: (l) => pump.onAlarm(l),
    setRate: (rateMlPerH, leaseMs, lapseRateMlPerH) => noted({ rateMlPerH, leaseMs, lapseRateMlPerH }, () => pump.setRate(rateMlPerH, leaseMs, lapseRateMlPerH)),
    stop: () => noted({ rateMlPerH: 0, leaseMs: Infinity }, () => pump.stop()),
  };
}

export async function faultSilSession(
  plan: ScenarioPlant, faults: Fault[], startLoop: (clock: HostEdges['clock'], devices: BpDevices) => BpLoop,
  drug?: Parameters<typeof connectBp>[3],
): Promise<FaultSilSession> {
  const { plant, mechanism } = await bpPlant(scenarioPlantOptions(plan));
  const board = boardById(plan.board);
  const pumpCfg = board.nodes['infusion-pump'] as PumpBoardConfig;
  const clock = plant.clock;
  const log: string[] = [];
  const note = (text: string) => log.push(`${(clock.now() / 1000).toFixed(1)} s: ${text}`);
  const links = Object.fromEntries(ROLES.map((role, i) => [role, new FaultyLink(async () => plant.port(role), {
    clock, name: role, seed: plan.seed + i, lineBaud: board.uart.baud, path: `/dev/ttyACM${i}`, serialNumber: `emulated-${role}`,
  })])) as Record<(typeof ROLES)[number], FaultyLink>;
  const trace: SafetyTrace = { sent: [], accepted: [], drive: [], faults: [], hostStarts: 0, safeRateMlPerH: pumpCfg.limits.safeRateMlPerH, maxLapseRateMlPerH: pumpCfg.limits.maxLapseRateMlPerH, maxLeaseMs: pumpCfg.limits.maxLeaseMs, log };
  const loops: BpLoop[] = [];
  let connected: ConnectedBp | null = null;
  let started = false;

  const build = (edges: HostEdges) => {
    const n = ++trace.hostStarts;
    note(`host ${n} starts and looks for its devices`);
    const nodes = ROLES.map((role, i) => ({ role, where: `${links[role].path} (${role})`, open: edges.opener(links[role].open), sessionIdSeed: plan.seed * 2 + 1 + i + 100 * n, keyring: SIM_KEYRING }));
    connectBp(edges.clock, nodes, undefined, drug).then((c) => {
      if (edges.dead) return c.close();
      connected = c;
      note(`host ${n} connected: loop starts`);
      loops.push(startLoop(edges.clock, { sensor: c.sensor, pump: notingPump(c.pump, () => clock.now(), trace) }));
    }, (e: Error) => note(`host ${n} could not connect: ${e.message}`));
  };
  const inProcess = new InProcessHost(clock, (edges) => (started ? build(edges) : undefined));
  // A killed process's ports close with it: the new host must open them afresh.
  const host: HostFaultTarget = {
    kill: () => {
      note('host killed');
      inProcess.kill();
      connected?.close();
      connected = null;
    },
    restart: () => inProcess.restart(),
    hang: () => inProcess.hang(),
    resume: () => inProcess.resume(),
    slow: (ms) => inProcess.slow(ms),
  };
  const stepPin = pumpCfg.pins.step;
  const pumpBoard = plant.node('infusion-pump').board;
  clock.every(DRIVE_SAMPLE_MS, () => trace.drive.push([clock.now(), pumpBoard.pin(stepPin).pwmHz * mechanism.mlPerStep * 3600]));
  // Every target is looked up now: a fault this level cannot inject fails before the run.
  const schedule = scheduleFaults(clock, faults, {
    link: (node) => links[node as keyof typeof links],
    board: (node) => (node in links ? plant.node(node as (typeof ROLES)[number]).board : undefined),
    mechanism: (node) => (node === 'infusion-pump' ? mechanism : undefined),
    host,
  }, (e) => {
    trace.faults.push(e);
    note(`fault ${e.fault.kind} ${e.what}`);
  });
  const session: RigSession = {
    level: 'sil', clock, nodes: [],
    probe: () => plant.probe(),
    run: (ms) => advanceSettling(clock, ms, SLICE_MS),
    close: () => schedule.cancel(),
  };
  return {
    session, trace, loops,
    start: async () => {
      started = true;
      build(inProcess.edges);
      for (let t = 0; loops.length === 0; t += 1000) {
        if (t > 15_000) throw new Error(`the host did not connect within 15 s: ${log.at(-1) ?? ''}`);
        await advanceSettling(clock, 1000, SLICE_MS);
      }
    },
    close: () => {
      schedule.cancel();
      for (const l of loops) l.stop();
      connected?.close();
    },
  };
}
