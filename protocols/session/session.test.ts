import { describe, expect, it } from 'vitest';
import {
  AuthMode, MsgId, NackReason, NodeRole, readAck, readHello, readPressureBeat, readPumpSetRate, writeHeartbeat, writeHello,
  writePressureBeat, writePumpSetRate, writePumpStop, writeStimSetAmplitude,
} from '../generated/wire-codec.ts';
import { sessionPair, startedPair } from '../testing/session-pair.ts';
import { crc32Range } from '../framing/crc32.ts';
import { HEADER_BYTES, TRAILER_BYTES } from '../framing/frame-format.ts';
import { FrameDecoder, FrameEncoder } from '../framing/framer.ts';
import { ackLease, nack } from './responder-session.ts';

function rateOf(payload: number[]): number {
  return readPumpSetRate(Uint8Array.from(payload), 0, payload.length)!.rateMlPerH;
}

/** A frame of our version with an all-zero trailer: what an attacker without the key can make. */
function forged(seq: number, id: number, payload: (b: Uint8Array, o: number) => number, version = 2): Uint8Array {
  const enc = new FrameEncoder(crc32Range, version);
  const end = payload(enc.raw, HEADER_BYTES);
  enc.raw.fill(0, end, end + TRAILER_BYTES);
  return enc.encode(seq, id, end + TRAILER_BYTES - HEADER_BYTES);
}

/** Decodes frames as a listener on the wire would: id, payload, trailer. */
function decodeAll(frames: Uint8Array[]) {
  const out: { id: number; payload: Uint8Array; tag: number[] }[] = [];
  const d = new FrameDecoder(crc32Range, 2, (_seq, id, buf, s, e) => {
    out.push({ id, payload: buf.slice(s, e - TRAILER_BYTES), tag: [...buf.subarray(e - 6, e)] });
  });
  for (const f of frames) d.push(f);
  return out;
}

/** A host's Hello as anyone can make it (Hellos carry no tag). */
function strangersHello(v: number, layoutHash: number, sessionId: number): Uint8Array {
  return forged(9, MsgId.Hello, (b, o) => writeHello(b, o, {
    protocolVersion: v, layoutHash, nodeRole: 0, boardId: 0, firmwareMajor: 0, firmwareMinor: 1, firmwarePatch: 0, uptimeMs: 1,
    isReply: 0, sessionId, uniqueId: 'mallory', nonceLow: 1, nonceHigh: 2, authMode: 1,
  }));
}

function send(pair: ReturnType<typeof sessionPair>, rateMlPerH: number, leaseMs = 30_000): number[] {
  const results: number[] = [];
  pair.host.session.sendCommand(MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH, leaseMs }, (r) => results.push(r));
  return results;
}

