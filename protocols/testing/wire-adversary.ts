// An attacker who owns the wire between a host and a node session: it drops, duplicates, holds back and
// reorders frames, replays any frame seen before (also from earlier sessions), reflects frames to their
// sender, tampers with them (fixing the CRC) and forges new ones, while the host sends commands and the
// node reboots now and then. violations() lists every breach of the session's promises: the node
// actuates only commands the host sent in the same session, each at most once, in the order sent, never
// older than the age limit; the host settles a command as accepted only when the node actuated it, and
// never as refused when it did. Used by the property test and by the long run of `npm run bench`.
import { crc32Range } from '../framing/crc32.ts';
import { HEADER_BYTES } from '../framing/frame-format.ts';
import { FrameDecoder, FrameEncoder } from '../framing/framer.ts';
import { MsgId, NackReason, readPumpSetRate, writePumpSetRate } from '../generated/wire-codec.ts';
import { ackLease, nack } from '../session/responder-session.ts';
import { sessionPair } from './session-pair.ts';
import { seededRandom } from './seeded-random.ts';

export type Action =
  | { kind: 'deliver'; toNode: boolean; count: number }
  | { kind: 'drop' | 'duplicate' | 'hold'; toNode: boolean }
  | { kind: 'release'; pick: number }
  | { kind: 'replay' | 'reflect' | 'tamper'; pick: number; at: number; bits: number }
  | { kind: 'forge'; id: number; body: number[]; seq: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'command' }
  | { kind: 'flush' }
  | { kind: 'reboot' };

export interface AdversaryRun {
  sent: { index: number; hostSession: number; nodeUptime: number; result: number[]; lease: number[] }[];
  actuated: { index: number; nodeSession: number; sentMs: number; atMs: number }[];
  maxAgeMs: number;
  /** Frames the wire delivered, attacks included. */
  frames: number;
}

function reCrc(frame: Uint8Array, at: number, bits: number): Uint8Array | null {
  // Decode, change one byte of header, payload or trailer, encode again with a good CRC.
  let out: Uint8Array | null = null;
  const d = new FrameDecoder(crc32Range, 2, (seq, id, buf, s, e) => {
    const enc = new FrameEncoder(crc32Range, 2);
    enc.raw.set(buf.subarray(s, e), HEADER_BYTES);
    const body = e - s;
    const i = at % (body + 2);
    if (i < body) enc.raw[HEADER_BYTES + i] ^= bits;
    out = enc.encode(i === body ? seq ^ bits : seq, i === body + 1 ? id ^ bits : id, body);
  });
  d.push(frame);
  return out;
}

export function runAdversary(actions: Action[], seed: number): AdversaryRun {
  const pair = sessionPair({ seed });
  const { clock, host, node } = pair;
  const toNode: Uint8Array[] = [];
  const toHost: Uint8Array[] = [];
  const held: { toNode: boolean; f: Uint8Array }[] = [];
  const seen: { toNode: boolean; f: Uint8Array }[] = [];
  const hostOut = (host.session as unknown as { h_: { output(b: Uint8Array): void } }).h_;
  const nodeOut = (node.session as unknown as { h_: { output(b: Uint8Array): void } }).h_;
  hostOut.output = (b) => toNode.push(Uint8Array.from(b));
  nodeOut.output = (b) => toHost.push(Uint8Array.from(b));
  let delivered = 0;
  const give = (toNodeSide: boolean, f: Uint8Array) => {
    delivered++;
    (toNodeSide ? node.session : host.session).receive(f);
  };

  const sent: { index: number; hostSession: number; nodeUptime: number; result: number[]; lease: number[] }[] = [];
  const actuated: { index: number; nodeSession: number; sentMs: number; atMs: number }[] = [];
  let lastByRate = 0;
  node.answer = (id, payload) => {
    if (id !== MsgId.PumpSetRate) return 0;
    const v = readPumpSetRate(Uint8Array.from(payload), 0, payload.length);
    // A payload no host wrote (unreadable) counts as a command never sent: index -1.
    const index = v ? Math.round(v.rateMlPerH * 1000) : -1;
    if (index % 3 === 0) return nack(NackReason.HardLimit, 0);
    const c = node.commands[node.commands.length - 1];
    actuated.push({ index, nodeSession: node.session.sessionId, sentMs: c.sentMs, atMs: c.atMs });
    return ackLease(1000 + index);
  };
  host.session.start();
  node.session.start();
  for (const a of actions) {
    const q = 'toNode' in a && a.toNode ? toNode : toHost;
    const side = 'toNode' in a ? a.toNode : false;
    switch (a.kind) {
      case 'deliver':
        for (let i = 0; i < a.count && q.length; i++) {
          const f = q.shift()!;
          seen.push({ toNode: side, f });
          give(side, f);
        }
        break;
      case 'drop':
        q.shift();
        break;
      case 'flush':
        // An honest stretch of wire: everything queued arrives, in order, until both sides are quiet.
        for (let i = 0; i < 50 && (toNode.length || toHost.length); i++) {
          while (toNode.length) {
            const f = toNode.shift()!;
            seen.push({ toNode: true, f });
            give(true, f);
          }
          while (toHost.length) {
            const f = toHost.shift()!;
            seen.push({ toNode: false, f });
            give(false, f);
          }
          clock.advance(2);
        }
        break;
      case 'duplicate':
      case 'hold': {
        const f = q.shift();
        if (!f) break;
        seen.push({ toNode: side, f });
        if (a.kind === 'hold') held.push({ toNode: side, f });
        else {
          give(side, f);
          give(side, f);
        }
        break;
      }
      case 'release':
        if (held.length) {
          const h = held.splice(a.pick % held.length, 1)[0];
          give(h.toNode, h.f);
        }
        break;
      case 'replay':
      case 'reflect':
      case 'tamper':
        if (seen.length) {
          const s = seen[a.pick % seen.length];
          if (a.kind === 'replay') give(s.toNode, s.f);
          else if (a.kind === 'reflect') give(!s.toNode, s.f);
          else {
            const t = reCrc(s.f, a.at, a.bits);
            if (t) give(s.toNode, t);
          }
        }
        break;
      case 'forge': {
        const enc = new FrameEncoder(crc32Range, 2);
        enc.raw.set(a.body, HEADER_BYTES);
        const f = enc.encode(a.seq, a.id, a.body.length);
        give(a.seq % 2 === 0, f);
        break;
      }
      case 'advance':
        clock.advance(a.ms);
        break;
      case 'command': {
        const index = ++lastByRate;
        const entry = { index, hostSession: host.session.sessionId, nodeUptime: clock.now(), result: [] as number[], lease: [] as number[] };
        sent.push(entry);
        host.session.sendCommand(MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH: index / 1000, leaseMs: 5000 }, (r, lease) => {
          entry.result.push(r);
          entry.lease.push(lease);
        });
        break;
      }
      case 'reboot':
        node.session.stop();
        node.session.start();
        break;
    }
    clock.advance(1);
  }
  return { sent, actuated, maxAgeMs: node.session['o_'].timings.maxCommandAgeMs as number, frames: delivered };
}


