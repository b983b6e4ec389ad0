// Dual-threshold adaptive DBS after Velisar et al. 2019 (Brain Stimul 12:868) and the ADAPT-PD trial: beta
// power, averaged over a longer time, above the upper threshold ramps the amplitude up; below the lower one
// ramps it down; between them it holds. The amplitude finds the least stimulation that keeps beta in the band.
import { z } from 'zod';
import type { BetaObservation, DbsDecision, DbsPolicy } from './dbs-policy.ts';
import { f2, policyBaseSchema, rampToward } from './dbs-policy.ts';

export const dualThresholdSettingsSchema = policyBaseSchema.extend({
  kind: z.literal('dual-threshold'),
  lowerOfBaseline: z.number().positive().max(10),
  upperOfBaseline: z.number().positive().max(10),
  /** Time constant of the beta average the thresholds are compared with. */
  averageMs: z.number().min(0).max(600_000),
});
export type DualThresholdSettings = z.infer<typeof dualThresholdSettingsSchema>;

export interface DualThresholdState {
  baselineUv2: number;
  /** The averaged beta, µV² (NaN until the first report). */
  averageUv2: number;
  outputMa: number;
  lastTMs: number | null;
}

export function dualThresholdStep(s: DualThresholdSettings, state: DualThresholdState, obs: BetaObservation, nowMs: number): DbsDecision<DualThresholdState> {
  const dt = state.lastTMs === null ? 0 : nowMs - state.lastTMs;
  let avg = state.averageUv2;
  if (obs.reports > 0) avg = Number.isNaN(avg) ? obs.betaPowerUv2 : avg + (obs.betaPowerUv2 - avg) * (1 - Math.exp(-dt / Math.max(1, s.averageMs)));
  const lower = s.lowerOfBaseline * state.baselineUv2;
  const upper = s.upperOfBaseline * state.baselineUv2;
  let goal = state.outputMa;
  let why = `no beta yet: holding`;
  if (!Number.isNaN(avg)) {
    if (avg > upper) {
      goal = s.windowMaxMa;
      why = `average beta ${f2(avg)} > upper ${f2(upper)} uV^2: up`;
    } else if (avg < lower) {
      goal = s.windowMinMa;
      why = `average beta ${f2(avg)} < lower ${f2(lower)} uV^2: down`;
    } else why = `average beta ${f2(avg)} within ${f2(lower)}..${f2(upper)} uV^2: holding`;
  }
  const out = rampToward(state.outputMa, goal, s.rampUpMaPerS, s.rampDownMaPerS, dt);
  return {
    amplitudeMa: out, reason: `${why}, ${f2(out)} mA`, confidence: obs.reports > 0 ? 1 : 0.5,
    state: { ...state, averageUv2: avg, outputMa: out, lastTMs: nowMs },
  };
}

export function dualThresholdPolicy(s: DualThresholdSettings): DbsPolicy<DualThresholdState> {
  return {
    name: 'dual-threshold', settings: s,
    start: (runningMa, baselineBetaUv2) => ({ baselineUv2: baselineBetaUv2, averageUv2: NaN, outputMa: runningMa, lastTMs: null }),
    step: (state, obs, now) => dualThresholdStep(s, state, obs, now),
  };
}
