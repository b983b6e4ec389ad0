// The scripted authenticated session whose frames are the golden vectors of protocol version 2 (section
// `session` of golden-vectors.json): a host and a node with a fixed device key and fixed nonces open a
// session, and the host sends a PumpSetRate and a PumpStop while the node reports a PumpStatus. Each side
// can be replayed alone against the other side's golden frames: it must then send the very same bytes.
// The node's replay runs unchanged on the Espruino interpreter (golden-check.ts), so the firmware's
// session, MAC and SHA-256 are held to the same bytes as the host's.
import type { Crc32Fn } from '../framing/crc32.ts';
import type { Sha256Fn } from '../integrity/sha256.ts';
import { MsgId, NodeRole, isCommandId, writePumpSetRate, writePumpStatus, writePumpStop } from '../generated/wire-codec.ts';
import { DEFAULT_TIMINGS } from '../session/default-timings.ts';
import { InitiatorSession } from '../session/initiator-session.ts';
import { ackLease, ResponderSession } from '../session/responder-session.ts';

/** The script's constants, stated in the golden file too. */
export const GOLDEN_SESSION = {
  deviceKeyHex: '000102030405060708090a0b0c0d0e0f',
  hostSessionIdSeed: 0x5e551000,
  hostNonce: [0x11223344, 0x55667788],
  nodeNonce: [0x99aabbcc, 0xddeeff00],
  nodeUniqueId: 'golden-pump',
  /** One-way delay of every frame, ms. */
  latencyMs: 2,
};

/** A frame one side sent at a time of the script. */
export interface ScriptFrame {
  from: 'host' | 'node';
  atMs: number;
  bytes: Uint8Array;
}

interface Event {
  atMs: number;
  order: number;
  run: () => void;
}

/** A clock the script moves: sessions read it, and periodic timers never fire within the script's 400 ms. */
class ScriptClock {
  t = 0;
  now(): number {
    return this.t;
  }
  every(): { cancel(): void } {
    return { cancel: () => undefined };
  }
  after(): { cancel(): void } {
    return { cancel: () => undefined };
  }
}

function keyBytes(): Uint8Array {
  const k = new Uint8Array(16);
  for (let i = 0; i < 16; i++) k[i] = parseInt(GOLDEN_SESSION.deviceKeyHex.substr(i * 2, 2), 16);
  return k;
}

/** Words handed out in turn: a side's nonces. */
function words(w: number[]): () => number {
  let i = 0;
  return () => w[i++ % w.length] >>> 0;
}

/**
 * Runs the script with the sides given (a side left out is replaced by its golden frames, delivered at
 * the times recorded). Returns every frame the live sides sent, in time order.
 */
export function runGoldenSession(sha: Sha256Fn, crc: Crc32Fn, live: { host: boolean; node: boolean }, recorded: ScriptFrame[]): ScriptFrame[] {
  const clock = new ScriptClock();
  const events: Event[] = [];
  let order = 0;
  const at = (atMs: number, run: () => void) => {
    events.push({ atMs, order: order++, run });
  };
  const out: ScriptFrame[] = [];
  const key = keyBytes();
  const identity = (nodeRole: number, uniqueId: string) => ({ nodeRole, boardId: 2, firmwareMajor: 0, firmwareMinor: 1, firmwarePatch: 0, uniqueId });
  let host: InitiatorSession | null = null;
  let node: ResponderSession | null = null;
  const deliver = (to: 'host' | 'node', bytes: Uint8Array, sentMs: number) =>
    at(sentMs + GOLDEN_SESSION.latencyMs, () => {
      const s = to === 'host' ? host : node;
      if (s) s.receive(bytes);
    });
  // A side's output: kept (a copy) and delivered to the other side after the latency.
  const sent = (from: 'host' | 'node', to: 'host' | 'node') => (bytes: Uint8Array) => {
    if (bytes.length < 2) return; // the flush delimiter a session starts with
    const copy = new Uint8Array(bytes.length);
    copy.set(bytes);
    out.push({ from, atMs: clock.t, bytes: copy });
    deliver(to, copy, clock.t);
  };
  if (live.node) {
    node = new ResponderSession(
      {
        clock, crc, sha256: sha, timings: DEFAULT_TIMINGS, isCommand: isCommandId, identity: identity(NodeRole.InfusionPump, GOLDEN_SESSION.nodeUniqueId),
        deviceKey: key, bench: false, random: words(GOLDEN_SESSION.nodeNonce),
      },
      {
        output: sent('node', 'host'),
        command: (id) => (id === MsgId.PumpSetRate ? ackLease(30000) : 0),
      },
    );
  }
  if (live.host) {
    host = new InitiatorSession(
      {
        clock, crc, sha256: sha, timings: DEFAULT_TIMINGS, sessionIdSeed: GOLDEN_SESSION.hostSessionIdSeed, identity: identity(NodeRole.Host, 'golden-host'),
        random: words(GOLDEN_SESSION.hostNonce), keyFor: (id) => (id === GOLDEN_SESSION.nodeUniqueId ? key : null),
      },
      {
        output: sent('host', 'node'),
      },
    );
  }
  for (const f of recorded) if (f.from === (live.host ? 'node' : 'host') && !(live.host && live.node)) deliver(f.from === 'host' ? 'node' : 'host', f.bytes, f.atMs);
  const n = node;
  const h = host;
  if (n) at(0, () => n.start());
  if (h) {
    at(0, () => h.start());
    at(100, () => h.sendCommand(MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH: 12.5, leaseMs: 30000 }, () => undefined));
    at(300, () => h.sendCommand(MsgId.PumpStop, writePumpStop, {}, () => undefined));
  }
  if (n) {
    at(200, () => n.send(MsgId.PumpStatus, writePumpStatus, {
      tMs: 200, state: 1, rateMlPerH: 12.5, commandedRateMlPerH: 12.5, deliveredMl: 0, leaseRemainingMs: 29700, alarms: 0,
    }));
  }
  // Events in time order, those of one instant in the order they were set (new ones may come in).
  while (events.length) {
    let next = 0;
    for (let i = 1; i < events.length; i++) {
      const e = events[i];
      const b = events[next];
      if (e.atMs < b.atMs || (e.atMs === b.atMs && e.order < b.order)) next = i;
    }
    const e = events.splice(next, 1)[0];
    clock.t = e.atMs;
    e.run();
  }
  return out;
}
