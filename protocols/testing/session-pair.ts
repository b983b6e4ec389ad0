// Two sessions, a host (initiator) and a node (responder), joined by a lossy wire on a VirtualClock.
// Faults act on whole frames (each output call is one frame): drop, duplicate, delay (reorder).
import { VirtualClock } from '../clock/virtual-clock.ts';
import { crc32Range } from '../framing/crc32.ts';
import { NODE_ROLE_HOST, NODE_ROLE_INFUSION_PUMP, isCommandId } from '../generated/wire-codec.ts';
import type { HelloValues } from '../generated/wire-codec.ts';
import type { SessionTimings } from '../session/session-config.ts';
import { DEFAULT_TIMINGS } from '../session/session-config.ts';
import type { SessionHandlers, SessionOptions } from '../session/session.ts';
import { Session } from '../session/session.ts';
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

export interface Side {
  session: Session;
  commands: { id: number; payload: number[] }[];
  messages: { id: number; payload: number[] }[];
  events: string[];
  /** What the command handler answers (0 = Ack). */
  answer: (id: number) => number;
  /** When false, frames from this side vanish (cable pulled). */
  connected: boolean;
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
  const sides: Side[] = [];

  const deliver = (to: () => Side, bytes: Uint8Array, from: () => Side) => {
    if (!from().connected) return;
    const copy = Uint8Array.from(bytes);
    if (rnd() < faults.dropRate) return;
    const sendOnce = () => {
      const delay = faults.latencyMs + (rnd() < faults.reorderRate ? faults.extraDelayMs : 0);
      clock.after(delay, () => to().session.receive(copy));
    };
    sendOnce();
    if (rnd() < faults.duplicateRate) sendOnce();
  };

  const make = (initiator: boolean, role: number, other: () => Side, self: () => Side, layoutHash?: number): Side => {
    const side: Side = {
      session: undefined as unknown as Session, commands: [], messages: [], events: [], answer: () => 0, connected: true,
    };
    const handlers: SessionHandlers = {
      output: (bytes) => deliver(other, bytes, self),
      command: (id, buf, s, e) => {
        side.commands.push({ id, payload: [...buf.subarray(s, e)] });
        return side.answer(id);
      },
      message: (id, buf, s, e) => side.messages.push({ id, payload: [...buf.subarray(s, e)] }),
      ready: (peer: HelloValues) => side.events.push(`ready:${peer.nodeRole}`),
      lost: (why) => side.events.push(`lost:${why}`),
      refused: (why) => side.events.push(`refused:${why}`),
    };
    const opts: SessionOptions = {
      clock, crc: crc32Range, timings, initiator, isCommand: isCommandId, layoutHash,
      acceptBeforeReady: initiator ? undefined : options.acceptBeforeReady,
      identity: {
        nodeRole: role, boardId: 0, firmwareMajor: 0, firmwareMinor: 1, firmwarePatch: 0, uniqueId: initiator ? 'host' : 'node-1',
      },
    };
    side.session = new Session(opts, handlers);
    return side;
  };

  const host = make(true, NODE_ROLE_HOST, () => sides[1], () => sides[0]);
  const node = make(false, NODE_ROLE_INFUSION_PUMP, () => sides[0], () => sides[1], options.nodeLayoutHash);
  sides.push(host, node);
  return { clock, host, node, faults };
}
