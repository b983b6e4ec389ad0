import { describe, expect, it } from 'vitest';
import {
  MsgId, NackReason, readPressureBeat, readPumpSetRate, writeHeartbeat, writePressureBeat, writePumpSetRate, writePumpStop,
} from '../generated/wire-codec.ts';
import { sessionPair } from '../testing/session-pair.ts';
import { crc32Range } from '../framing/crc32.ts';
import { HEADER_BYTES } from '../framing/frame-format.ts';
import { FrameEncoder } from '../framing/framer.ts';
import { nack } from './responder-session.ts';

function started(opts: Parameters<typeof sessionPair>[0] = {}) {
  const pair = sessionPair(opts);
  pair.host.session.start();
  pair.node.session.start();
  for (let i = 0; i < 200 && !(pair.host.session.ready && pair.node.session.ready); i++) pair.clock.advance(50);
  return pair;
}

function rateOf(payload: number[]): number {
  return readPumpSetRate(Uint8Array.from(payload), 0, payload.length)!.rateMlPerH;
}

describe('session handshake', () => {
  it('brings both sides up within one round trip', () => {
    const { host, node } = started();
    expect(host.session.state).toBe('ready');
    expect(node.session.state).toBe('ready');
    expect(host.session.peer?.uniqueId).toBe('node-1');
    expect(host.events).toEqual(['ready:2']);
    expect(node.events).toEqual(['ready:0']);
  });

  it('keeps sending Hello until the node answers', () => {
    const { clock, host, node } = sessionPair();
    host.session.start();
    clock.advance(1600); // node not started yet: its session ignores nothing, it is simply absent
    expect(host.session.state).toBe('handshaking');
    expect(host.session.counters().framesTx).toBeGreaterThanOrEqual(4);
    node.session.start();
    clock.advance(600);
    expect(host.session.state).toBe('ready');
  });

  it('refuses a node built from another catalogue and says what differs and what to do', () => {
    const { host, node } = started({ nodeLayoutHash: 0xdeadbeef });
    expect(host.session.state).toBe('refused');
    expect(node.session.state).toBe('refused');
    const why = host.events.find((e) => e.startsWith('refused:'))!;
    expect(why).toMatch(/layout hash 0xdeadbeef/);
    expect(why).toMatch(/rebuild and flash/);
    expect(why).toMatch(/node-1/);
  });

  it('refuses a peer whose frames carry another protocol version, naming both versions', () => {
    const { clock, host } = sessionPair();
    host.session.start();
    const enc = new FrameEncoder(crc32Range, 2);
    const end = writeHeartbeat(enc.raw, HEADER_BYTES, { uptimeMs: 5 });
    host.session.receive(enc.encode(0, MsgId.Heartbeat, end - HEADER_BYTES));
    clock.advance(10);
    expect(host.events.some((e) => /refused:the peer speaks protocol version 2, this side 1/.test(e))).toBe(true);
    expect(host.session.counters().versionErrors).toBe(1);
  });

  it('a node refuses a host built from another catalogue, and the host learns why from its answer', () => {
    const { host, node } = started({ nodeLayoutHash: 0x1234 });
    expect(node.session.state).toBe('refused');
    expect(node.events.some((e) => /refused:peer 'host'.*layout hash/.test(e))).toBe(true);
    expect(host.events.some((e) => /refused:peer 'node-1' \(infusion-pump on none, firmware 0\.1\.0\).*0x00001234/.test(e))).toBe(true);
  });

  it('a repeated Hello of the same session does not make the node forget executed commands', () => {
    const { clock, host, node } = started({ faults: { duplicateRate: 1 } });
    let result = -1;
    host.session.sendCommand(MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH: 3, leaseMs: 1000 }, (r) => { result = r; });
    clock.advance(1000);
    expect(result).toBe(0);
    expect(node.commands).toHaveLength(1);
    expect(node.session.counters().duplicates).toBeGreaterThan(0);
  });

  it('a node that reboots announces itself and the host opens a new session', () => {
    const pair = started();
    const { clock, host } = pair;
    pair.node.session.stop();
    pair.node.session.start();
    clock.advance(100);
    expect(host.events.some((e) => e.startsWith('lost:the peer restarted'))).toBe(true);
    expect(host.session.state).toBe('ready');
    expect(pair.node.session.state).toBe('ready');
  });
});

