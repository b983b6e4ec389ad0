// A level's rig binding with the fault library's targets, the same at SIL and PIL: the plant (both bundles
// in their emulators, the syringe mechanism, the patient) in this process (SIL) or in its own behind
// pseudo-terminals (PIL), each node's port reached through a FaultyLink (the cable and USB bus) wrapped
// around the level's own opener, and the host run as an InProcessHost on edges that can be killed, hung and
// slowed. Plant-side faults (actuator, device) act where the plant is (hil/rigs/plant-faults.ts); link and
// host faults act here. A restarted host connects afresh and starts a new loop, as a new process would.
// Beside the run it keeps what the safety invariants are judged on: when the pump accepted each rate
// command (and for how long), and what the drive actually did (the step pin, sampled), never anything the
// host could see. A fault the level has nothing to act on is listed, not dropped.
import { SIM_KEYRING } from '../emulator/sim-keys.ts';
import type { ConnectedBp } from '../../host/app/bp-app.ts';
import { connectBp } from '../../host/app/bp-app.ts';
import type { BpDevices, BpLoop, RatePump } from '../../host/therapies/bp/bp-loop.ts';
import type { Fault, FaultEvent, NotInjectable } from '../faults/fault-schedule.ts';
import { faultSide, injectableFaults, scheduleFaults } from '../faults/fault-schedule.ts';
import { FaultyLink } from '../faults/faulty-link.ts';
import type { HostFaultTarget } from '../faults/host-faults.ts';
import type { HostEdges } from '../faults/in-process-host.ts';
import { InProcessHost } from '../faults/in-process-host.ts';
import { bpPlant } from '../sim/engine/bp-plant.ts';
import type { ScenarioPlant } from '../sim/engine/scenario-plant.ts';
import { scenarioPlantOptions } from '../sim/engine/scenario-plant.ts';
import { boardById } from '../emulator/emulated-node.ts';
import { pilSession } from '../rigs/pil-rig.ts';
import type { PlantListener } from '../rigs/pil-rig.ts';
import { plantFaults, pumpLimits } from '../rigs/plant-faults.ts';
import type { RigSession } from '../rigs/rig.ts';
import { silSession } from '../rigs/sil-rig.ts';

export { DRIVE_SAMPLE_MS } from '../rigs/plant-faults.ts';

const ROLES = ['bp-sensor', 'infusion-pump'] as const;

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
  /** Faults of the scenario this level could not inject, with why. */
  notInjectable: NotInjectable[];
  hostStarts: number;
  safeRateMlPerH: number;
  /** The most a lapsed lease may leave running, whatever the host asked (the board's limit). */
  maxLapseRateMlPerH: number;
  maxLeaseMs: number;
  log: string[];
}

export interface FaultSession {
  session: RigSession;
  trace: SafetyTrace;
  /** Every loop a host started, the current one last. */
  loops: BpLoop[];
  /** Starts the first host and waits until its loop runs. */
  start(): Promise<void>;
  close(): void;
}

export type FaultLevel = 'sil' | 'pil';

/** How each level makes its plant with the plant-side faults scheduled in it. */
const FAULT_RIGS: Record<FaultLevel, (plan: ScenarioPlant, plantSide: Fault[], listener: PlantListener, speed: number) => Promise<{ session: RigSession; notInjectable: NotInjectable[] }>> = {
  sil: async (plan, plantSide, listener) => {
    const bp = await bpPlant(scenarioPlantOptions(plan));
    const f = plantFaults(bp, plan.board, plantSide, 'sil', listener.fault, listener.drive);
    const session = silSession(bp.plant, [...ROLES], plan.seed);
    return { session: { ...session, close: () => (f.cancel(), session.close()) }, notInjectable: f.notInjectable };
  },
  pil: async (plan, plantSide, listener, speed) => {
    const session = await pilSession({ therapy: 'bp', plan, roles: [...ROLES], board: plan.board, seed: plan.seed, speed, faults: plantSide, listener });
    return { session, notInjectable: session.notInjectable };
  },
};

