// Single-threshold adaptive DBS after Little et al. 2013 (Ann Neurol 74:449): stimulation goes on (ramped)
// when beta power crosses a threshold and off (ramped) when it falls below it. Little set the threshold so
// stimulation ran about half the time; here it is a share of the patient's beta off stimulation.
// Optionally each trigger stimulates for at most maxOnMs (a burst of fixed length, as responsive stimulators
// deliver): the effect of stimulation outlasts it (beta returns over about a second after it stops), while
// the device's detector is blanked during and after every ramp, so without a cap a trigger keeps stimulation
// on until the first report after the blank, long after the burst was cut.
import { z } from 'zod';
import type { BetaObservation, DbsDecision, DbsPolicy } from './dbs-policy.ts';
import { f2, policyBaseSchema, rampToward } from './dbs-policy.ts';

export const singleThresholdSettingsSchema = policyBaseSchema.extend({
  kind: z.literal('single-threshold'),
  /** Threshold as a share of the patient's beta power off stimulation. */
  thresholdOfBaseline: z.number().positive().max(10),
  /** Amplitude while beta is above the threshold (within the window); below it the window's minimum. */
  onMa: z.number().min(0).max(20),
  /** Longest a trigger keeps stimulation on; then off until a report that came after it went off. None: no cap. */
  maxOnMs: z.number().int().min(20).max(600_000).optional(),
});
export type SingleThresholdSettings = z.infer<typeof singleThresholdSettingsSchema>;

export interface SingleThresholdState {
  baselineUv2: number;
  on: boolean;
  outputMa: number;
  lastTMs: number | null;
  /** When the current trigger switched stimulation on (null while off). */
  onSinceMs: number | null;
  /** When a capped trigger switched it off: only a report that arrived later may trigger again. */
  cappedAtMs: number | null;
}

export function singleThresholdStep(s: SingleThresholdSettings, state: SingleThresholdState, obs: BetaObservation, nowMs: number): DbsDecision<SingleThresholdState> {
  const dt = state.lastTMs === null ? 0 : nowMs - state.lastTMs;
  const threshold = s.thresholdOfBaseline * state.baselineUv2;
  // A report from before a capped trigger ended is the burst already answered, not a new one.
  const fresh = obs.reports > 0 && (state.cappedAtMs === null || obs.tMs > state.cappedAtMs);
  const above = fresh ? obs.betaPowerUv2 > threshold : state.on;
  const onSinceMs = above ? (state.on && state.onSinceMs !== null ? state.onSinceMs : nowMs) : null;
  const capped = above && s.maxOnMs !== undefined && nowMs - onSinceMs! >= s.maxOnMs;
  const on = above && !capped;
  const goal = on ? s.onMa : s.windowMinMa;
  const out = rampToward(state.outputMa, goal, s.rampUpMaPerS, s.rampDownMaPerS, dt);
  const why = capped
    ? `on for ${s.maxOnMs} ms, the longest one trigger stimulates: off until a fresh report`
    : fresh
      ? `beta ${f2(obs.betaPowerUv2)} ${on ? '>' : '<='} threshold ${f2(threshold)} uV^2: ${on ? 'on' : 'off'}`
      : `no ${obs.reports > 0 ? 'fresh ' : ''}beta this period: staying ${on ? 'on' : 'off'}`;
  return {
    amplitudeMa: out, reason: `${why}, ${f2(out)} mA`, confidence: fresh || capped ? 1 : 0.5,
    state: { ...state, on, outputMa: out, lastTMs: nowMs, onSinceMs: on ? onSinceMs : null, cappedAtMs: capped ? nowMs : state.cappedAtMs },
  };
}

export function singleThresholdPolicy(s: SingleThresholdSettings): DbsPolicy<SingleThresholdState> {
  return {
    name: 'single-threshold', settings: s,
    start: (runningMa, baselineBetaUv2) => ({
      baselineUv2: baselineBetaUv2, on: runningMa > s.windowMinMa, outputMa: runningMa, lastTMs: null, onSinceMs: null, cappedAtMs: null,
    }),
    step: (state, obs, now) => singleThresholdStep(s, state, obs, now),
  };
}