/** Every breach of the session's promises in a run, in words; none when the session holds. */
export function violations(r: AdversaryRun): string[] {
  const out: string[] = [];
  const byIndex = new Map(r.sent.map((s) => [s.index, s]));
  const counts = new Map<number, number>();
  for (const a of r.actuated) {
    const s = byIndex.get(a.index);
    if (!s) {
      out.push(`actuated command ${a.index} was never sent by the host`);
      continue;
    }
    counts.set(a.index, (counts.get(a.index) ?? 0) + 1);
    if (a.nodeSession !== s.hostSession) out.push(`command ${a.index} actuated in another session than it was sent in`);
    if (a.sentMs > s.nodeUptime) out.push(`command ${a.index} dated after it was sent`);
    if (a.atMs - a.sentMs > r.maxAgeMs) out.push(`command ${a.index} actuated ${a.atMs - a.sentMs} ms after it was sent`);
  }
  for (const [index, n] of counts) if (n > 1) out.push(`command ${index} actuated ${n} times`);
  for (let i = 1; i < r.actuated.length; i++) {
    const a = r.actuated[i - 1];
    const b = r.actuated[i];
    if (a.nodeSession === b.nodeSession && b.index <= a.index) out.push(`command ${b.index} actuated after ${a.index}, out of order`);
  }
  for (const s of r.sent) {
    if (s.result.length > 1) out.push(`command ${s.index} settled ${s.result.length} times`);
    const res = s.result[0];
    if (res === 0 && counts.get(s.index) !== 1) out.push(`command ${s.index} settled as accepted but never actuated`);
    if (res === 0 && s.lease[0] !== 1000 + s.index) out.push(`command ${s.index} settled with lease ${s.lease[0]}, not the one applied`);
    if (res !== undefined && res !== 0 && res < 250 && counts.has(s.index)) out.push(`command ${s.index} settled as refused (${res}) but actuated`);
  }
  return out;
}

/** A random run of actions for a seed: the long runs of the bench. */
export function randomActions(seed: number, count: number): Action[] {
  const rnd = seededRandom(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const out: Action[] = [];
  for (let i = 0; i < count; i++) {
    const p = rnd();
    const toNode = rnd() < 0.5;
    if (p < 0.25) out.push({ kind: 'deliver', toNode, count: 1 + int(4) });
    else if (p < 0.43) out.push({ kind: 'flush' });
    else if (p < 0.49) out.push({ kind: (['drop', 'duplicate', 'hold'] as const)[int(3)], toNode });
    else if (p < 0.55) out.push({ kind: 'release', pick: int(1 << 30) });
    else if (p < 0.64) out.push({ kind: (['replay', 'reflect', 'tamper'] as const)[int(3)], pick: int(1 << 30), at: int(1 << 30), bits: 1 + int(255) });
    else if (p < 0.67) {
      const ids = [MsgId.PumpSetRate, MsgId.PumpStop, MsgId.Ack, MsgId.Nack, MsgId.Hello, MsgId.Heartbeat];
      out.push({ kind: 'forge', id: ids[int(ids.length)], body: Array.from({ length: 8 + int(32) }, () => int(256)), seq: int(256) });
    } else if (p < 0.79) out.push({ kind: 'advance', ms: 1 + int(900) });
    else if (p < 0.99) out.push({ kind: 'command' });
    else out.push({ kind: 'reboot' });
  }
  return out;
}
