// Single-threshold adaptive DBS after Little et al. 2013 (Ann Neurol 74:449): stimulation goes on (ramped)
// when beta power crosses a threshold and off (ramped) when it falls below it. Little set the threshold so
// stimulation ran about half the time; here it is a share of the patient's beta off stimulation.
import { z } from 'zod';
import type { BetaObservation, DbsDecision, DbsPolicy } from './dbs-policy.ts';
import { f2, policyBaseSchema, rampToward } from './dbs-policy.ts';

export const singleThresholdSettingsSchema = policyBaseSchema.extend({
  kind: z.literal('single-threshold'),
  /** Threshold as a share of the patient's beta power off stimulation. */
  thresholdOfBaseline: z.number().positive().max(10),
  /** Amplitude while beta is above the threshold (within the window); below it the window's minimum. */
  onMa: z.number().min(0).max(20),
});
export type SingleThresholdSettings = z.infer<typeof singleThresholdSettingsSchema>;

export interface SingleThresholdState {
  baselineUv2: number;
  on: boolean;
  outputMa: number;
  lastTMs: number | null;
}

export function singleThresholdStep(s: SingleThresholdSettings, state: SingleThresholdState, obs: BetaObservation, nowMs: number): DbsDecision<SingleThresholdState> {
  const dt = state.lastTMs === null ? 0 : nowMs - state.lastTMs;
  const threshold = s.thresholdOfBaseline * state.baselineUv2;
  const fresh = obs.reports > 0;
  const on = fresh ? obs.betaPowerUv2 > threshold : state.on;
  const goal = on ? s.onMa : s.windowMinMa;
  const out = rampToward(state.outputMa, goal, s.rampUpMaPerS, s.rampDownMaPerS, dt);
  const why = fresh
    ? `beta ${f2(obs.betaPowerUv2)} ${on ? '>' : '<='} threshold ${f2(threshold)} uV^2: ${on ? 'on' : 'off'}`
    : `no beta this period: staying ${on ? 'on' : 'off'}`;
  return {
    amplitudeMa: out, reason: `${why}, ${f2(out)} mA`, confidence: fresh ? 1 : 0.5,
    state: { ...state, on, outputMa: out, lastTMs: nowMs },
  };
}

export function singleThresholdPolicy(s: SingleThresholdSettings): DbsPolicy<SingleThresholdState> {
  return {
    name: 'single-threshold', settings: s,
    start: (runningMa, baselineBetaUv2) => ({ baselineUv2: baselineBetaUv2, on: runningMa > s.windowMinMa, outputMa: runningMa, lastTMs: null }),
    step: (state, obs, now) => singleThresholdStep(s, state, obs, now),
  };
}
