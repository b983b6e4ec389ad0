// Sustained oscillation of the pressure around its target: a loop whose controller is mistuned for this
// patient (too much gain for its sensitivity and delay) settles into a limit cycle that no single reading
// reveals. The rule, pure and stated in the supervisor file:
//  - the pressure's error from the target is split into half cycles by its sign, with a hysteresis band
//    so noise around the target makes none;
//  - a half cycle counts when it lasts at most maxHalfCycleMin, swings at least minSwingMmHg from the
//    extreme of the half cycle before it, is full (its mean distance from the target at least minFullness
//    of its extreme: a limit cycle passes through the target, while a loop answering a disturbance makes a
//    spike and then hovers near the target) and regular (at most maxDurationRatio longer or shorter than
//    the half cycle before it): disturbances come when they come, a limit cycle keeps its own period;
//  - alarmAfterHalfCycles counted half cycles in a row raise an alarm (medium); escalateAfterHalfCycles
//    ask the supervisor to hold a conservative fixed rate (a fraction of the mean rate over the counted
//    half cycles: the rate that on average kept the pressure about right) until a person acts;
//  - a half cycle that lasts longer than maxHalfCycleMin ends the count: the loop has settled.
// One disturbance (a stimulation episode and the controller's answer to it) makes at most two counted half
// cycles, so it never alarms; a limit cycle alarms after about two cycles and is stopped after about three.
import { z } from 'zod';
import type { Alarm } from './alarm.ts';

export const oscillationConfigSchema = z.strictObject({
  hysteresisMmHg: z.number().min(0).max(30).default(5),
  minSwingMmHg: z.number().positive().max(200).default(20),
  maxHalfCycleMin: z.number().positive().max(60).default(10),
  minFullness: z.number().min(0).max(1).default(0.4),
  maxDurationRatio: z.number().min(1).max(20).default(2.5),
  alarmAfterHalfCycles: z.number().int().min(2).max(50).default(3),
  escalateAfterHalfCycles: z.number().int().min(2).max(50).default(5),
  /** The fixed rate after escalation, as a share of the oscillation's mean rate (below 1: on the safe side for a vasodilator). */
  fixedRateFraction: z.number().min(0).max(1).default(0.5),
}).refine((c) => c.escalateAfterHalfCycles >= c.alarmAfterHalfCycles, {
  message: 'escalateAfterHalfCycles must not be below alarmAfterHalfCycles',
});

export type OscillationConfig = z.output<typeof oscillationConfigSchema>;

interface HalfCycle {
  endMs: number;
  extremeMmHg: number;
  durationMs: number;
  meanRateMlPerH: number;
}

export interface OscillationState {
  /** Which side of the target band the pressure is on (0: not yet out of the band). */
  side: -1 | 0 | 1;
  sinceMs: number;
  extremeMmHg: number;
  /** Integral of the distance from the target over this half cycle (mmHg ms), and the last valid observation's time. */
  areaMmHgMs: number;
  lastMs: number | null;
  rateSum: number;
  rateCount: number;
  /** Recent half cycles, newest last: the first is the reference of the swings, the rest counted ones. */
  halves: HalfCycle[];
}

export function oscillationStart(): OscillationState {
  return { side: 0, sinceMs: 0, extremeMmHg: 0, areaMmHgMs: 0, lastMs: null, rateSum: 0, rateCount: 0, halves: [] };
}

export interface OscillationOutcome {
  state: OscillationState;
  alarm: Alarm | null;
  /** Set when the supervisor should hold a fixed rate from now on. */
  escalate: { rateMlPerH: number; text: string } | null;
}

/**
 * One decision's look at the pressure: `errorMmHg` is the valid observed pressure minus the target (null
 * when the period gave no valid pressure), `rateMlPerH` the rate that ran.
 */
export function watchOscillation(c: OscillationConfig, s: OscillationState, errorMmHg: number | null, rateMlPerH: number, nowMs: number): OscillationOutcome {
  if (errorMmHg === null) return { state: s, alarm: null, escalate: null };
  let { side, sinceMs, extremeMmHg, areaMmHgMs, rateSum, rateCount } = s;
  let halves = s.halves;
  const maxHalfMs = c.maxHalfCycleMin * 60_000;
  const outside = Math.abs(errorMmHg) > c.hysteresisMmHg;
  const sign = errorMmHg > 0 ? 1 : -1;
  const dtMs = s.lastMs === null ? 0 : nowMs - s.lastMs;
  if (outside && sign !== side) {
    if (side !== 0) {
      const half = { endMs: nowMs, extremeMmHg, durationMs: nowMs - sinceMs, meanRateMlPerH: rateCount > 0 ? rateSum / rateCount : rateMlPerH };
      const previous = halves[halves.length - 1];
      const full = areaMmHgMs >= c.minFullness * Math.abs(extremeMmHg) * half.durationMs;
      const regular = !previous || (half.durationMs <= c.maxDurationRatio * previous.durationMs && previous.durationMs <= c.maxDurationRatio * half.durationMs);
      const counts = half.durationMs <= maxHalfMs && full && regular &&
        (!previous || Math.abs(half.extremeMmHg - previous.extremeMmHg) >= c.minSwingMmHg);
      halves = counts ? [...halves, half].slice(-(c.escalateAfterHalfCycles + 1)) : [half];
    }
    side = sign;
    sinceMs = nowMs;
    extremeMmHg = errorMmHg;
    areaMmHgMs = 0;
    rateSum = 0;
    rateCount = 0;
  } else if (side !== 0) {
    // Distance on this half cycle's side counts; a reading on the other side within the band counts as none.
    areaMmHgMs += Math.max(0, side * errorMmHg) * dtMs;
    if (sign === side && Math.abs(errorMmHg) > Math.abs(extremeMmHg)) extremeMmHg = errorMmHg;
  }
  rateSum += rateMlPerH;
  rateCount++;
  // A side held too long ends any oscillation; the first half cycle has no swing to measure, so it only starts a count.
  if (side !== 0 && nowMs - sinceMs > maxHalfMs && halves.length > 0) halves = [];
  const state: OscillationState = { side, sinceMs, extremeMmHg, areaMmHgMs, lastMs: nowMs, rateSum, rateCount, halves };
  const counted = halves.length - 1;
  if (counted < c.alarmAfterHalfCycles) return { state, alarm: null, escalate: null };
  const recent = halves.slice(1);
  const high = Math.max(...recent.map((h) => h.extremeMmHg));
  const low = Math.min(...recent.map((h) => h.extremeMmHg));
  const periodMin = (2 * recent.reduce((a, h) => a + h.durationMs, 0)) / recent.length / 60_000;
  const meanRate = recent.reduce((a, h) => a + h.meanRateMlPerH * h.durationMs, 0) / recent.reduce((a, h) => a + h.durationMs, 0);
  const what = `pressure swinging from ${low.toFixed(0)} to +${high.toFixed(0)} mmHg around the target, a cycle about every ${periodMin.toFixed(1)} min (${counted} half cycles)`;
  if (counted < c.escalateAfterHalfCycles) {
    return { state, alarm: { id: 'oscillation', priority: 'medium', text: `${what}: sustained oscillation, the controller may be mistuned for this patient; review it` }, escalate: null };
  }
  const fixed = meanRate * c.fixedRateFraction;
  return {
    state,
    alarm: null,
    escalate: {
      rateMlPerH: fixed,
      text: `${what}: controller stopped, fixed ${fixed.toFixed(1)} mL/h (${(c.fixedRateFraction * 100).toFixed(0)}% of the oscillation's mean rate) until an operator acts`,
    },
  };
}