describe('session commands', () => {
  it('resolves on Ack and executes once', () => {
    const { clock, host, node } = started();
    const results: number[] = [];
    host.session.sendCommand(MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH: 12.5, leaseMs: 30000 }, (r) => results.push(r));
    clock.advance(20);
    expect(results).toEqual([0]);
    expect(node.commands.map((c) => rateOf(c.payload))).toEqual([12.5]);
  });

  it('resolves with the Nack reason and field the node gave', () => {
    const { clock, host, node } = started();
    node.answer = () => nack(NackReason.HardLimit, 0);
    const results: number[] = [];
    host.session.sendCommand(MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH: 900, leaseMs: 30000 }, (r) => results.push(r));
    clock.advance(20);
    expect(results).toEqual([NackReason.HardLimit]);
  });

  it('retransmits a lost command and times out after maxTries', () => {
    const { clock, host, node } = started();
    node.connected = false; // answers vanish
    const results: number[] = [];
    host.session.sendCommand(MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH: 1, leaseMs: 30000 }, (r) => results.push(r));
    clock.advance(249);
    expect(results).toEqual([]);
    expect(node.commands).toHaveLength(1);
    clock.advance(1000); // 4 tries x 250 ms
    expect(results).toEqual([NackReason.Timeout]);
    expect(host.session.counters().retransmits).toBe(3);
    // The node executed it once: the 3 retransmissions were recognised as duplicates.
    expect(node.commands).toHaveLength(1);
    expect(node.session.counters().duplicates).toBe(3);
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

  it('a node answers not-ready before the handshake, except for the commands it accepts early', () => {
    const { clock, host, node } = sessionPair({ acceptBeforeReady: (id) => id === MsgId.PumpStop });
    node.session.start();
    // Feed the node a command from a host session that believes it is up: use the host's encoder by
    // starting the host against a disconnected node, then reconnecting.
    host.session.start();
    clock.advance(10);
    expect(node.session.state).toBe('ready');
    node.connected = false; // its boot announcement will be lost: the host still thinks the session is up
    node.session.stop();
    node.session.start(); // node rebooted and has not yet seen a Hello of the new session
    const results: number[] = [];
    host.session.sendCommand(MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH: 1, leaseMs: 1000 }, (r) => results.push(r));
    host.session.sendCommand(MsgId.PumpStop, writePumpStop, {}, (r) => results.push(r));
    node.connected = true;
    clock.advance(20);
    expect(results).toEqual([NackReason.NotReady, 0]);
    expect(node.commands.map((c) => c.id)).toEqual([MsgId.PumpStop]);
  });
});

describe('session under loss, duplication and reordering', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`executes every acknowledged command exactly once and no command twice (seed ${seed})`, () => {
      const { clock, host, node } = started({
        seed,
        faults: { dropRate: 0.2, duplicateRate: 0.2, reorderRate: 0.2, extraDelayMs: 40 },
      });
      const outcome = new Map<number, number>();
      let sent = 0;
      const sendNext = () => {
        if (sent >= 150) return;
        const rate = ++sent;
        host.session.sendCommand(MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH: rate, leaseMs: 5000 }, (r) => {
          outcome.set(rate, r);
          clock.after(5, sendNext);
        });
      };
      // Three commands in flight at a time.
      sendNext();
      sendNext();
      sendNext();
      for (let t = 0; t < 600 && outcome.size < 150; t++) {
        clock.advance(100);
        if (host.session.state !== 'ready' && outcome.size < sent) continue;
      }
      const executed = new Map<number, number>();
      for (const c of node.commands) {
        const r = rateOf(c.payload);
        executed.set(r, (executed.get(r) ?? 0) + 1);
      }
      for (const [rate, count] of executed) expect(count, `rate ${rate} executed ${count} times`).toBe(1);
      let acked = 0;
      for (const [rate, r] of outcome) {
        if (r === 0) {
          acked++;
          expect(executed.get(rate), `acknowledged rate ${rate} was never executed`).toBe(1);
        } else {
          expect([NackReason.Timeout, NackReason.LinkLost, NackReason.NotReady]).toContain(r);
        }
      }
      expect(acked).toBeGreaterThan(100);
      const c = node.session.counters();
      expect(c.duplicates).toBeGreaterThan(0);
      expect(c.drops).toBeGreaterThan(0);
      expect(host.session.counters().retransmits).toBeGreaterThan(0);
    });
  }

  it('delivers telemetry once even when the wire duplicates it, and in spite of reordering', () => {
    const { clock, host, node } = started({ faults: { duplicateRate: 1, reorderRate: 0.5, extraDelayMs: 15 } });
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
    const { clock, host, node } = started();
    clock.advance(60_000);
    expect(host.session.state).toBe('ready');
    expect(node.session.state).toBe('ready');
    expect(host.events).toEqual(['ready:2']);
  });

  it('declares the link lost after the timeout, fails commands in flight, and recovers when the peer returns', () => {
    const { clock, host, node } = started();
    node.connected = false;
    const results: number[] = [];
    clock.advance(1500);
    host.session.sendCommand(MsgId.PumpStop, writePumpStop, {}, (r) => results.push(r));
    clock.advance(1100);
    expect(host.session.state).toBe('handshaking');
    expect(host.events.some((e) => /^lost:no frame from the peer for more than 2000 ms/.test(e))).toBe(true);
    expect(results).toEqual([NackReason.LinkLost]);
    node.connected = true;
    clock.advance(3000);
    expect(host.session.state).toBe('ready');
  });

  it('detects loss no later than the link timeout plus one heartbeat period', () => {
    const { clock, host, node } = started();
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

  it('sends LinkStatus counters periodically', () => {
    const { clock, host } = started();
    clock.advance(5100);
    expect(host.messages.filter((m) => m.id === 0x05).length).toBe(1);
  });
});
