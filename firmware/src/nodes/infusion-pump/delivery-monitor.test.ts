// The delivery monitor on its own, fed the readings of a 12-bit ADC on a potentiometer across a 50 mL stroke
// (noise and quantisation as hil/sim/syringe-mechanism.ts makes them), at the pump's 100 ms control tick.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PumpAlarmFlags } from '../../../../protocols/generated/wire-codec.ts';
import { seededRandom } from '../../../../protocols/testing/seeded-random.ts';
import { DeliveryMonitor } from './delivery-monitor.ts';

/** The monitor's hold time. */
const HOLD_MS = 5000;

const SYRINGE_ML = 50;
const TICK_MS = 100;

interface Motion {
  /** Rate the steps drive at, mL/h, as a function of time (ms). */
  drivenMlPerH: (tMs: number) => number;
  /** Rate the plunger really moves at, mL/h. */
  plungerMlPerH: (tMs: number) => number;
}

/** Runs the monitor for durationMs; returns each raised flag with when, and the monitor. */
function run(m: Motion, durationMs: number, o: { noiseLsb?: number; seed?: number; startMl?: number } = {}) {
  const random = seededRandom(o.seed ?? 3);
  const gauss = () => Math.sqrt(-2 * Math.log(Math.max(1e-12, random()))) * Math.cos(2 * Math.PI * random());
  const mon = new DeliveryMonitor(SYRINGE_ML, TICK_MS);
  let drivenMl = 0;
  let plungerMl = o.startMl ?? 5;
  const raised: { flag: number; tMs: number }[] = [];
  for (let t = 0; t <= durationMs; t += TICK_MS) {
    const driven = m.drivenMlPerH(t);
    drivenMl += (driven * TICK_MS) / 3_600_000;
    plungerMl += (m.plungerMlPerH(t) * TICK_MS) / 3_600_000;
    const reading = Math.round((plungerMl / SYRINGE_ML) * 4096 + (o.noiseLsb ?? 1.5) * gauss()) / 4096;
    const f = mon.check(t, reading, drivenMl, driven);
    if (f && !raised.some((r) => r.flag === f)) raised.push({ flag: f, tMs: t });
  }
  return raised;
}

const steady = (mlPerH: number): Motion => ({ drivenMlPerH: () => mlPerH, plungerMlPerH: () => mlPerH });

describe('delivery monitor', () => {
  it('raises nothing on a plunger that follows its steps, at any rate, with twice the modelled ADC noise', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 600, noNaN: true }), fc.integer({ min: 1, max: 1e6 }), (rate, seed) => {
        expect(run(steady(rate), 20 * 60_000, { noiseLsb: 3, seed })).toEqual([]);
      }),
      { numRuns: 16 },
    );
  });

  it('raises nothing over an hour of rate steps (the pump\'s 100 mL/h rises), stops and starts', () => {
    const rate = (t: number) => [0, 100, 200, 150, 0, 20, 5, 0, 300, 400, 100, 0][Math.floor(t / 300_000)] ?? 0;
    expect(run({ drivenMlPerH: rate, plungerMlPerH: rate }, 3_600_000, { noiseLsb: 3 })).toEqual([]);
  });

  it('motor stall at 15 mL/h: raised once the lead has fallen by half of 40 s of the rate (28 s), then the hold', () => {
    const raised = run({ drivenMlPerH: () => 15, plungerMlPerH: (t) => (t < 120_000 ? 15 : 0) }, 240_000);
    expect(raised.map((r) => r.flag)).toEqual([PumpAlarmFlags.MotorStall]);
    const afterMs = raised[0].tMs - 120_000;
    // The lead falls as 1 - exp(-t / 40 s): half way after 40 ln 2 = 28 s, then the hold.
    expect(afterMs).toBeGreaterThanOrEqual(25_000 + HOLD_MS);
    expect(afterMs).toBeLessThanOrEqual(40_000);
  });

  it('motor stall: a slip of one second (17 uL at 60 mL/h) raises nothing', () => {
    const raised = run({ drivenMlPerH: () => 60, plungerMlPerH: (t) => (t >= 120_000 && t < 121_000 ? 0 : 60) }, 240_000);
    expect(raised).toEqual([]);
  });

  it('free flow with the motor stopped: a 30 mL/h siphon is raised within 30 s, after the hold', () => {
    const raised = run({ drivenMlPerH: () => 0, plungerMlPerH: (t) => (t < 120_000 ? 0 : 30) }, 240_000);
    expect(raised.map((r) => r.flag)).toEqual([PumpAlarmFlags.FreeFlow]);
    // 0.1 mL of the 0.33 a 30 mL/h lead tends to: 40 ln(1 / 0.7) = 14 s, then the hold.
    expect(raised[0].tMs - 120_000).toBeGreaterThanOrEqual(12_000 + HOLD_MS);
    expect(raised[0].tMs - 120_000).toBeLessThanOrEqual(30_000);
  });

  it('free flow while running: the plunger at 15 + 30 mL/h against 15 mL/h of steps', () => {
    const raised = run({ drivenMlPerH: () => 15, plungerMlPerH: (t) => (t < 120_000 ? 15 : 45) }, 240_000);
    expect(raised.map((r) => r.flag)).toEqual([PumpAlarmFlags.FreeFlow]);
    expect(raised[0].tMs - 120_000).toBeLessThanOrEqual(40_000);
  });

  it('free flow: a plunger running 10% fast at 100 mL/h (calibration, not a siphon) raises nothing', () => {
    expect(run({ drivenMlPerH: () => 100, plungerMlPerH: () => 110 }, 600_000)).toEqual([]);
  });

  it('restart forgets what was seen: a stall suspected before it needs its full hold again', () => {
    const mon = new DeliveryMonitor(SYRINGE_ML, TICK_MS);
    let driven = 0;
    let t = 0;
    for (; t < 60_000; t += TICK_MS) mon.check(t, 0.1, (driven += (15 * TICK_MS) / 3_600_000), 15);
    expect(mon.check(t, 0.1, driven, 15)).toBe(PumpAlarmFlags.MotorStall);
    mon.restart();
    expect(mon.check(t + TICK_MS, 0.1, driven, 15)).toBe(0);
  });
});
