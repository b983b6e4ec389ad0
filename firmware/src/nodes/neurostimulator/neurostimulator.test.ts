// The neurostimulator firmware as built for the Pico, run unchanged in the board emulator: a synthetic
// potential on its LFP pin, its amplitude output read back as the output stage would, a host session on its
// USB port.
import { describe, expect, it } from 'vitest';
import {
  AlarmCode, MsgId, NackReason, StimAlarmFlags, StimState, readAlarm, readBetaPower, readStimStatus, writeStimSetAmplitude,
} from '../../../../protocols/generated/wire-codec.ts';
import { seededRandom } from '../../../../protocols/testing/seeded-random.ts';
import { emulatedNode } from '../../../../hil/emulator/emulated-node.ts';
import { gaussian } from '../../../../hil/sim/gaussian.ts';
import { attachLfp, deliveredMa } from '../../../../hil/sim/nodes/neurostim-front-end.ts';
import type { NeurostimBoardConfig } from '../../board-config.ts';

/** White noise (fixed per 1 ms slot, so the same instant always reads the same) plus 20 Hz bursts. */
function syntheticLfp(bursts: { fromMs: number; toMs: number; amplitudeUv: number }[], noiseUv = 0.5) {
  const random = seededRandom(3);
  const noise = Float64Array.from({ length: 120_000 }, () => noiseUv * gaussian(random));
  return (tMs: number) => {
    const b = bursts.find((x) => tMs >= x.fromMs && tMs < x.toMs);
    return noise[Math.floor(tMs)] + (b ? b.amplitudeUv * Math.sin(2 * Math.PI * 20 * (tMs / 1000)) : 0);
  };
}

async function stimRig(lfp = syntheticLfp([])) {
  const n = await emulatedNode('neurostimulator', 'pico');
  const cfg = n.boardConfig.nodes.neurostimulator as NeurostimBoardConfig;
  attachLfp(n.board, cfg, lfp);
  // The delivered amplitude every 5 ms (four samples per control tick).
  const trace: { tMs: number; ma: number }[] = [];
  n.clock.every(5, () => trace.push({ tMs: n.clock.now(), ma: deliveredMa(n.board, cfg) }));
  const command = (amplitudeMa: number, leaseMs: number) => {
    let result = -1;
    n.host.sendCommand(MsgId.StimSetAmplitude, writeStimSetAmplitude, { amplitudeMa, leaseMs }, (r) => {
      result = r;
    });
    n.clock.advance(50);
    return result;
  };
  const decoded = <T>(id: number, read: (b: Uint8Array, s: number, e: number) => T | null) =>
    n.received.filter((r) => r.id === id).map((r) => ({ ...read(r.payload, 0, r.payload.length)!, atMs: r.tMs }));
  return {
    ...n, cfg, trace, command,
    beta: () => decoded(MsgId.BetaPower, readBetaPower),
    statuses: () => decoded(MsgId.StimStatus, readStimStatus),
    alarms: () => decoded(MsgId.Alarm, readAlarm),
  };
}

/**
 * Checks a trace of the delivered amplitude against ramp limits. The output moves in steps at each control
 * tick, so: no step larger than a tick's worth, and over any window no more change than the window plus one
 * tick allows. Returns the largest share of its limit any rise or fall used (at most 1 when obeyed).
 */
function rampUse(trace: { tMs: number; ma: number }[], l: NeurostimBoardConfig['limits'], tickMs: number): number {
  let worst = 0;
  for (let i = 0; i < trace.length; i++) {
    for (let j = i + 1; j < trace.length && trace[j].tMs - trace[i].tMs <= 500; j++) {
      const d = trace[j].ma - trace[i].ma;
      const allowedS = (trace[j].tMs - trace[i].tMs + tickMs) / 1000;
      worst = Math.max(worst, d > 0 ? d / (l.rampUpMaPerS * allowedS) : -d / (l.rampDownMaPerS * allowedS));
    }
  }
  return worst;
}

