// The PIL binding: the plant in its own process (hil/rigs/pil-plant-process.ts), each board behind a socat
// pseudo-terminal pair, the host opening the other ends with the real serialport package on a system clock
// at the rig's speed. Ground truth comes over the IPC channel. Closing the session (or this process ending)
// ends the plant and the socat pairs.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SystemClock } from '../../host/clock/system-clock.ts';
import { owned } from '../../host/process/owned-children.ts';
import { SerialTransport } from '../../host/transport/serial-transport.ts';
import type { NodeName } from '../../firmware/build/firmware-build.ts';
import { boardById } from '../emulator/emulated-node.ts';
import { SIM_KEYRING } from '../emulator/sim-keys.ts';
import type { Fault, FaultEvent, NotInjectable } from '../faults/fault-schedule.ts';
import type { Truth } from '../sim/engine/plant.ts';
import { ptyPair } from '../pil/pil-rig.ts';
import type { RigSession } from './rig.ts';
import { catalogueRole } from './rig.ts';

const plantScript = fileURLToPath(new URL('./pil-plant-process.ts', import.meta.url));
type PlantMessage =
  | { kind: 'ready'; truth: Truth; originEpochMs: number; notInjectable: NotInjectable[] }
  | { kind: 'truth'; truth: Truth; drive: [number, number][]; trace?: unknown }
  | { kind: 'fault'; event: FaultEvent };

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** What the plant process is told. */
export interface PilPlantSpec {
  therapy: string;
  plan: unknown;
  speed: number;
  board: string;
  /** Plant-side faults (actuator, device) to schedule on the plant's clock; absent: no fault targets, no drive samples. */
  faults?: Fault[];
  /** Each node's board end of its pseudo-terminal pair. */
  ttys: Partial<Record<NodeName, string>>;
  truthEveryMs: number;
}

/** What the plant process reports besides its truth, when a run schedules faults in it. */
export interface PlantListener {
  drive(tMs: number, rateMlPerH: number): void;
  fault(e: FaultEvent): void;
}

/** The host's clock on the plant's time: 0 when the plant's clock started, at the plant's speed. */
export class PlantTimeClock extends SystemClock {
  constructor(private readonly originEpochMs: number, speed: number) {
    super(speed);
  }

  override now(): number {
    return (performance.timeOrigin + performance.now() - this.originEpochMs) * this.speed;
  }
}

export interface PilSession extends RigSession {
  /** Faults the plant process had nothing to act on. */
  notInjectable: NotInjectable[];
}

export interface PilSessionOptions {
  therapy: string;
  plan: unknown;
  roles: NodeName[];
  board: string;
  seed: number;
  speed: number;
  faults?: Fault[];
  listener?: PlantListener;
  /** How often the plant sends its ground truth, plant ms (default 1000). */
  truthEveryMs?: number;
  /** Takes the plant's traces (what its builder drains) as they arrive. */
  onTrace?: (trace: unknown) => void;
}

export async function pilSession(o: PilSessionOptions): Promise<PilSession> {
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-pil-'));
  const procs: ChildProcess[] = [];
  const stop = () => {
    for (const p of procs) p.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const ttys: PilPlantSpec['ttys'] = {};
    for (const role of o.roles) {
      procs.push(await ptyPair(join(dir, `${role}-host`), join(dir, `${role}-board`)));
      ttys[role] = join(dir, `${role}-board`);
    }
    const specPath = join(dir, 'spec.json');
    writeFileSync(specPath, JSON.stringify({ therapy: o.therapy, plan: o.plan, speed: o.speed, board: o.board, faults: o.faults, ttys, truthEveryMs: o.truthEveryMs ?? 1000 } satisfies PilPlantSpec));
    const plant = owned(spawn(process.execPath, ['--import', 'tsx', plantScript, '--spec', specPath], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] }));
    procs.push(plant);
    let output = '';
    plant.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    plant.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    let truth: Truth | null = null;
    let ready: { originEpochMs: number; notInjectable: NotInjectable[] } | null = null;
    plant.on('message', (m: PlantMessage) => {
      if (m.kind === 'fault') return o.listener?.fault(m.event);
      truth = m.truth;
      if (m.kind === 'ready') ready = m;
      if (m.kind === 'truth') {
        for (const [tMs, rate] of m.drive) o.listener?.drive(tMs, rate);
        if (m.trace !== undefined) o.onTrace?.(m.trace);
      }
    });
    const gone = () => plant.exitCode !== null || plant.signalCode !== null;
    for (let i = 0; i < 3000 && truth === null && !gone(); i++) await sleep(10);
    if (truth === null || ready === null) throw new Error(`the PIL plant did not start: ${output.slice(-500)}`);
    const baud = boardById(o.board).uart.baud;
    const started = ready as { originEpochMs: number; notInjectable: NotInjectable[] };
    return {
      level: 'pil',
      notInjectable: started.notInjectable,
      clock: new PlantTimeClock(started.originEpochMs, o.speed),
      nodes: o.roles.map((role, i) => ({ role: catalogueRole(role), where: join(dir, `${role}-host`), open: () => SerialTransport.open(join(dir, `${role}-host`), baud), sessionIdSeed: o.seed * 2 + 1 + i, keyring: SIM_KEYRING })),
      probe: () => truth!,
      run: async (ms) => {
        await sleep(ms / o.speed);
        // The plant is gone: the run fails here, and the record keeps everything up to now.
        if (gone()) throw new Error(`the PIL plant stopped (${plant.exitCode ?? plant.signalCode}): ${output.slice(-300)}`);
      },
      close: stop,
    };
  } catch (e) {
    stop();
    throw e;
  }
}
