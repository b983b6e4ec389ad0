// Properties of the session against an attacker who owns the wire: it drops, duplicates, holds back and
// reorders frames, replays any frame seen before (also from earlier sessions), reflects frames to their
// sender, tampers with them (fixing the CRC) and forges new ones. Whatever it does, the node actuates only
// commands the host sent in the same session, each at most once, in the order sent, never older than the
// age limit; and the host settles a command as accepted only when the node actuated it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32Range } from '../framing/crc32.ts';
import { HEADER_BYTES } from '../framing/frame-format.ts';
import { FrameDecoder, FrameEncoder } from '../framing/framer.ts';
import { MsgId, NackReason, readPumpSetRate, writePumpSetRate } from '../generated/wire-codec.ts';
import { sessionPair } from '../testing/session-pair.ts';
import { ackLease, nack } from './responder-session.ts';

type Action =
  | { kind: 'deliver'; toNode: boolean; count: number }
  | { kind: 'drop' | 'duplicate' | 'hold'; toNode: boolean }
  | { kind: 'release'; pick: number }
  | { kind: 'replay' | 'reflect' | 'tamper'; pick: number; at: number; bits: number }
  | { kind: 'forge'; id: number; body: number[]; seq: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'command' }
  | { kind: 'flush' }
  | { kind: 'reboot' };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('deliver' as const), toNode: fc.boolean(), count: fc.integer({ min: 1, max: 4 }) }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('flush' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('drop' as const, 'duplicate' as const, 'hold' as const), toNode: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom('replay' as const, 'reflect' as const, 'tamper' as const), pick: fc.nat(), at: fc.nat(), bits: fc.integer({ min: 1, max: 255 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('forge' as const), id: fc.constantFrom(MsgId.PumpSetRate, MsgId.PumpStop, MsgId.Ack, MsgId.Nack, MsgId.Hello, MsgId.Heartbeat),
      body: fc.array(fc.nat(255), { minLength: 8, maxLength: 40 }), seq: fc.nat(255),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 900 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('command' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reboot' as const) }) },
);

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

function run(actions: Action[], seed: number) {
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
  const give = (toNodeSide: boolean, f: Uint8Array) => (toNodeSide ? node.session : host.session).receive(f);

  const sent: { index: number; hostSession: number; nodeUptime: number; result: number[]; lease: number[] }[] = [];
  const actuated: { index: number; nodeSession: number; sentMs: number; atMs: number }[] = [];
  let lastByRate = 0;
  node.answer = (id, payload) => {
    if (id !== MsgId.PumpSetRate) return 0;
    const index = Math.round(readPumpSetRate(Uint8Array.from(payload), 0, payload.length)!.rateMlPerH * 1000);
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
  return { sent, actuated, maxAgeMs: node.session['o_'].timings.maxCommandAgeMs as number };
}

describe('session against an attacker on the wire', () => {
  it('forged, replayed, reflected, tampered, reordered, delayed and duplicated frames never actuate and never settle a command falsely', () => {
    fc.assert(
      fc.property(fc.array(actionArb, { minLength: 40, maxLength: 200 }), fc.integer({ min: 1, max: 1000 }), (actions, seed) => {
        const { sent, actuated, maxAgeMs } = run(actions, seed);
        const byIndex = new Map(sent.map((s) => [s.index, s]));
        const counts = new Map<number, number>();
        for (const a of actuated) {
          const s = byIndex.get(a.index);
          expect(s, `actuated command ${a.index} was never sent by the host`).toBeDefined();
          counts.set(a.index, (counts.get(a.index) ?? 0) + 1);
          expect(a.nodeSession, `command ${a.index} actuated in another session than it was sent in`).toBe(s!.hostSession);
          expect(a.sentMs).toBeLessThanOrEqual(s!.nodeUptime);
          expect(a.atMs - a.sentMs).toBeLessThanOrEqual(maxAgeMs);
        }
        for (const [index, n] of counts) expect(n, `command ${index} actuated ${n} times`).toBe(1);
        // Within a session, actuations follow the order the host sent them in.
        for (let i = 1; i < actuated.length; i++) {
          if (actuated[i].nodeSession === actuated[i - 1].nodeSession) expect(actuated[i].index).toBeGreaterThan(actuated[i - 1].index);
        }
        for (const s of sent) {
          expect(s.result.length, `command ${s.index} settled ${s.result.length} times`).toBeLessThanOrEqual(1);
          const r = s.result[0];
          if (r === 0) {
            expect(counts.get(s.index), `command ${s.index} settled as accepted but never actuated`).toBe(1);
            expect(s.lease[0]).toBe(1000 + s.index);
          } else if (r !== undefined && r < 250) {
            expect(counts.get(s.index), `command ${s.index} refused (${r}) but actuated`).toBeUndefined();
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
