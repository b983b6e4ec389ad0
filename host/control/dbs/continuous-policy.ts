// Continuous DBS, the reference every adaptive policy is measured against: one amplitude, always, reached
// from whatever was running within the ramp limits.
import { z } from 'zod';
import type { BetaObservation, DbsDecision, DbsPolicy } from './dbs-policy.ts';
import { f2, policyBaseSchema, rampToward } from './dbs-policy.ts';

export const continuousSettingsSchema = policyBaseSchema.extend({ kind: z.literal('continuous') });
export type ContinuousSettings = z.infer<typeof continuousSettingsSchema>;

export interface ContinuousState {
  outputMa: number;
  lastTMs: number | null;
}

export function continuousStep(s: ContinuousSettings, state: ContinuousState, _obs: BetaObservation, nowMs: number): DbsDecision<ContinuousState> {
  const dt = state.lastTMs === null ? 0 : nowMs - state.lastTMs;
  const out = rampToward(state.outputMa, s.continuousMa, s.rampUpMaPerS, s.rampDownMaPerS, dt);
  const why = out === s.continuousMa ? 'continuous' : `ramping to the continuous amplitude ${f2(s.continuousMa)} mA`;
  return { amplitudeMa: out, reason: `${why}: ${f2(out)} mA`, confidence: 1, state: { outputMa: out, lastTMs: nowMs } };
}

export function continuousPolicy(s: ContinuousSettings): DbsPolicy<ContinuousState> {
  return {
    name: 'continuous', settings: s,
    start: (runningMa) => ({ outputMa: runningMa, lastTMs: null }),
    step: (state, obs, now) => continuousStep(s, state, obs, now),
  };
}