describe('session handshake', () => {
  it('brings both sides up within one round trip, authenticated, with a MAC on every session frame', () => {
    const pair = startedPair();
    const { host, node } = pair;
    expect(host.session.state).toBe('ready');
    expect(node.session.state).toBe('ready');
    expect(host.session.authenticated).toBe(true);
    expect(host.session.peer?.uniqueId).toBe('node-1');
    expect(host.events).toEqual(['ready:2']);
    expect(node.events).toEqual(['ready:host']);
    pair.clock.advance(2000);
    const frames = decodeAll(node.sent).filter((f) => f.id !== MsgId.Hello);
    expect(frames.length).toBeGreaterThan(3);
    for (const f of frames) expect(f.tag.some((b) => b !== 0)).toBe(true);
  });

  it('keeps sending Hello until the node answers', () => {
    const { clock, host, node } = sessionPair();
    host.session.start();
    clock.advance(1600);
    expect(host.session.state).toBe('handshaking');
    expect(host.session.counters.framesTx).toBeGreaterThanOrEqual(4);
    node.session.start();
    clock.advance(600);
    expect(host.session.state).toBe('ready');
  });

  it('refuses a node built from another catalogue and says what differs and what to do', () => {
    const { host } = startedPair({ nodeLayoutHash: 0xdeadbeef });
    expect(host.session.state).toBe('refused');
    const why = host.events.find((e) => e.startsWith('refused:'))!;
    expect(why).toMatch(/layout hash 0xdeadbeef/);
    expect(why).toMatch(/rebuild and flash/);
    expect(why).toMatch(/node-1/);
  });

  it('refuses a node that has no key, which in turn refuses to execute anything', () => {
    const pair = startedPair({ nodeKey: null });
    expect(pair.host.session.state).toBe('refused');
    expect(pair.host.events.join()).toMatch(/'node-1' .* has no device key, so it refuses to actuate: flash it with one \(homeostat flash --node infusion-pump .*--key-file/);
    expect(pair.node.session.hello.authMode).toBe(AuthMode.None);
    pair.node.session.receive(forged(0, MsgId.PumpSetRate, (b, o) => writePumpSetRate(b, o, { rateMlPerH: 5, leaseMs: 1000 })));
    pair.clock.advance(10);
    expect(pair.node.commands).toEqual([]);
  });

  it('refuses a node whose key the keyring lacks, and one whose Hello fails authentication', () => {
    const noKey = startedPair({ hostKeys: {} });
    expect(noKey.host.events.join()).toMatch(/no key for device 'node-1' in the keyring \(test keyring\)/);
    const wrong = startedPair({ hostKeys: { 'node-1': new Uint8Array(16).fill(9) } });
    expect(wrong.host.session.state).toBe('handshaking');
    expect(wrong.host.session.lastAuthFailure).toBe('node-1');
    expect(wrong.host.session.counters.authErrors).toBeGreaterThan(0);
    expect(wrong.node.session.state).not.toBe('ready');
  });

  it('checks the role and board the node says it is against what the host expects', () => {
    const pair = sessionPair();
    pair.host.session.expectRole = NodeRole.BpSensor;
    pair.host.session.start();
    pair.node.session.start();
    pair.clock.advance(100);
    expect(pair.host.session.state).toBe('refused');
    expect(pair.host.events.join()).toMatch(/'node-1' \(infusion-pump on none.*is not the bp-sensor this link was opened for/);
    const board = sessionPair();
    board.host.session.expectBoard = 2;
    board.host.session.start();
    board.node.session.start();
    board.clock.advance(100);
    expect(board.host.events.join()).toMatch(/is not on the pico board/);
  });

  it('opens an unauthenticated session with a bench-mode node, and refuses one the keyring has a key for', () => {
    const bench = startedPair({ bench: true, hostKeys: {} });
    expect(bench.host.session.state).toBe('ready');
    expect(bench.host.session.authenticated).toBe(false);
    expect(send(bench, 3)).toEqual([]);
    bench.clock.advance(20);
    expect(bench.node.commands).toHaveLength(1);
    const keyed = startedPair({ bench: true });
    expect(keyed.host.session.state).toBe('refused');
    expect(keyed.host.events.join()).toMatch(/unauthenticated bench mode, but the keyring holds a key for it/);
  });

  it('no unauthenticated Hello ends a live session, whatever its version, layout or session id', () => {
    const pair = startedPair();
    const { clock, node } = pair;
    const id = node.session.sessionId;
    const hello = strangersHello;
    for (const [v, l, s] of [[2, node.session.layoutHash, 77], [1, 0, 78], [7, 123, 0], [2, node.session.layoutHash, id]]) {
      node.session.receive(hello(v, l, s));
      clock.advance(300);
    }
    expect(node.session.state).toBe('ready');
    expect(node.session.sessionId).toBe(id);
    const results = send(pair, 4);
    clock.advance(50);
    expect(results).toEqual([0]);
    expect(node.events).toEqual(['ready:host']);
  });

  it('answers a Hello of another catalogue without nonce or tag (it opens nothing), and a live node a flood of Hellos once per 250 ms', () => {
    const fresh = sessionPair();
    fresh.node.session.start();
    fresh.node.session.receive(strangersHello(2, 0x1234, 55));
    const reply = decodeAll(fresh.node.sent).filter((f) => f.id === MsgId.Hello).at(-1)!;
    const h = readHello(reply.payload, 0, reply.payload.length)!;
    expect([h.isReply, h.sessionId, h.layoutHash, h.nonceLow, h.nonceHigh]).toEqual([1, 55, fresh.node.session.layoutHash, 0, 0]);
    expect(reply.tag.every((b) => b === 0)).toBe(true);

    const { clock, node } = startedPair();
    const helloCount = () => decodeAll(node.sent).filter((f) => f.id === MsgId.Hello).length;
    const before = helloCount();
    clock.advance(300);
    for (let i = 0; i < 40; i++) {
      node.session.receive(strangersHello(2, node.session.layoutHash, 500 + i));
      clock.advance(10);
    }
    expect(helloCount() - before).toBeLessThanOrEqual(2);
    expect(node.session.state).toBe('ready');
  });

  it('a repeated Hello of the same handshake opens the same session and does not forget executed commands', () => {
    const { clock, host, node } = startedPair({ faults: { duplicateRate: 1 } });
    let result = -1;
    host.session.sendCommand(MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH: 3, leaseMs: 1000 }, (r) => { result = r; });
    clock.advance(1000);
    expect(result).toBe(0);
    expect(node.commands).toHaveLength(1);
    expect(node.session.counters.duplicates).toBeGreaterThan(0);
    expect(host.session.state).toBe('ready');
  });

  it('a Hello answered late opens one session with the first answer: the node resends the same answer, not a new nonce', () => {
    const pair = sessionPair({ faults: { latencyMs: 700 } });
    pair.host.session.start();
    pair.node.session.start();
    pair.clock.advance(4000);
    expect(pair.host.session.state).toBe('ready');
    expect(pair.node.session.state).toBe('ready');
    expect(pair.node.session.sessionId).toBe(pair.host.session.sessionId);
  });

  it('a node that reboots announces itself and the host opens a new session', () => {
    const pair = startedPair();
    const { clock, host } = pair;
    const before = host.session.sessionId;
    pair.node.session.stop();
    pair.node.session.start();
    clock.advance(100);
    expect(host.session.state).toBe('ready');
    expect(pair.node.session.state).toBe('ready');
    expect(host.session.sessionId).not.toBe(before);
    expect(pair.node.session.sessionId).toBe(host.session.sessionId);
  });

  it('refuses a node of protocol version 1, naming it and the firmware to rebuild', () => {
    const { clock, host } = sessionPair();
    // A version-1 node: drops version-2 frames, answers a version-1 Hello with its own.
    const v1 = new FrameEncoder(crc32Range, 1);
    const seen = new FrameDecoder(crc32Range, 1, (_seq, id, buf, s, e) => {
      const h = id === MsgId.Hello ? readHello(buf, s, e) : null;
      if (!h || h.isReply) return;
      const end = writeHello(v1.raw, HEADER_BYTES, {
        protocolVersion: 1, layoutHash: 0x8af8f044, nodeRole: NodeRole.InfusionPump, boardId: 2, firmwareMajor: 0, firmwareMinor: 1,
        firmwarePatch: 0, uptimeMs: 99, isReply: 1, sessionId: h.sessionId, uniqueId: 'old-pump',
      });
      clock.after(2, () => host.session.receive(v1.encode(5, MsgId.Hello, end - HEADER_BYTES)));
    });
    (host.session as unknown as { h_: { output(b: Uint8Array): void } }).h_.output = (b) => seen.push(b);
    host.session.start();
    clock.advance(3000);
    expect(host.session.state).toBe('refused');
    expect(host.events.join()).toMatch(
      /peer 'old-pump' \(infusion-pump on pico, firmware 0\.1\.0\) speaks protocol version 1, this host 2: rebuild its firmware .*homeostat flash --node infusion-pump --board pico --port <port> --key-file/,
    );
  });
});

describe('session commands', () => {
  it('resolves on Ack with the lease the node applied, and executes once', () => {
    const pair = startedPair();
    pair.node.answer = () => ackLease(1234);
    const got: [number, number][] = [];
    pair.host.session.sendCommand(MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH: 12.5, leaseMs: 30000 }, (r, lease) => got.push([r, lease]));
    pair.clock.advance(20);
    expect(got).toEqual([[0, 1234]]);
    expect(pair.node.commands.map((c) => rateOf(c.payload))).toEqual([12.5]);
  });

  it('resolves with the Nack reason the node gave, and never takes a Nack of reason 0 for an Ack', () => {
    const pair = startedPair();
    pair.node.answer = () => nack(NackReason.HardLimit, 0);
    expect(send(pair, 900)).toEqual([]);
    pair.clock.advance(20);
    pair.node.answer = () => nack(0);
    const zero = send(pair, 901);
    pair.clock.advance(2000);
    expect(zero).toEqual([NackReason.Timeout]);
    expect(pair.host.session.invalidAnswers).toBeGreaterThan(0);
  });

  it('retransmits a lost answer\'s command and times out after maxTries, executing it once', () => {
    const { clock, host, node } = startedPair();
    node.connected = false; // answers vanish
    const results: number[] = [];
    host.session.sendCommand(MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH: 1, leaseMs: 30000 }, (r) => results.push(r));
    clock.advance(249);
    expect(results).toEqual([]);
    expect(node.commands).toHaveLength(1);
    clock.advance(1000);
    expect(results).toEqual([NackReason.Timeout]);
    expect(host.session.counters.retransmits).toBe(3);
    expect(node.commands).toHaveLength(1);
    expect(node.session.counters.duplicates).toBe(3);
  });

  it('refuses commands before the handshake and when too many are in flight', () => {
    const { clock, host, node } = sessionPair();
    const results: number[] = [];
    host.session.sendCommand(MsgId.PumpStop, writePumpStop, {}, (r) => results.push(r));
    expect(results).toEqual([NackReason.NotReady]);
    host.session.start();
    node.session.start();
    clock.advance(50);
    node.connected = false;
    for (let i = 0; i < 9; i++) host.session.sendCommand(MsgId.PumpStop, writePumpStop, {}, (r) => results.push(r));
    expect(results).toEqual([NackReason.NotReady, NackReason.QueueFull]);
  });

  it('refuses a command older than the last one executed, and one sent longer ago than the age limit', () => {
    const pair = startedPair();
    const { clock, host, node } = pair;
    // Hold the host's frames so that the second command overtakes the first.
    const held: Uint8Array[] = [];
    const output = (host.session as unknown as { h_: { output(b: Uint8Array): void } }).h_;
    const pass = output.output;
    output.output = (b) => held.push(Uint8Array.from(b));
    const first = send(pair, 30);
    const second = send(pair, 60);
    output.output = pass;
    node.session.receive(held[1]);
    node.session.receive(held[0]);
    clock.advance(20);
    expect(second).toEqual([0]);
    expect(first).toEqual([NackReason.Stale]);
    expect(node.commands.map((c) => rateOf(c.payload))).toEqual([60]);
    // Delayed in transit past maxCommandAgeMs (2 s), every try of it, while heartbeats still flow: refused,
    // even though nothing newer ran.
    const isCommand = (b: Uint8Array) => decodeAll([b]).some((f) => f.id === MsgId.PumpSetRate);
    output.output = (b) => (isCommand(b) ? held.push(Uint8Array.from(b)) : pass(b));
    const late = send(pair, 10);
    clock.advance(2100);
    output.output = pass;
    node.session.receive(held[held.length - 1]);
    clock.advance(20);
    expect(node.commands).toHaveLength(1);
    expect(node.session.counters.stale).toBe(2);
    expect(late).toEqual([NackReason.Timeout]);
  });

  it('answers a command of another device, and an unknown id, with unknown-message', () => {
    const pair = startedPair();
    (pair.node.session as unknown as { ro_: { isCommand(id: number): boolean } }).ro_.isCommand = (id) => id === MsgId.PumpSetRate;
    const results: number[] = [];
    pair.host.session.sendCommand(MsgId.StimSetAmplitude, writeStimSetAmplitude, { amplitudeMa: 1, leaseMs: 1000 }, (r) => results.push(r));
    pair.host.session.sendCommand(0x7e, (b, o) => o, {}, (r) => results.push(r));
    pair.clock.advance(20);
    expect(results).toEqual([NackReason.UnknownMessage, NackReason.UnknownMessage]);
    expect(pair.node.commands).toEqual([]);
  });

  it('the handler learns when the command was sent, in its own uptime and never later than the truth', () => {
    const pair = startedPair({ faults: { latencyMs: 40 } });
    pair.clock.advance(5000);
    const nodeStart = 0;
    const sentAt = pair.clock.now() - nodeStart;
    send(pair, 2);
    pair.clock.advance(200);
    const c = pair.node.commands[0];
    expect(c.sentMs).toBeLessThanOrEqual(sentAt);
    // The lower bound lags the truth by about one frame's flight from the node (40 ms) and its age since.
    expect(sentAt - c.sentMs).toBeLessThan(600);
  });

  it('a host that gets not-ready from a node that lost its session opens a new one at once', () => {
    const pair = startedPair();
    const { clock, host, node } = pair;
    node.connected = false; // the reboot announcement is lost
    node.session.stop();
    node.session.start();
    node.connected = true;
    const first = send(pair, 5);
    clock.advance(150);
    expect(first).toEqual([NackReason.LinkLost]);
    expect(host.session.state).toBe('ready');
    expect(node.session.state).toBe('ready');
    const second = send(pair, 6);
    clock.advance(20);
    expect(second).toEqual([0]);
    expect(node.commands.map((c) => rateOf(c.payload))).toEqual([6]);
  });

  it('a host that gets an authenticated not-ready opens a new session at once', () => {
    const pair = startedPair();
    const before = pair.host.session.sessionId;
    pair.node.answer = () => nack(NackReason.NotReady);
    const r = send(pair, 5);
    pair.clock.advance(20);
    expect(r).toEqual([NackReason.NotReady]);
    // The node answers one Hello per 250 ms while up; the host's next Hello comes within helloRetryMs.
    pair.clock.advance(600);
    expect(pair.host.session.state).toBe('ready');
    expect(pair.host.session.sessionId).not.toBe(before);
  });

  it('never settles a command with a late answer to an earlier one that had the same sequence number', () => {
    const pair = startedPair();
    const { clock, host, node } = pair;
    const seqOf = (frame: Uint8Array) => {
      let seq = -1;
      new FrameDecoder(crc32Range, 2, (q) => (seq = q)).push(frame);
      return seq;
    };
    // The node's answer to the first command is held back on the wire until the host has given up on it.
    const held: Uint8Array[] = [];
    const wire = (node.session as unknown as { h_: { output(b: Uint8Array): void } }).h_;
    const pass = wire.output;
    wire.output = (b) => held.push(Uint8Array.from(b));
    const first = send(pair, 30);
    const firstSeq = seqOf(host.sent[host.sent.length - 1]);
    clock.advance(1100);
    wire.output = pass;
    expect(first).toEqual([NackReason.Timeout]);
    // The host's frames go on until its sequence byte comes round to the first command's again.
    const tx = () => (host.session as unknown as { tx_: number }).tx_ & 0xff;
    while (tx() !== firstSeq) host.session.send(MsgId.Heartbeat, writeHeartbeat, { uptimeMs: 0 });
    host.connected = false; // the second command never reaches the node
    const second = send(pair, 90);
    host.connected = true;
    expect(seqOf(host.sent[host.sent.length - 1])).toBe(firstSeq);
    const lateAck = held.find((f) => decodeAll([f])[0].id === MsgId.Ack)!;
    host.session.receive(lateAck);
    expect(second).toEqual([]);
    expect(node.commands.map((c) => rateOf(c.payload))).toEqual([30]);
  });

  it('obeys an unauthenticated stop only where the device allows it, and answers it without a tag', () => {
    for (const allowed of [true, false]) {
      const pair = startedPair({ acceptUnauthenticated: allowed ? (id) => id === MsgId.PumpStop : undefined });
      pair.node.session.receive(forged(77, MsgId.PumpStop, (b, o) => writePumpStop(b, o, {})));
      pair.node.session.receive(forged(78, MsgId.PumpSetRate, (b, o) => writePumpSetRate(b, o, { rateMlPerH: 5, leaseMs: 1000 })));
      pair.clock.advance(10);
      expect(pair.node.commands.map((c) => c.id)).toEqual(allowed ? [MsgId.PumpStop] : []);
      const answers = decodeAll(pair.node.sent).filter((f) => f.id === MsgId.Ack);
      expect(answers.some((a) => readAck(a.payload, 0, a.payload.length)!.ackedSeq === 77 && a.tag.every((b) => b === 0))).toBe(allowed);
      // The host in session ignores an Ack it cannot authenticate.
      expect(pair.host.session.counters.authErrors).toBe(allowed ? 1 : 0);
    }
  });
});

