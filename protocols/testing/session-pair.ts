// Two sessions, a host (initiator) and a node (responder), joined by a lossy wire on a VirtualClock.
// Faults act on whole frames (each output call is one frame): drop, duplicate, delay (reorder).
import { VirtualClock } from '../clock/virtual-clock.ts';
import { crc32Range } from '../framing/crc32.ts';
import { NodeRole, isCommandId } from '../generated/wire-codec.ts';
import type { HelloValues } from '../generated/wire-codec.ts';
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

export interface Side<S extends SessionCore> {
  session: S;
  commands: { id: number; payload: number[] }[];
  messages: { id: number; payload: number[] }[];
  events: string[];
  /** What the command handler answers (0 = Ack). */
  answer: (id: number) => number;
  /** When false, frames from this side vanish (cable pulled). */
  connected: boolean;
}

function side<S extends SessionCore>(): Side<S> {
  return { session: undefined as unknown as S, commands: [], messages: [], events: [], answer: () => 0, connected: true };
}

export function sessionPair(options: {
  seed?: number;
  faults?: Partial<WireFaults>;
  timings?: Partial<SessionTimings>;
  nodeLayoutHash?: number;
  acceptBeforeReady?: (id: number) => boolean;
} = {}) {
  const clock = new VirtualClock();
  const rnd = seededRandom(options.seed ?? 1);
  const faults = { ...NO_FAULTS, ...options.faults };
  const timings = { ...DEFAULT_TIMINGS, ...options.timings };
  const host = side<InitiatorSession>();
  const node = side<ResponderSession>();

  const deliver = (from: Side<SessionCore>, to: Side<SessionCore>, bytes: Uint8Array) => {
    if (!from.connected) return;
    const copy = Uint8Array.from(bytes);
    if (rnd() < faults.dropRate) return;
    const sendOnce = () => {
      const delay = faults.latencyMs + (rnd() < faults.reorderRate ? faults.extraDelayMs : 0);
      clock.after(delay, () => to.session.receive(copy));
    };
    sendOnce();
    if (rnd() < faults.duplicateRate) sendOnce();
  };

  const handlers = (self: Side<SessionCore>, other: Side<SessionCore>) => ({
    output: (bytes: Uint8Array) => deliver(self, other, bytes),
    message: (id: number, buf: Uint8Array, s: number, e: number) => self.messages.push({ id, payload: [...buf.subarray(s, e)] }),
    ready: (peer: HelloValues) => self.events.push(`ready:${peer.nodeRole}`),
    lost: (why: string) => self.events.push(`lost:${lostText(why, timings.linkTimeoutMs)}`),
    refused: (reason: number, peer: HelloValues | null) =>
      self.events.push(`refused:${refusalText(reason, peer, { layoutHash: self.session.layoutHash, foreignVersion: self.session instanceof InitiatorSession ? self.session.foreignVersion : 0 })}`),
  });
  const identity = (nodeRole: number, uniqueId: string) => ({ nodeRole, boardId: 0, firmwareMajor: 0, firmwareMinor: 1, firmwarePatch: 0, uniqueId });

  host.session = new InitiatorSession(
    { clock, crc: crc32Range, timings, sessionIdSeed: 1000 + (options.seed ?? 1), identity: identity(NodeRole.Host, 'host') },
    handlers(host, node),
  );
  node.session = new ResponderSession(
    {
      clock, crc: crc32Range, timings, isCommand: isCommandId, acceptBeforeReady: options.acceptBeforeReady,
      layoutHash: options.nodeLayoutHash, identity: identity(NodeRole.InfusionPump, 'node-1'),
    },
    {
      ...handlers(node, host),
      command: (id, buf, s, e) => {
        node.commands.push({ id, payload: [...buf.subarray(s, e)] });
        return node.answer(id);
      },
    },
  );
  return { clock, host, node, faults };
}
