// What every blood-pressure controller is: a pure step of (settings, state, observation, now) ->
// (rate, reason, confidence, new state). It sees only what came over the link, summarised per decision
// period by the loop; never the patient's state.
import { z } from 'zod';

/** What every controller file states: its target and the rates it may propose. */
export const controllerBaseSchema = z.strictObject({
  $schema: z.string().optional(),
  $comment: z.string().optional(),
  /** What the drug does to the pressure: a vasodilator lowers it, a vasopressor raises it. */
  drugEffect: z.enum(['lowers', 'raises']).default('lowers'),
  targetMmHg: z.number().min(50).max(150),
  minRateMlPerH: z.number().min(0).max(1000),
  maxRateMlPerH: z.number().min(0).max(1000),
});

/** The beats of one decision period, as they came over the link. */
export interface BpObservation {
  /** Arrival time of the latest beat (host clock). */
  tMs: number;
  /** Mean of the period's clean beats' mean pressures; NaN when there were none. */
  meanMmHg: number;
  cleanBeats: number;
  flaggedBeats: number;
  /** PressureQuality flags seen in the period, OR-ed; 0 when every beat was clean. */
  quality: number;
  /** The rate commanded over the period that just ended (what the controller's action was). */
  infusedMlPerH: number;
}

export interface ControllerDecision<S> {
  rateMlPerH: number;
  reason: string;
  /** 0..1: how much the controller trusts its own output (always 1 for a fixed PID). */
  confidence: number;
  /** What the controller believes about the patient, when it identifies one. */
  identified?: { gainMmHgPerMlPerH: number; delayS: number };
  state: S;
}

/** What every controller's settings state (controllerBaseSchema), read by the loop's monitors. */
export interface BpControllerSettings {
  targetMmHg: number;
  minRateMlPerH: number;
  maxRateMlPerH: number;
}

export interface BpController<S> {
  readonly name: string;
  /** The settings, as recorded with every run. */
  readonly settings: BpControllerSettings;
  /** A fresh state, bumpless from a rate already running (manual, or a previous controller). */
  start(runningRateMlPerH: number): S;
  step(state: S, obs: BpObservation, nowMs: number): ControllerDecision<S>;
}

/** A period with one clean beat of the given mean: for tests and models driven without firmware. */
export function cleanObservation(tMs: number, meanMmHg: number, infusedMlPerH: number): BpObservation {
  return { tMs, meanMmHg, cleanBeats: 1, flaggedBeats: 0, quality: 0, infusedMlPerH };
}

/**
 * x.toFixed(1), to the character, without its cost (every decision's reason formats several numbers, and
 * toFixed is a runtime call): 10|x| is split exactly into s + e (8|x| + 2|x| summed with its rounding error,
 * both products exact), so the nearest tenth, ties going up as toFixed rounds them, is decided on the
 * exact value. Below 1e14 (10|x| well inside the integers a double holds exactly); beyond, toFixed itself.
 */
export function f1(x: number): string {
  const a = x < 0 ? -x : x;
  if (!(a < 1e14) || a === 0) return x.toFixed(1);
  const p = a * 8;
  const q = a * 2;
  const s = p + q;
  const qs = s - p;
  const e = (p - (s - qs)) + (q - qs);
  let n = Math.floor(s);
  // 10|x| - n = (s - n) + e exactly, s - n exact; the tenth goes up when that is at least one half.
  if (s - n - 0.5 >= -e) n++;
  const units = n % 10;
  return `${x < 0 ? '-' : ''}${(n - units) / 10}.${units}`;
}
