// Target out of reach: the rate sits at a cap (the controller's own maximum, the supervisor's dose
// ceiling, or nothing at all) while the pressure stays on the wrong side of the target. Held for a stated
// time, that is no longer a transient: the drug cannot reach the target within its limits, and a person
// must know. And target not reached: the pressure stays beyond the band on the side more drug would
// correct for longer than a loop takes to settle, at a cap or not (a loop still climbing slowly toward a
// ceiling it will never reach, or a syringe that empties first, is out of reach just the same). Pure; also
// reports which cap the rate sits at, so time at any cap is a metric.
import { z } from 'zod';
import type { Alarm } from './alarm.ts';

export const reachConfigSchema = z.strictObject({
  /** How far from the target the pressure must stay (on the side the drug should correct). */
  bandMmHg: z.number().positive().max(50).default(10),
  /** How long, at a cap and outside the band, before the alarm. */
  afterMin: z.number().positive().max(120).default(5),
  /**
   * How long beyond the band on the side more drug would correct, at a cap or not, before the alarm that the
   * target is not being reached. No sooner than a loop may take to settle (the shipped scenarios allow 15 min
   * to come within 5 mmHg; this band is 10), so a loop that is settling never raises it.
   */
  notReachedAfterMin: z.number().positive().max(240).default(15),
});

export type ReachConfig = z.output<typeof reachConfigSchema>;

export interface ReachState {
  /** Since when the rate has been at its upper caps with the pressure beyond the band (and at zero, for the other side). */
  highSinceMs: number | null;
  lowSinceMs: number | null;
  /** Since when the pressure has stayed beyond the band on the side more drug would correct, at a cap or not. */
  farSinceMs: number | null;
}

export function reachStart(): ReachState {
  return { highSinceMs: null, lowSinceMs: null, farSinceMs: null };
}

export interface Caps {
  /** Named upper limits of the rate, mL/h (the lowest one binds). */
  upper: { name: string; rateMlPerH: number }[];
}

/** The cap the rate sits at, if any ("controller maximum 150.0 mL/h", "no infusion"). */
export function capAt(caps: Caps, rateMlPerH: number): string | null {
  const binding = caps.upper.reduce((a, b) => (b.rateMlPerH < a.rateMlPerH ? b : a), caps.upper[0]);
  if (binding && rateMlPerH >= binding.rateMlPerH - 1e-6) return `${binding.name} ${binding.rateMlPerH.toFixed(1)} mL/h`;
  if (rateMlPerH <= 1e-9) return 'no infusion';
  return null;
}

export function watchReach(
  c: ReachConfig, s: ReachState,
  x: { errorMmHg: number | null; drugEffect: 'lowers' | 'raises'; rateMlPerH: number; caps: Caps; targetMmHg: number },
  nowMs: number,
): { state: ReachState; alarm: Alarm | null; atCap: string | null } {
  const atCap = capAt(x.caps, x.rateMlPerH);
  // Invalid pressure neither starts nor ends the count.
  if (x.errorMmHg === null) return { state: s, alarm: null, atCap };
  // "Needs more": the pressure is beyond the band on the side more drug would correct.
  const needsMore = x.drugEffect === 'lowers' ? x.errorMmHg > c.bandMmHg : x.errorMmHg < -c.bandMmHg;
  const needsLess = x.drugEffect === 'lowers' ? x.errorMmHg < -c.bandMmHg : x.errorMmHg > c.bandMmHg;
  const atUpper = atCap !== null && atCap !== 'no infusion';
  const highSinceMs = needsMore && atUpper ? (s.highSinceMs ?? nowMs) : null;
  const lowSinceMs = needsLess && atCap === 'no infusion' ? (s.lowSinceMs ?? nowMs) : null;
  const farSinceMs = needsMore ? (s.farSinceMs ?? nowMs) : null;
  const state = { highSinceMs, lowSinceMs, farSinceMs };
  const holdMs = c.afterMin * 60_000;
  // Words are formatted only when an alarm is raised (this runs every decision).
  const map = x.targetMmHg + x.errorMmHg;
  if (highSinceMs !== null && nowMs - highSinceMs >= holdMs) {
    return { state, atCap, alarm: { id: 'target-out-of-reach', priority: 'medium', text: `target out of reach: MAP ${map.toFixed(0)} mmHg vs ${x.targetMmHg} with the rate at its cap (${atCap}) for ${minutes(nowMs - highSinceMs)} min; the drug cannot reach the target within its limits: review the therapy` } };
  }
  if (farSinceMs !== null && nowMs - farSinceMs >= c.notReachedAfterMin * 60_000) {
    return { state, atCap, alarm: { id: 'target-not-reached', priority: 'medium', text: `target not reached: MAP ${map.toFixed(0)} mmHg has stayed more than ${c.bandMmHg} mmHg ${x.drugEffect === 'lowers' ? 'above' : 'below'} the ${x.targetMmHg} mmHg target for ${minutes(nowMs - farSinceMs)} min, now at ${x.rateMlPerH.toFixed(1)} mL/h: the drug may not reach the target within its limits; review the therapy` } };
  }
  if (lowSinceMs !== null && nowMs - lowSinceMs >= holdMs) {
    return { state, atCap, alarm: { id: 'target-out-of-reach-without-drug', priority: 'low', text: `MAP ${map.toFixed(0)} mmHg stays ${x.drugEffect === 'lowers' ? 'below' : 'above'} the ${x.targetMmHg} mmHg target with no drug running for ${minutes(nowMs - lowSinceMs)} min: the patient is there without the drug` } };
  }
  return { state, alarm: null, atCap };
}

const minutes = (ms: number) => (ms / 60_000).toFixed(0);
