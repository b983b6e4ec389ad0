// Several firmware nodes, each on its own emulated board with a host session on its protocol port, on one
// clock, with their pins wired together as on a bench (hil/rigs: a rig file's `wires`). This is how the
// patient-emulator bench runs in CI: the patient board's transducer output into the sensor's ADC, the
// pump's step output into the patient board's step input.
import { VirtualClock } from '../../protocols/clock/virtual-clock.ts';
import type { Board } from '../../firmware/build/board-schema.ts';
import type { NodeName } from '../../firmware/build/firmware-build.ts';
import type { BoardEmulator } from './board-emulator.ts';
import type { EmulatedNode, EmulatedNodeOptions } from './emulated-node.ts';
import { emulatedNode } from './emulated-node.ts';
import type { PinEnd } from './board-wiring.ts';
import { wireLevel, wirePulses } from './board-wiring.ts';
import type { Rig, RigWire } from '../rigs/rig-schema.ts';

export interface BenchNodeSpec {
  node: NodeName;
  /** A board of firmware/boards. */
  board: string;
}

export interface WiredBench {
  clock: VirtualClock;
  nodes: Partial<Record<NodeName, EmulatedNode>>;
  /** A node of the bench (throws, naming the bench's nodes, when it has no such node). */
  node(name: NodeName): EmulatedNode;
}

export async function wiredBench(
  specs: BenchNodeSpec[],
  wires: RigWire[],
  options: (node: NodeName) => EmulatedNodeOptions = () => ({}),
): Promise<WiredBench> {
  const clock = new VirtualClock();
  const nodes: Partial<Record<NodeName, EmulatedNode>> = {};
  for (const s of specs) nodes[s.node] = await emulatedNode(s.node, s.board, { ...options(s.node), clock });
  const node = (name: NodeName) => {
    const n = nodes[name];
    if (!n) throw new Error(`the bench has no node '${name}' (it has: ${Object.keys(nodes).join(', ')})`);
    return n;
  };
  wireBoards(clock, wires, node);
  return { clock, nodes, node };
}

/** Connects a rig's wires between the boards node(name) gives, on their clock; a wire end naming no pin of its node throws. */
export function wireBoards(clock: VirtualClock, wires: RigWire[], node: (name: NodeName) => { board: BoardEmulator; boardConfig: Board }): void {
  const end = (ref: string): PinEnd => {
    const dot = ref.lastIndexOf('.');
    const n = node(ref.slice(0, dot) as NodeName);
    const role = ref.slice(dot + 1);
    const pins = (n.boardConfig.nodes[ref.slice(0, dot) as NodeName] as { pins: Record<string, string> }).pins;
    if (!(role in pins)) throw new Error(`wire end '${ref}': ${ref.slice(0, dot)} has no pin '${role}' (its pins are: ${Object.keys(pins).join(', ')})`);
    return { board: n.board, pin: pins[role] };
  };
  for (const w of wires) (w.signal === 'level' ? wireLevel : wirePulses)(clock, end(w.from), end(w.to));
}

/** The bench a rig file describes, in the emulator: its nodes on the boards it names, wired as it says. */
export function wiredBenchOfRig(rig: Rig, options?: (node: NodeName) => EmulatedNodeOptions): Promise<WiredBench> {
  return wiredBench(Object.entries(rig.nodes).map(([node, n]) => ({ node: node as NodeName, board: n!.board })), rig.wires, options);
}
