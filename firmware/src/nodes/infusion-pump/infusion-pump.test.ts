// The infusion-pump firmware as built for the Pico, run unchanged in the board emulator on virtual time,
// with a syringe mechanism on its pins and a host session on its USB port.
import { describe, expect, it } from 'vitest';
import { crc32Range } from '../../../../protocols/framing/crc32.ts';
import { HEADER_BYTES, TRAILER_BYTES } from '../../../../protocols/framing/frame-format.ts';
import type { VirtualClock } from '../../../../protocols/clock/virtual-clock.ts';
import { FrameEncoder } from '../../../../protocols/framing/framer.ts';
import {
  AlarmCode, MsgId, NackReason, PumpState, readAlarm, readPumpLimits, readPumpStatus, writePumpSetRate, writePumpStop,
} from '../../../../protocols/generated/wire-codec.ts';
import type { PumpStatusValues } from '../../../../protocols/generated/wire-codec.ts';
import { boardById, emulatedNode } from '../../../../hil/emulator/emulated-node.ts';
import type { EmulatedNode } from '../../../../hil/emulator/emulated-node.ts';
import type { LineModel } from '../../../../hil/sim/syringe-mechanism.ts';
import { PATIENT_LINE, SyringeMechanism } from '../../../../hil/sim/syringe-mechanism.ts';
import type { PumpBoardConfig } from '../../board-config.ts';
import type { Board } from '../../../build/board-schema.ts';

async function pumpRig(line?: LineModel, boardConfig?: Board) {
  const node = await emulatedNode('infusion-pump', 'pico', { boardConfig });
  const cfg = node.boardConfig.nodes['infusion-pump'] as PumpBoardConfig;
  const mech = new SyringeMechanism(node.board, cfg, node.clock, line);
  node.clock.advance(1000);
  return { ...node, cfg, mech };
}

function command(n: EmulatedNode, id: number, write: (b: Uint8Array, o: number, m: never) => number, m: unknown): Promise<number> {
  return new Promise((resolve) => n.host.sendCommand(id, write as never, m as never, resolve));
}

async function run<T>(n: EmulatedNode, p: Promise<T>, stepMs = 10): Promise<T> {
  let done = false;
  let value: T | undefined;
  void p.then((v) => {
    done = true;
    value = v;
  });
  for (let i = 0; i < 1000 && !done; i++) {
    n.clock.advance(stepMs);
    await Promise.resolve();
  }
  if (!done) throw new Error('command never answered');
  return value as T;
}

function statuses(n: EmulatedNode): PumpStatusValues[] {
  return n.received.filter((r) => r.id === MsgId.PumpStatus).map((r) => readPumpStatus(r.payload, 0, r.payload.length)!);
}

function alarms(n: EmulatedNode) {
  return n.received.filter((r) => r.id === MsgId.Alarm).map((r) => ({ ...readAlarm(r.payload, 0, r.payload.length)!, atMs: r.tMs }));
}

/**
 * Holds a rate for durationMs, renewing a 30 s lease every 10 s, as the host's proxy will. Returns when the
 * rate took effect. Rates above the pump's largest rise per window are reached in steps of 100 mL/h, one
 * window apart.
 */
async function holdRate(n: Awaited<ReturnType<typeof pumpRig>>, rateMlPerH: number, durationMs: number, onStarted = () => {}): Promise<number> {
  for (let r = 100; r < rateMlPerH; r += 100) {
    expect(await run(n, command(n, MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH: r, leaseMs: 30_000 }), 1)).toBe(0);
    n.clock.advance(n.cfg.limits.rateChangeWindowMs);
  }
  expect(await run(n, command(n, MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH, leaseMs: 30_000 }), 1)).toBe(0);
  const startedMs = n.clock.now();
  onStarted();
  const end = startedMs + durationMs;
  const renew = n.clock.every(10_000, () => n.host.sendCommand(MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH, leaseMs: 30_000 }, () => undefined));
  n.clock.runUntil(end);
  renew.cancel();
  return startedMs;
}

