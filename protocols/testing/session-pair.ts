// Two sessions, a host (initiator) and a node (responder), joined by a lossy wire on a VirtualClock.
// Faults act on whole frames (each output call is one frame): drop, duplicate, delay (reorder). Keys are
// fixed test keys; the SHA-256 is the JavaScript one (the host's node:crypto one is checked against it).
import { VirtualClock } from '../clock/virtual-clock.ts';
import { crc32Range } from '../framing/crc32.ts';
import { NodeRole, isCommandId } from '../generated/wire-codec.ts';
import type { HelloValues } from '../generated/wire-codec.ts';
import { sha256 } from '../integrity/sha256.ts';
import type { SessionTimings } from '../session/session-config.ts';
import { DEFAULT_TIMINGS } from '../session/default-timings.ts';
import { InitiatorSession } from '../session/initiator-session.ts';
import { ResponderSession } from '../session/responder-session.ts';
import { lostText, refusalText } from '../session/refusal-text.ts';
import type { SessionCore } from '../session/session-core.ts';
import { seededRandom } from './seeded-random.ts';

export interface WireFaults {
  dropRate: number;
  duplicateRate: number;
  /** Share of frames held back by extraDelayMs, so later frames overtake them. */
  reorderRate: number;
  extraDelayMs: number;
  latencyMs: number;
}

export const NO_FAULTS: WireFaults = { dropRate: 0, duplicateRate: 0, reorderRate: 0, extraDelayMs: 0, latencyMs: 2 };

/** The node's test key (16 bytes, 0x01..0x10). */
export const TEST_NODE_KEY = Uint8Array.from({ length: 16 }, (_, i) => i + 1);

export interface Side<S extends SessionCore> {
  session: S;
  /** Commands the node executed: id, payload, and the send time the session gave the handler. */
  commands: { id: number; payload: number[]; sentMs: number; atMs: number }[];
  messages: { id: number; payload: number[] }[];
  events: string[];
  /** What the command handler answers (0 = Ack). */
  answer: (id: number, payload: number[]) => number;
  /** When false, frames from this side vanish (cable pulled). */
  connected: boolean;
  /** Every frame this side put on the wire, in order (for replay by tests). */
  sent: Uint8Array[];
}

function side<S extends SessionCore>(): Side<S> {
  return { session: undefined as unknown as S, commands: [], messages: [], events: [], answer: () => 0, connected: true, sent: [] };
}

export interface PairOptions {
  seed?: number;
  faults?: Partial<WireFaults>;
  timings?: Partial<SessionTimings>;
  nodeLayoutHash?: number;
  /** The node's provisioned key (null: none); TEST_NODE_KEY by default. */
  nodeKey?: Uint8Array | null;
  /** The host's keyring: TEST_NODE_KEY for 'node-1' by default. */
  hostKeys?: Record<string, Uint8Array>;
  bench?: boolean;
  acceptUnauthenticated?: (id: number) => boolean;
  nodeUniqueId?: string;
}

export function sessionPair(options: PairOptions = {}) {
  const clock = new VirtualClock();
  const rnd = seededRandom(options.seed ?? 1);
  const faults = { ...NO_FAULTS, ...options.faults };
  const timings = { ...DEFAULT_TIMINGS, ...options.timings };
  const host = side<InitiatorSession>();
  const node = side<ResponderSession>();
  const nonces = seededRandom((options.seed ?? 1) * 31 + 7);
  const random = () => Math.floor(nonces() * 0x100000000);

  const deliver = (from: Side<SessionCore>, to: Side<SessionCore>, bytes: Uint8Array) => {
    const copy = Uint8Array.from(bytes);
    from.sent.push(copy);
    if (!from.connected) return;
    if (rnd() < faults.dropRate) return;
    const sendOnce = () => {
      const delay = faults.latencyMs + (rnd() < faults.reorderRate ? faults.extraDelayMs : 0);
      clock.after(delay, () => to.session.receive(copy));
    };
    sendOnce();
    if (rnd() < faults.duplicateRate) sendOnce();
  };

  const common = (self: Side<SessionCore>, other: Side<SessionCore>) => ({
    output: (bytes: Uint8Array) => deliver(self, other, bytes),
    message: (id: number, buf: Uint8Array, s: number, e: number) => self.messages.push({ id, payload: [...buf.subarray(s, e)] }),
    ready: (peer: HelloValues | null) => self.events.push(`ready:${peer ? peer.nodeRole : 'host'}`),
    lost: (why: string) => self.events.push(`lost:${lostText(why, timings.linkTimeoutMs)}`),
  });
  const identity = (nodeRole: number, uniqueId: string) => ({ nodeRole, boardId: 0, firmwareMajor: 0, firmwareMinor: 1, firmwarePatch: 0, uniqueId });
  const uniqueId = options.nodeUniqueId ?? 'node-1';
  const keys = options.hostKeys ?? { 'node-1': TEST_NODE_KEY };

  host.session = new InitiatorSession(
    {
      clock, crc: crc32Range, sha256, timings, sessionIdSeed: 1000 + (options.seed ?? 1), identity: identity(NodeRole.Host, 'host'),
      random, keyFor: (id) => keys[id] ?? null,
    },
    {
      ...common(host, node),
      refused: (why, peer) => host.events.push(`refused:${refusalText(why, peer, {
        layoutHash: host.session.layoutHash, foreignVersion: host.session.foreignVersion, expectRole: host.session.expectRole,
        expectBoard: host.session.expectBoard, keyring: 'test keyring',
      })}`),
    },
  );
  node.session = new ResponderSession(
    {
      clock, crc: crc32Range, sha256, timings, isCommand: isCommandId, layoutHash: options.nodeLayoutHash,
      identity: identity(NodeRole.InfusionPump, uniqueId), deviceKey: options.nodeKey === undefined ? TEST_NODE_KEY : options.nodeKey,
      bench: options.bench ?? false, acceptUnauthenticated: options.acceptUnauthenticated, random,
    },
    {
      ...common(node, host),
      command: (id, buf, s, e, sentMs) => {
        const payload = [...buf.subarray(s, e)];
        node.commands.push({ id, payload, sentMs, atMs: clock.now() });
        return node.answer(id, payload);
      },
    },
  );
  return { clock, host, node, faults };
}

/** Starts both sides and runs virtual time until both are up (or 10 s pass). */
export function startedPair(options: PairOptions = {}) {
  const pair = sessionPair(options);
  pair.host.session.start();
  pair.node.session.start();
  for (let i = 0; i < 200 && !(pair.host.session.ready && pair.node.session.state === 'ready'); i++) pair.clock.advance(50);
  return pair;
}