describe('session under loss, duplication and reordering', () => {
  for (const seed of [1, 2, 3]) {
    it(`executes every acknowledged command exactly once, none twice and none out of order (seed ${seed})`, () => {
      const { clock, host, node } = startedPair({
        seed,
        faults: { dropRate: 0.2, duplicateRate: 0.2, reorderRate: 0.2, extraDelayMs: 40 },
      });
      const outcome = new Map<number, number>();
      let sent = 0;
      // When each rate was (last) sent, and in which node session each was executed.
      const sentAt = new Map<number, number>();
      let sends = 0;
      const runs: { rate: number; session: number }[] = [];
      node.answer = (_id, payload) => {
        runs.push({ rate: rateOf(payload), session: node.session.sessionId });
        return 0;
      };
      const sendRate = (rate: number) => {
        sentAt.set(rate, sends++);
        host.session.sendCommand(MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH: rate, leaseMs: 5000 }, (r) => {
          // A full window (a command still unanswered and 8 sent since): the same one again later.
          if (r === NackReason.QueueFull) return void clock.after(50, () => sendRate(rate));
          outcome.set(rate, r);
          clock.after(5, sendNext);
        });
      };
      const sendNext = () => {
        if (sent < 150) sendRate(++sent);
      };
      sendNext();
      sendNext();
      sendNext();
      for (let t = 0; t < 600 && outcome.size < 150; t++) clock.advance(100);
      const executed = runs.map((r) => r.rate);
      expect(new Set(executed).size).toBe(executed.length);
      // Within a session the executed commands were sent in that order (older ones are refused).
      for (let i = 1; i < runs.length; i++) {
        if (runs[i].session === runs[i - 1].session) expect(sentAt.get(runs[i].rate)).toBeGreaterThan(sentAt.get(runs[i - 1].rate)!);
      }
      let acked = 0;
      for (const [rate, r] of outcome) {
        if (r === 0) {
          acked++;
          expect(executed.includes(rate), `acknowledged rate ${rate} was never executed`).toBe(true);
        } else {
          expect([NackReason.Timeout, NackReason.LinkLost, NackReason.NotReady, NackReason.Stale, NackReason.QueueFull]).toContain(r);
          // Refused (by the node or before sending): never executed. Timeout and link-lost: unknown.
          if (r === NackReason.Stale || r === NackReason.NotReady || r === NackReason.QueueFull) expect(executed.includes(rate)).toBe(false);
        }
      }
      expect(acked).toBeGreaterThan(90);
      expect(node.session.counters.duplicates).toBeGreaterThan(0);
      expect(host.session.counters.retransmits).toBeGreaterThan(0);
    });
  }

  it('delivers telemetry once even when the wire duplicates it, and in spite of reordering', () => {
    const { clock, host, node } = startedPair({ faults: { duplicateRate: 1, reorderRate: 0.5, extraDelayMs: 15 } });
    for (let i = 0; i < 50; i++) {
      node.session.send(MsgId.PressureBeat, writePressureBeat, {
        tMs: i, systolicMmHg: 120, diastolicMmHg: 80, meanMmHg: 93, heartRateBpm: 70, quality: 0,
      });
      clock.advance(10);
    }
    clock.advance(100);
    const beats = host.messages.filter((m) => m.id === MsgId.PressureBeat).map((m) => readPressureBeat(Uint8Array.from(m.payload), 0, m.payload.length)!.tMs);
    expect(new Set(beats).size).toBe(beats.length);
    expect([...beats].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});

describe('session heartbeats and link loss', () => {
  it('heartbeats keep an idle link up', () => {
    const { clock, host, node } = startedPair();
    clock.advance(60_000);
    expect(host.session.state).toBe('ready');
    expect(node.session.state).toBe('ready');
    expect(host.events).toEqual(['ready:2']);
  });

  it('declares the link lost after the timeout, fails commands in flight, and recovers when the peer returns', () => {
    const { clock, host, node } = startedPair();
    node.connected = false;
    const results: number[] = [];
    clock.advance(1500);
    host.session.sendCommand(MsgId.PumpStop, writePumpStop, {}, (r) => results.push(r));
    clock.advance(1100);
    expect(host.session.state).toBe('handshaking');
    expect(host.events.some((e) => /^lost:no authenticated frame from the peer for more than 2000 ms/.test(e))).toBe(true);
    expect(results).toEqual([NackReason.LinkLost]);
    node.connected = true;
    clock.advance(3000);
    expect(host.session.state).toBe('ready');
  });

  it('forged heartbeats do not keep a silent link up', () => {
    const { clock, host, node } = startedPair();
    node.connected = false;
    for (let i = 0; i < 60; i++) {
      host.session.receive(forged(i, MsgId.Heartbeat, (b, o) => writeHeartbeat(b, o, { uptimeMs: i })));
      clock.advance(50);
    }
    expect(host.session.state).toBe('handshaking');
    expect(host.session.counters.authErrors).toBeGreaterThan(30);
  });

  it('replays of the host\'s own frames do not keep a node\'s session up once the host has gone', () => {
    const { clock, host, node } = startedPair();
    clock.advance(1000);
    const recent = host.sent.slice(-3);
    host.connected = false;
    for (let i = 0; i < 60; i++) {
      node.session.receive(recent[i % recent.length]);
      clock.advance(50);
    }
    expect(node.session.state).not.toBe('ready');
    expect(node.events.some((e) => e.startsWith('lost:'))).toBe(true);
  });

  it('detects loss no later than the link timeout plus one heartbeat period', () => {
    const { clock, host, node } = startedPair();
    node.connected = false;
    const t0 = clock.now();
    let lostAt = -1;
    while (lostAt < 0 && clock.now() < t0 + 10_000) {
      clock.advance(10);
      if (host.session.state !== 'ready') lostAt = clock.now();
    }
    expect(lostAt - t0).toBeGreaterThan(2000);
    expect(lostAt - t0).toBeLessThanOrEqual(2000 + 500 + 10);
  });

  it('sends LinkStatus counters periodically, with the version-2 counters appended', () => {
    const { clock, host } = startedPair();
    clock.advance(5100);
    const status = host.messages.filter((m) => m.id === MsgId.LinkStatus);
    expect(status.length).toBe(1);
    expect(status[0].payload.length).toBe(48);
  });
});