describe('infusion-pump firmware in the emulator', () => {
  it('boots stopped, says hello with its board and serial, and stays stopped until commanded', async () => {
    const n = await pumpRig();
    expect(n.events).toEqual(['ready emu-pico']);
    expect(n.peer()!.boardId).toBe(2);
    expect(n.board.pin('B5').out).toBe(1); // driver disabled (active low)
    n.clock.advance(5000);
    expect(n.mech.deliveredMl).toBe(0);
    expect(statuses(n).every((s) => s.rateMlPerH === 0)).toBe(true);
    expect(n.board.errors).toEqual([]);
    expect(n.board.watchdogResets).toBe(0);
  });

  // Low and high rates; 200 mL/h for 11 min (37 mL) still fits the 50 mL syringe.
  for (const rateMlPerH of [1, 200]) {
    for (const minutes of [2, 5, 11]) {
      it(`delivers ${rateMlPerH} mL/h within 2% over ${minutes} min (mechanism steps against rate x time)`, async () => {
        const n = await pumpRig();
        // Volume over the window, from the moment the final rate was acknowledged (any ramp excluded).
        let before = 0;
        const startedMs = await holdRate(n, rateMlPerH, minutes * 60_000, () => {
          before = n.mech.deliveredMl;
        });
        const elapsedMs = n.clock.now() - startedMs;
        const expected = (rateMlPerH * elapsedMs) / 3_600_000;
        const delivered = n.mech.deliveredMl - before;
        expect(Math.abs(delivered - expected) / expected).toBeLessThan(0.02);
        // The firmware's own count agrees with the mechanism's total too.
        n.clock.advance(1100);
        const last = statuses(n).at(-1)!;
        expect(Math.abs(last.deliveredMl - n.mech.deliveredMl) / n.mech.deliveredMl).toBeLessThan(0.02);
      });
    }
  }

  it('on a bedside line, 1 mL/h reaches the patient only after the slack is taken up, then lags by the line time constant', async () => {
    const n = await pumpRig(PATIENT_LINE);
    const rateMlPerS = 1 / 3600;
    let startedMs = 0;
    let deliveredAt60s = -1;
    await holdRate(n, 1, 5 * 60_000, () => {
      startedMs = n.clock.now();
      n.clock.after(60_000, () => (deliveredAt60s = n.mech.deliveredMl));
    });
    const elapsedS = (n.clock.now() - startedMs) / 1000;
    expect(deliveredAt60s).toBe(0); // 20 uL of slack is 72 s at 1 mL/h
    expect(Math.abs(n.mech.pushedMl - rateMlPerS * elapsedS) / (rateMlPerS * elapsedS)).toBeLessThan(0.02);
    const expected = n.mech.pushedMl - PATIENT_LINE.startupSlackMl - rateMlPerS * PATIENT_LINE.lineTimeConstantS;
    expect(Math.abs(n.mech.deliveredMl - expected)).toBeLessThan(0.002);
  });

  it('never runs past the lease counted from when the host sent the command, and stops within a tick of it', async () => {
    const n = await pumpRig();
    const sent = n.clock.now();
    expect(await run(n, command(n, MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH: 100, leaseMs: 3000 }), 1)).toBe(0);
    let stoppedAt = -1;
    let last = n.board.pulses('B3');
    while (n.clock.now() < sent + 6000) {
      n.clock.advance(5);
      const p = n.board.pulses('B3');
      if (p === last && stoppedAt < 0 && n.board.pin('B3').pwmHz === 0) stoppedAt = n.clock.now();
      last = p;
    }
    // The host believes the pump runs until sent + 3000 ms at the latest; it stops at the control tick
    // before that (its own margin: one tick and 0.1% for the clocks' rates).
    expect(stoppedAt).toBeLessThanOrEqual(sent + 3000);
    expect(stoppedAt).toBeGreaterThan(sent + 3000 - 2 * n.cfg.controlTickMs - 10);
    expect(statuses(n).at(-1)!.state).toBe(PumpState.SafeRate);
    expect(alarms(n).some((a) => a.code === AlarmCode.LeaseExpired && a.state === 1)).toBe(true);
  });

  it('shortens a lease by the command\'s time in transit, refuses one spent in transit, and says what lease it applied', async () => {
    // A line that holds every frame to the pump back by 400 ms.
    let clock: VirtualClock | null = null;
    const n = await emulatedNode('infusion-pump', 'pico', {
      startHost: false,
      wrapTransport: (t) => ({ ...t, write: (b) => clock!.after(400, () => t.write(b)), onBytes: (h) => t.onBytes(h), close: () => t.close() }),
    });
    clock = n.clock;
    n.host.start();
    n.clock.advance(3000);
    const leased = (leaseMs: number) => new Promise<[number, number]>((resolve) =>
      n.host.sendCommand(MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH: 10, leaseMs }, (r, lease) => resolve([r, lease])));
    // 60 min asked, 30 min (the board's maxLeaseMs) applied: the Ack says so.
    expect(await run(n, leased(3_600_000))).toEqual([0, 1_800_000]);
    // 450 ms asked: at least 400 of it spent in transit, and the pump stops a tick early: refused, expired.
    expect(await run(n, leased(450))).toEqual([NackReason.Expired, 0]);
    // 1500 ms asked: applied, and the pump stops no later than the host's send + 1500 ms.
    const sent = n.clock.now();
    expect(await run(n, leased(1500), 1)).toEqual([0, 1500]);
    let stoppedAt = -1;
    while (stoppedAt < 0 && n.clock.now() < sent + 5000) {
      n.clock.advance(5);
      if (n.board.pin('B3').pwmHz === 0) stoppedAt = n.clock.now();
    }
    expect(stoppedAt).toBeGreaterThan(sent + 400);
    expect(stoppedAt).toBeLessThanOrEqual(sent + 1500);
  });

  it('limits the rise of its rate per window, however many commands it takes, and tells the host its limits', async () => {
    const n = await pumpRig();
    const lim = n.cfg.limits;
    const limits = n.received.filter((r) => r.id === MsgId.PumpLimits).map((r) => readPumpLimits(r.payload, 0, r.payload.length)!);
    expect(limits).toEqual([{
      maxRateMlPerH: lim.maxRateMlPerH, maxRateChangeMlPerH: lim.maxRateChangeMlPerH, rateChangeWindowMs: lim.rateChangeWindowMs,
      safeRateMlPerH: lim.safeRateMlPerH, maxLeaseMs: lim.maxLeaseMs, controlTickMs: n.cfg.controlTickMs, statusEveryMs: n.cfg.statusEveryMs,
      obeyUnauthenticatedStop: 1, maxLapseRateMlPerH: lim.maxLapseRateMlPerH,
    }]);
    // 0 -> 600 mL/h in steps of 100 within 10 ms: only the first is taken.
    const results: number[] = [];
    for (let r = 100; r <= 600; r += 100) results.push(await run(n, command(n, MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH: r, leaseMs: 30_000 }), 1));
    expect(results).toEqual([0, 6, 6, 6, 6, 6].map((x) => (x === 6 ? NackReason.RateChangeLimit : 0)));
    expect(statuses(n).at(-1)!.rateMlPerH).toBe(100);
    // Down and up again inside the window counts from the lowest: 100 -> 0 -> 100 is fine, -> 150 is not.
    expect(await run(n, command(n, MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH: 0, leaseMs: 30_000 }), 1)).toBe(0);
    expect(await run(n, command(n, MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH: 100, leaseMs: 30_000 }), 1)).toBe(0);
    n.clock.advance(lim.rateChangeWindowMs - 100);
    expect(await run(n, command(n, MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH: 150, leaseMs: 30_000 }), 1)).toBe(NackReason.RateChangeLimit);
    // A whole window at 100: now up to 200.
    n.clock.advance(200);
    expect(await run(n, command(n, MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH: 200, leaseMs: 30_000 }), 1)).toBe(0);
  });

  it('obeys a stop without authentication where its board file says so, and nothing else without it', async () => {
    for (const obey of [true, false]) {
      const pico = boardById('pico');
      const cfg = pico.nodes['infusion-pump']!;
      const n = await pumpRig(undefined, { ...pico, nodes: { ...pico.nodes, 'infusion-pump': { ...cfg, limits: { ...cfg.limits, obeyUnauthenticatedStop: obey } } } });
      expect(await run(n, command(n, MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH: 50, leaseMs: 30_000 }), 1)).toBe(0);
      n.clock.advance(500);
      // Frames of someone without the key: a stop, and a rate.
      const enc = new FrameEncoder(crc32Range, 2);
      const plain = (seq: number, id: number, end: number) => {
        enc.raw.fill(0, end, end + TRAILER_BYTES);
        return enc.encode(seq, id, end + TRAILER_BYTES - HEADER_BYTES);
      };
      n.transport.write(plain(9, MsgId.PumpSetRate, writePumpSetRate(enc.raw, HEADER_BYTES, { rateMlPerH: 90, leaseMs: 30_000 })));
      n.clock.advance(100);
      expect(statuses(n).at(-1)!.rateMlPerH).toBe(50);
      n.transport.write(plain(10, MsgId.PumpStop, writePumpStop(enc.raw, HEADER_BYTES, {})));
      n.clock.advance(100);
      expect(statuses(n).at(-1)!.state).toBe(obey ? PumpState.Stopped : PumpState.Running);
    }
  });

  it('refuses a rate above its hard limit, and an increase above its rate-change limit, and reports them', async () => {
    const n = await pumpRig();
    expect(await run(n, command(n, MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH: 900, leaseMs: 30_000 }))).toBe(NackReason.HardLimit);
    expect(await run(n, command(n, MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH: 150, leaseMs: 30_000 }))).toBe(NackReason.RateChangeLimit);
    n.clock.advance(2000);
    expect(n.board.pulses('B3')).toBe(0);
    expect(alarms(n).some((a) => a.code === AlarmCode.HardLimitClamped)).toBe(true);
    // A decrease is always allowed in full.
    expect(await run(n, command(n, MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH: 80, leaseMs: 30_000 }))).toBe(0);
    expect(await run(n, command(n, MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH: 0, leaseMs: 30_000 }))).toBe(0);
  });

  it('never moves for a garbled or out-of-range command, and answers the out-of-range one with a Nack naming the field', async () => {
    const n = await pumpRig();
    const enc = new FrameEncoder(crc32Range, 2);
    // A valid frame with a payload bit flipped: dropped by its CRC.
    const end = writePumpSetRate(enc.raw, HEADER_BYTES, { rateMlPerH: 50, leaseMs: 30_000 });
    const frame = enc.encode(200, MsgId.PumpSetRate, end + TRAILER_BYTES - HEADER_BYTES);
    frame[5] ^= 0x10;
    n.transport.write(frame);
    // A lease below the catalogue's 100 ms minimum, sent as a proper command.
    const r = await run(n, command(n, MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH: 50, leaseMs: 20 }));
    expect(r).toBe(NackReason.OutOfRange);
    n.clock.advance(3000);
    expect(n.board.pulses('B3')).toBe(0);
  });

  it('raises the occlusion alarm at the minimum rate when the line pressure reaches the threshold, and stops', async () => {
    const n = await pumpRig();
    const rate = 1; // mL/h
    expect(await run(n, command(n, MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH: rate, leaseMs: 3_600_000 }))).toBe(0);
    n.clock.advance(10_000);
    n.mech.occluded = true;
    const occludedAt = n.clock.now();
    let alarmAt = -1;
    for (let i = 0; i < 3600 && alarmAt < 0; i++) {
      n.clock.advance(1000);
      const a = alarms(n).find((x) => x.code === AlarmCode.Occlusion);
      if (a) alarmAt = a.atMs;
    }
    expect(alarmAt).toBeGreaterThan(0);
    // Analytic: the force crosses its threshold when the trapped volume reaches
    // (threshold - baseline) x full scale x compliance; then it must stay there for the hold time.
    const lim = n.cfg.limits;
    const thresholdMl = (lim.occlusionForceFraction - 0.1) * 500 * 0.0005;
    const expectedMs = (thresholdMl / rate) * 3_600_000 + lim.occlusionHoldMs;
    const measuredMs = alarmAt - occludedAt;
    expect(measuredMs).toBeGreaterThan(expectedMs - 1000);
    expect(measuredMs).toBeLessThan(expectedMs + 3000);
    expect(statuses(n).at(-1)!.state).toBe(PumpState.Alarm);
    const pulses = n.board.pulses('B3');
    n.clock.advance(10_000);
    expect(n.board.pulses('B3')).toBe(pulses);
    // While the alarm stands, a new rate is refused; PumpStop acknowledges it.
    expect(await run(n, command(n, MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH: 1, leaseMs: 30_000 }))).toBe(NackReason.AlarmActive);
    expect(await run(n, command(n, MsgId.PumpStop, writePumpStop, {}))).toBe(0);
  });

  it('when a lease lapses, holds the rate the host asked for (a vasopressor), never above the commanded rate or its board\'s maxLapseRateMlPerH; without one, stops', async () => {
    const lapse = async (n: Awaited<ReturnType<typeof pumpRig>>, m: { rateMlPerH: number; lapseRateMlPerH?: number }) => {
      expect(await run(n, command(n, MsgId.PumpSetRate, writePumpSetRate, { ...m, leaseMs: 3000 }), 1)).toBe(0);
      n.clock.advance(5000);
      const last = statuses(n).at(-1)!;
      expect(last.state).toBe(PumpState.SafeRate);
      expect(alarms(n).filter((a) => a.code === AlarmCode.LeaseExpired).at(-1)!.state).toBe(1);
      // The motor runs at what the status says: steps per second from mL/h over mL per step.
      const steps = n.board.pulses('B3');
      n.clock.advance(10_000);
      const expected = (last.rateMlPerH / 3600 / n.mech.mlPerStep) * 10;
      expect(Math.abs(n.board.pulses('B3') - steps - expected)).toBeLessThanOrEqual(expected * 0.02);
      return last.rateMlPerH;
    };
    const n = await pumpRig();
    expect(n.cfg.limits.maxLapseRateMlPerH).toBe(150);
    expect(await lapse(n, { rateMlPerH: 40, lapseRateMlPerH: 40 })).toBeCloseTo(40, 3);
    // Renewed from the held rate: running again under a lease, the lease alarm cleared.
    expect(await run(n, command(n, MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH: 40, leaseMs: 30_000, lapseRateMlPerH: 40 }), 1)).toBe(0);
    expect(statuses(n).at(-1)!.state).toBe(PumpState.Running);
    expect(alarms(n).filter((a) => a.code === AlarmCode.LeaseExpired).at(-1)!.state).toBe(0);
    expect(await lapse(n, { rateMlPerH: 30, lapseRateMlPerH: 80 })).toBeCloseTo(30, 3);
    expect(await lapse(n, { rateMlPerH: 30 })).toBe(0);
    // The board's own ceiling on what a lapse may leave running, whatever the host asks.
    const pico = boardById('pico');
    const pump = pico.nodes['infusion-pump']!;
    const capped = await pumpRig(undefined, { ...pico, nodes: { ...pico.nodes, 'infusion-pump': { ...pump, limits: { ...pump.limits, maxLapseRateMlPerH: 20 } } } });
    expect(await lapse(capped, { rateMlPerH: 40, lapseRateMlPerH: 40 })).toBeCloseTo(20, 3);
  });
});
