// Brings a bench up, node by node, through off -> powered -> flashed -> linked, then the bench to
// running, reporting each step with its time and what it found; and back down. Each step checks what it
// claims: powered means the board's port is listed under its USB serial number, linked means the node
// answered Hello as the node and board the rig says. A failed step says which node, which step and what
// to check, and leaves the bench powered off (its safe state).
import { describePeer } from '../../protocols/session/refusal-text.ts';
import type { Clock } from '../../protocols/clock/clock.ts';
import { codeTable } from '../../protocols/catalogue/codes.ts';
import type { Board } from '../../firmware/build/board-schema.ts';
import { loadBoards } from '../../firmware/build/boards.ts';
import type { NodeName } from '../../firmware/build/firmware-build.ts';
import { DeviceLink } from '../../host/link/device-link.ts';
import type { BenchDrivers, PowerDriver, SourceDriver } from './rig-drivers.ts';
import type { Rig, RigNode, SerialPortResource } from './rig-schema.ts';
import type { Transport } from '../../host/transport/transport.ts';

export type BenchStep = 'off' | 'powered' | 'flashed' | 'linked' | 'running';

export interface StepReport {
  /** A node, or 'bench' for the bench as a whole. */
  node: string;
  step: BenchStep;
  tMs: number;
  detail: string;
}

export interface BenchSession {
  links: Partial<Record<NodeName, DeviceLink>>;
  sources: Record<string, SourceDriver>;
  /** Closes the links and sources and powers the switchable nodes off. */
  stop(): Promise<void>;
}

export interface BenchOptions {
  /** How long a board's port may take to appear after power-on. */
  portTimeoutMs?: number;
  /** How long a node may take to answer Hello. */
  helloTimeoutMs?: number;
}

export class BenchError extends Error {}

const wait = (clock: Clock, ms: number) => new Promise<void>((r) => clock.after(ms, r));

/** Opens a node's port by its USB serial number each time: a board that re-enumerates is found at its new path. */
export function openBySerial(d: BenchDrivers, name: string, port: SerialPortResource): () => Promise<Transport> {
  return async () => {
    const hit = (await d.listPorts()).find((p) => p.serialNumber === port.usbSerial);
    if (!hit) throw new Error(`${name}: port with USB serial number '${port.usbSerial}' is gone`);
    return d.openLink(hit.path, port.baud);
  };
}

export async function bringUp(rig: Rig, d: BenchDrivers, report: (r: StepReport) => void, o: BenchOptions = {}): Promise<BenchSession> {
  const portTimeoutMs = o.portTimeoutMs ?? 10_000;
  const helloTimeoutMs = o.helloTimeoutMs ?? 5000;
  const boards = loadBoards();
  const step = (node: string, s: BenchStep, detail: string) => report({ node, step: s, tMs: d.clock.now(), detail });
  const powers: { name: string; driver: PowerDriver }[] = [];
  const links: BenchSession['links'] = {};
  const sources: Record<string, SourceDriver> = {};

  const findPort = async (usbSerial: string) => (await d.listPorts()).find((p) => p.serialNumber === usbSerial);
  const waitForPort = async (node: string, usbSerial: string) => {
    for (let t = 0; ; t += 100) {
      const hit = await findPort(usbSerial);
      if (hit) return hit.path;
      if (t >= portTimeoutMs) {
        const seen = (await d.listPorts()).map((p) => `${p.serialNumber ?? '-'} (${p.path})`);
        throw new BenchError(`${node}: no port with USB serial number '${usbSerial}' within ${portTimeoutMs} ms of power-on: is the board plugged in, and is that its serial number? Ports seen: ${seen.length ? seen.join(', ') : 'none'}`);
      }
      await wait(d.clock, 100);
    }
  };

  const bringNode = async (name: NodeName, n: RigNode) => {
    const board = boards.find((b) => b.id === n.board) as Board;
    const port = rig.resources[n.port] as Extract<Rig['resources'][string], { kind: 'serial-port' }>;
    if (n.power) {
      const res = rig.resources[n.power] as Extract<Rig['resources'][string], { kind: 'power-port' }>;
      const driver = d.power(n.power, res);
      powers.push({ name, driver });
      await driver.set(false);
      await wait(d.clock, res.offMs);
      step(name, 'off', `${n.power} off for ${res.offMs} ms`);
      await driver.set(true);
    } else {
      step(name, 'off', 'no power port: the board stays powered');
    }
    let path = await waitForPort(name, port.usbSerial);
    step(name, 'powered', `port ${path} (USB serial ${port.usbSerial})`);
    if (n.flash) {
      await d.flash(name, board, path);
      path = await waitForPort(name, port.usbSerial);
      step(name, 'flashed', `${name} for ${board.id} written to flash`);
    } else {
      step(name, 'flashed', 'kept the firmware on the board (flash: false)');
    }
    const link = new DeviceLink({ name, clock: d.clock, helloTimeoutMs, keyring: d.keyring, open: openBySerial(d, name, port) });
    links[name] = link;
    link.start();
    for (let t = 0; !link.ready && t < helloTimeoutMs; t += 20) await wait(d.clock, 20);
    if (!link.ready) throw new BenchError(`${name}: no session on ${path} within ${helloTimeoutMs} ms: ${link.lastProblem || link.state}`);
    const peer = link.peer!;
    const role = codeTable('NodeRole').values[name];
    const boardId = codeTable('BoardId').values[board.boardId];
    if (peer.nodeRole !== role || peer.boardId !== boardId) {
      throw new BenchError(`${name}: the board on ${path} answered as ${describePeer(peer)}, not as ${name} on ${board.id}: check the rig's port for this node (or flash it)`);
    }
    step(name, 'linked', `session with ${describePeer(peer)} on ${path}`);
  };

  try {
    for (const [name, n] of Object.entries(rig.nodes)) if (n) await bringNode(name as NodeName, n);
    for (const [name, r] of Object.entries(rig.resources)) {
      if (r.kind !== 'voltage-source') continue;
      const port = rig.resources[r.port] as Extract<Rig['resources'][string], { kind: 'serial-port' }>;
      const path = (await findPort(port.usbSerial))?.path;
      if (!path) throw new BenchError(`${name}: its instrument's port (USB serial '${port.usbSerial}') is not attached`);
      sources[name] = d.source(name, r, path, port.baud);
      await sources[name].setVolts(0);
    }
    step('bench', 'running', `${Object.keys(links).length} nodes linked, ${Object.keys(sources).length} sources at 0 V`);
  } catch (e) {
    await shutDown();
    throw e;
  }

  async function shutDown(): Promise<void> {
    for (const l of Object.values(links)) l?.close();
    for (const s of Object.values(sources)) s.close();
    for (const p of powers) {
      await p.driver.set(false).catch(() => undefined);
      step(p.name, 'off', 'powered off');
    }
  }
  return { links, sources, stop: shutDown };
}