/** A pump whose commands are noted when sent and when accepted (the pump's answer is its acceptance). */
export function notingPump(pump: RatePump, now: () => number, trace: SafetyTrace): RatePump {
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

/**
 * The scenario's faults (sensor faults excluded: they are the line model's artifacts) on a level's rig,
 * with the host built by startLoop on edges that can be killed (host counts the starts: above 1, the host
 * was started again and resumes). Times are minutes on the plant's clock.
 */
export async function faultSession(
  level: FaultLevel, plan: ScenarioPlant, faults: Fault[], startLoop: (clock: HostEdges['clock'], devices: BpDevices, host: number) => BpLoop | Promise<BpLoop>, speed = 1,
  drug?: Parameters<typeof connectBp>[3],
): Promise<FaultSession> {
  const log: string[] = [];
  const note = (tMs: number, text: string) => log.push(`${(tMs / 1000).toFixed(1)} s: ${text}`);
  const trace: SafetyTrace = { sent: [], accepted: [], drive: [], faults: [], notInjectable: [], hostStarts: 0, ...pumpLimits(plan.board), log };
  const onFault = (e: FaultEvent) => {
    trace.faults.push(e);
    note(e.tMs, `fault ${e.fault.kind} ${e.what}`);
  };
  const rig = await FAULT_RIGS[level](plan, faults.filter((f) => faultSide(f) === 'plant'), { fault: onFault, drive: (tMs, rate) => trace.drive.push([tMs, rate]) }, speed);
  const clock = rig.session.clock;
  const now = () => clock.now();
  const opener = (role: string) => rig.session.nodes.find((n) => n.role === role)!.open;
  const links = Object.fromEntries(ROLES.map((role, i) => [role, new FaultyLink(opener(role), {
    clock, name: role, seed: plan.seed + i, lineBaud: boardById(plan.board).uart.baud, path: `/dev/ttyACM${i}`, serialNumber: `emulated-${role}`,
  })])) as Record<(typeof ROLES)[number], FaultyLink>;
  const loops: BpLoop[] = [];
  let connected: ConnectedBp | null = null;
  let started = false;

  const build = (edges: HostEdges) => {
    const n = ++trace.hostStarts;
    note(now(), `host ${n} starts and looks for its devices`);
    const nodes = ROLES.map((role, i) => ({ role, where: `${links[role].path} (${role})`, open: edges.opener(links[role].open), sessionIdSeed: plan.seed * 2 + 1 + i + 100 * n, keyring: SIM_KEYRING }));
    connectBp(edges.clock, nodes, undefined, drug).then(async (c) => {
      if (edges.dead) return c.close();
      connected = c;
      note(now(), `host ${n} connected: loop starts`);
      const loop = await startLoop(edges.clock, { sensor: c.sensor, pump: notingPump(c.pump, now, trace) }, n);
      if (edges.dead) return loop.stop();
      loops.push(loop);
    }).catch((e: Error) => note(now(), `host ${n} could not connect or start its loop: ${e.message}`));
  };
  const inProcess = new InProcessHost(clock, (edges) => (started ? build(edges) : undefined));
  // A killed process's ports close with it: the new host must open them afresh.
  const host: HostFaultTarget = {
    kill: () => {
      note(now(), 'host killed');
      inProcess.kill();
      connected?.close();
      connected = null;
    },
    restart: () => inProcess.restart(),
    hang: () => inProcess.hang(),
    resume: () => inProcess.resume(),
    slow: (ms) => inProcess.slow(ms),
  };
  const targets = { link: (node: string) => links[node as keyof typeof links], host };
  const hostSide = injectableFaults(faults.filter((f) => faultSide(f) === 'host'), targets, clock, level);
  trace.notInjectable = [...rig.notInjectable, ...hostSide.notInjectable];
  for (const x of trace.notInjectable) note(now(), `fault ${x.fault.kind} at ${x.fault.atMin} min: ${x.why}`);
  // The schedule counts from now; the scenario's minutes count from the plant's start (a PIL plant started a moment ago).
  const sinceMin = now() / 60_000;
  const shifted = hostSide.injectable.map((f) => ({ ...f, atMin: Math.max(0, f.atMin - sinceMin) }));
  const original = new Map<Fault, Fault>(shifted.map((f, i) => [f, hostSide.injectable[i]]));
  const schedule = scheduleFaults(clock, shifted, targets, (e) => onFault({ ...e, fault: original.get(e.fault) ?? e.fault }));
  const session: RigSession = { ...rig.session, nodes: [] };
  return {
    session, trace, loops,
    start: async () => {
      started = true;
      build(inProcess.edges);
      // 15 s of the plant's time, and at least 30 s of the machine's (a sped-up PIL plant on a loaded machine).
      const wall0 = performance.now();
      for (let t = 0; loops.length === 0; t += 1000) {
        if (t > 15_000 && performance.now() - wall0 > 30_000) throw new Error(`the host did not connect within 15 s: ${log.at(-1) ?? ''}`);
        await rig.session.run(1000);
      }
    },
    close: () => {
      schedule.cancel();
      for (const l of loops) l.stop();
      connected?.close();
    },
  };
}