describe('neurostimulator firmware in the emulator', () => {
  it('tracks a 20 Hz burst: beta power rises to the burst\'s mean square within a window and falls back after it', async () => {
    const n = await stimRig(syntheticLfp([{ fromMs: 5000, toMs: 7000, amplitudeUv: 4 }, { fromMs: 10_000, toMs: 12_000, amplitudeUv: 2 }]));
    n.clock.advance(14_000);
    expect(n.board.errors).toEqual([]);
    const beta = n.beta();
    const rateHz = 1000 / n.cfg.beta.reportEveryMs;
    expect(beta.length).toBeGreaterThan(13 * rateHz * 0.95);
    expect(beta.every((b) => b.windowMs === 256)).toBe(true);
    const between = (a: number, b: number) => beta.filter((x) => x.tMs > a && x.tMs <= b).map((x) => x.betaPowerUv2);
    // A sine of amplitude A has a mean square of A^2 / 2: 8 uV^2 at 4 uV, 2 uV^2 at 2 uV; the noise adds little.
    for (const p of between(5400, 7000)) expect(p).toBeGreaterThan(8 * 0.75);
    for (const p of between(5400, 7000)) expect(p).toBeLessThan(8 * 1.25);
    for (const p of between(10_400, 12_000)) expect(Math.abs(p - 2) / 2).toBeLessThan(0.3);
    for (const p of [...between(1000, 5000), ...between(7300, 10_000), ...between(12_300, 14_000)]) expect(p).toBeLessThan(0.3);
    // The first report above half the burst's power comes within one window and one report of its start.
    const rise = beta.find((b) => b.tMs > 5000 && b.betaPowerUv2 > 4)!;
    expect(rise.tMs - 5000).toBeLessThanOrEqual(256 + n.cfg.beta.reportEveryMs);
    // Each report carries the burst's peak, found by the bundle's FFT, to within a Hz.
    for (const b of beta.filter((x) => x.tMs > 5400 && x.tMs <= 7000)) expect(Math.abs(b.peakHz! - 20)).toBeLessThan(1);
  });

  it('from boot ramps up to the fallback amplitude by itself, within its ramp limit', async () => {
    const n = await stimRig();
    n.clock.advance(2000);
    const l = n.cfg.limits;
    expect(n.trace.at(-1)!.ma).toBeCloseTo(l.fallbackMa, 6);
    expect(n.trace[0].ma).toBe(0);
    expect(rampUse(n.trace, l, n.cfg.controlTickMs)).toBeLessThanOrEqual(1.001);
    expect(rampUse(n.trace, l, n.cfg.controlTickMs)).toBeGreaterThan(0.8); // it did ramp at (nearly) its limit
    expect(n.statuses().at(-1)!.state).toBe(StimState.AwaitingHost);
  });

  it('follows leased commands up and down no faster than its ramp limits, reporting the target and what it delivers', async () => {
    const n = await stimRig();
    n.clock.advance(1000);
    const l = n.cfg.limits;
    expect(n.command(0, 30_000)).toBe(0);
    n.clock.advance(1000);
    expect(n.trace.at(-1)!.ma).toBe(0);
    expect(n.command(3, 30_000)).toBe(0);
    n.clock.advance(100);
    const mid = n.statuses().at(-1)!;
    expect(mid.targetAmplitudeMa).toBe(3);
    expect(mid.alarms & StimAlarmFlags.RampLimited).toBe(StimAlarmFlags.RampLimited);
    n.clock.advance(1000);
    expect(n.command(0.5, 30_000)).toBe(0);
    n.clock.advance(1000);
    expect(n.trace.at(-1)!.ma).toBeCloseTo(0.5, 6);
    expect(rampUse(n.trace, l, n.cfg.controlTickMs)).toBeLessThanOrEqual(1.001);
    // The ramps were used, not skipped: 0 -> 3 mA takes at least 3 / rampUp seconds.
    const reached = n.trace.find((x) => x.ma >= 3)!.tMs;
    const left = n.trace.filter((x) => x.ma === 0).at(-1)!.tMs;
    expect(reached - left).toBeGreaterThanOrEqual((3 / l.rampUpMaPerS) * 1000 - 10);
    const last = n.statuses().at(-1)!;
    expect(last.state).toBe(StimState.Stimulating);
    expect(last.amplitudeMa).toBeCloseTo(0.5, 3);
    expect(last.alarms).toBe(0);
  });

  it('refuses an amplitude outside its window, raising the hard-limit alarm, and keeps what it was doing', async () => {
    const n = await stimRig();
    n.clock.advance(500);
    expect(n.command(1, 30_000)).toBe(0);
    n.clock.advance(1000);
    expect(n.command(n.cfg.limits.windowMaxMa + 0.5, 30_000)).toBe(NackReason.HardLimit | (0 << 8));
    n.clock.advance(500);
    expect(n.trace.at(-1)!.ma).toBeCloseTo(1, 6);
    expect(n.alarms().map((a) => [a.code, a.state])).toEqual([[AlarmCode.HardLimitClamped, 1]]);
    expect(n.command(1.2, 30_000)).toBe(0);
    expect(n.alarms().map((a) => [a.code, a.state])).toEqual([[AlarmCode.HardLimitClamped, 1], [AlarmCode.HardLimitClamped, 0]]);
  });

  it('when a lease lapses ramps to the fallback amplitude, from below and from above, never to zero', async () => {
    const l = (await stimRig()).cfg.limits;
    for (const start of [0.5, 3]) {
      const n = await stimRig();
      n.clock.advance(500);
      expect(n.command(start, 2000)).toBe(0);
      n.clock.advance(1000);
      expect(n.trace.at(-1)!.ma).toBeCloseTo(start, 6);
      const lapseMs = n.clock.now() + 1000;
      n.clock.advance(2000);
      expect(n.trace.at(-1)!.ma).toBeCloseTo(l.fallbackMa, 6);
      const after = n.trace.filter((x) => x.tMs >= lapseMs - 100);
      expect(Math.min(...after.map((x) => x.ma))).toBeGreaterThanOrEqual(Math.min(start, l.fallbackMa) - 1e-9);
      expect(rampUse(n.trace, l, n.cfg.controlTickMs)).toBeLessThanOrEqual(1.001);
      const status = n.statuses().at(-1)!;
      expect(status.state).toBe(StimState.RampingDown);
      expect(status.alarms & StimAlarmFlags.LeaseExpired).toBe(StimAlarmFlags.LeaseExpired);
      expect(status.targetAmplitudeMa).toBe(l.fallbackMa);
      expect(n.alarms().filter((a) => a.code === AlarmCode.LeaseExpired).map((a) => a.state)).toEqual([1]);
      // The lapse is reported once, within a control tick of the lease's end.
      const raised = n.alarms().find((a) => a.code === AlarmCode.LeaseExpired)!;
      expect(raised.tMs - (lapseMs - 1000 + 2000)).toBeLessThanOrEqual(n.cfg.controlTickMs + 60);
    }
  });

  it('blanks its detector after an amplitude change: no beta for blankMs, then reports again', async () => {
    const n = await stimRig(syntheticLfp([{ fromMs: 0, toMs: 20_000, amplitudeUv: 3 }]));
    n.clock.advance(2000);
    const changeAt = n.clock.now();
    expect(n.command(1.5, 30_000)).toBe(0);
    n.clock.advance(2000);
    const times = n.beta().map((b) => b.tMs);
    const gap = times.filter((t) => t > changeAt - 1 && t < changeAt + n.cfg.beta.blankMs);
    // The command arrives a few ms after changeAt (the line); nothing is reported from then until blankMs later.
    expect(gap.every((t) => t < changeAt + 20)).toBe(true);
    const resumed = times.find((t) => t >= changeAt + n.cfg.beta.blankMs)!;
    expect(resumed - changeAt).toBeLessThanOrEqual(n.cfg.beta.blankMs + n.cfg.beta.reportEveryMs + 20);
    // A renewal at the same amplitude does not blank.
    const renewAt = n.clock.now();
    expect(n.command(1.5, 30_000)).toBe(0);
    n.clock.advance(500);
    expect(n.beta().filter((b) => b.tMs > renewAt && b.tMs <= renewAt + 500).length).toBeGreaterThanOrEqual(8);
  });
});
