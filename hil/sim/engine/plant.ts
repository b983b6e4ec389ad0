// The plant of a simulated loop: one object owns the virtual clock and the order in which things step,
// the boards running their firmware bundles, the node models wired to the boards' pins by node kind (the
// arterial line and transducer of a bp-sensor, the syringe mechanism of an infusion pump, the lead of a
// neurostimulator), and the patient. Ground truth is read through its probe, for metrics only: a loop
// reaches the plant through the boards' serial ports and nothing else.
import { VirtualClock } from '../../../protocols/clock/virtual-clock.ts';
import type { Board } from '../../../firmware/build/board-schema.ts';
import type { NodeName } from '../../../firmware/build/firmware-build.ts';
import { BoardEmulator } from '../../emulator/board-emulator.ts';
import { builtProgram } from '../../emulator/emulated-node.ts';
import type { Transport } from '../../../host/transport/transport.ts';

/** A model of what is wired to one node's board (sensor, mechanism, lead), attached by the node's kind. */
export interface NodeModel {
  /** Ground truth this model can tell (delivered volume, pressure at the transducer...). */
  truth?(): Record<string, number>;
}

/** Ground truth at one instant, for metrics only. */
export type Truth = Record<string, number>;

export interface PlantNode {
  kind: NodeName;
  board: BoardEmulator;
  config: Board;
  model: NodeModel | null;
}

export class Plant {
  readonly clock: VirtualClock;
  readonly nodes: Partial<Record<NodeName, PlantNode>> = {};
  private readonly truthSources: (() => Truth)[] = [];

  constructor(clock = new VirtualClock()) {
    this.clock = clock;
  }

  /** A board running a node's built bundle; its firmware starts now (its timers join the clock in this order). */
  async addBoard(kind: NodeName, config: Board): Promise<BoardEmulator> {
    const board = new BoardEmulator({ clock: this.clock, serial: kind, variables: config.variables, nativeSha256: config.nativeSha256 });
    board.load(await builtProgram(kind, config));
    this.nodes[kind] = { kind, board, config, model: null };
    return board;
  }

  /** Wires a node model to its board; its ground truth joins the probe. */
  attach(kind: NodeName, model: NodeModel): void {
    const node = this.node(kind);
    node.model = model;
    if (model.truth) this.truthSources.push(() => model.truth!());
  }

  /** Something stepped every periodMs, after everything registered before it at the same instant. */
  every(periodMs: number, fn: () => void): void {
    this.clock.every(periodMs, fn);
  }

  /** A source of ground truth besides the node models (the patient). */
  addTruth(source: () => Truth): void {
    this.truthSources.push(source);
  }

  /** Ground truth now, for metrics only. */
  probe(): Truth {
    return Object.assign({}, ...this.truthSources.map((s) => s()));
  }

  /** The host's end of a node's protocol port, paced at its baud rate on the plant's clock. */
  port(kind: NodeName, latencyMs?: number): Transport {
    const node = this.node(kind);
    return node.board.port(node.config.uart.port, latencyMs);
  }

  node(kind: NodeName): PlantNode {
    const n = this.nodes[kind];
    if (!n) throw new Error(`the plant has no ${kind} board`);
    return n;
  }
}
