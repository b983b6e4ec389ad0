// A built firmware node running in the board emulator with a host session on its protocol port: the
// SIL arrangement the node tests, the benches and the closed loop share.
import { VirtualClock } from '../../protocols/clock/virtual-clock.ts';
import type { HelloValues } from '../../protocols/generated/wire-codec.ts';
import type { InitiatorSession } from '../../protocols/session/initiator-session.ts';
import type { Board } from '../../firmware/build/board-schema.ts';
import { loadBoards } from '../../firmware/build/boards.ts';
import type { NodeName } from '../../firmware/build/firmware-build.ts';
import { buildNode } from '../../firmware/build/firmware-build.ts';
import { hostSession } from '../../host/link/host-session.ts';
import { BoardEmulator } from './board-emulator.ts';
import { SIM_KEYRING } from './sim-keys.ts';
import type { Transport } from '../../host/transport/transport.ts';

const built: Record<string, Promise<string>> = {};

/** The bundle of a node for a board, built once per process. */
export function builtProgram(node: NodeName, board: Board): Promise<string> {
  const key = `${node}.${board.id}`;
  if (!built[key]) built[key] = buildNode(node, board).then((b) => b.program.code);
  return built[key];
}

let boards: Board[] | null = null;

/** A board of firmware/boards by id (the files are read and checked once per process). */
export function boardById(id: string): Board {
  boards ??= loadBoards();
  const b = boards.find((x) => x.id === id);
  if (!b) throw new Error(`no board '${id}' in firmware/boards`);
  return b;
}

export interface EmulatedNode {
  clock: VirtualClock;
  board: BoardEmulator;
  host: InitiatorSession;
  boardConfig: Board;
  /** The host's end of the node's protocol port (to inject raw bytes). */
  transport: Transport;
  /** Decoded messages the host received, in order: [msgId, payload bytes]. */
  received: { id: number; payload: Uint8Array; tMs: number }[];
  events: string[];
  peer(): HelloValues | null;
}

export interface EmulatedNodeOptions {
  startHost?: boolean;
  /** Puts something (fault injection) between the host and the board's port. */
  wrapTransport?: (t: Transport) => Transport;
  onMessage?: (id: number, payload: Uint8Array) => void;
  onEvent?: (text: string) => void;
  /** The board's Storage (its key file); the simulation key of its serial by default. */
  storage?: Record<string, string>;
  /** Build the bundle in unauthenticated bench mode. */
  unauthenticatedBenchMode?: boolean;
  /** The board file as a test changed it (instead of firmware/boards' own). */
  boardConfig?: Board;
}

export async function emulatedNode(node: NodeName, boardId: string, options: EmulatedNodeOptions = {}): Promise<EmulatedNode> {
  const boardConfig = options.boardConfig ?? boardById(boardId);
  const program = options.unauthenticatedBenchMode || options.boardConfig
    ? (await buildNode(node, boardConfig, { unauthenticatedBenchMode: options.unauthenticatedBenchMode })).program.code
    : await builtProgram(node, boardConfig);
  const clock = new VirtualClock();
  const board = new BoardEmulator({
    clock, serial: `emu-${boardId}`, variables: boardConfig.variables, nativeSha256: boardConfig.nativeSha256, storage: options.storage,
  });
  const port = board.port(boardConfig.uart.port);
  const transport = options.wrapTransport ? options.wrapTransport(port) : port;
  const received: EmulatedNode['received'] = [];
  const events: string[] = [];
  const event = (text: string) => {
    events.push(text);
    if (options.onEvent) options.onEvent(text);
  };
  const host = hostSession(transport, clock, {
    message: (id, buf, s, e) => {
      const payload = buf.slice(s, e);
      received.push({ id, payload, tMs: clock.now() });
      if (options.onMessage) options.onMessage(id, payload);
    },
    ready: (p) => event(`ready ${p.uniqueId}`),
    lost: (why) => event(`lost ${why}`),
    refused: (why) => event(`refused ${why}`),
  }, { sessionIdSeed: 77, keyring: SIM_KEYRING });
  board.load(program);
  if (options.startHost !== false) host.start();
  return { clock, board, host, boardConfig, transport, received, events, peer: () => host.peer };
}
