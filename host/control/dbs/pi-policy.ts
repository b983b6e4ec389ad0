// Proportional-integral adaptive DBS after Fleming, Dunn & Lowery 2020 (Front Neurosci 14:166): the
// amplitude is Kp (e + (1/Ti) integral of e dt), e the beta power's error from its target as a share of the
// target, within the window, with the integral held while the output is pinned at a limit (anti-windup).
// Fleming's gains (Kp 0.23, Ti 0.2 s) were tuned on their own normalised biomarker [U: the normalisation
// here is this project's].
import { z } from 'zod';
import type { BetaObservation, DbsDecision, DbsPolicy } from './dbs-policy.ts';
import { f2, policyBaseSchema, rampToward } from './dbs-policy.ts';

export const piSettingsSchema = policyBaseSchema.extend({
  kind: z.literal('pi'),
  /** The beta power aimed at, as a share of the patient's beta off stimulation. */
  targetOfBaseline: z.number().positive().max(10),
  kpMaPerUnitError: z.number().min(0).max(100),
  integralTimeS: z.number().positive().max(3600),
});
export type PiSettings = z.infer<typeof piSettingsSchema>;

export interface PiState {
  baselineUv2: number;
  integralMa: number;
  outputMa: number;
  lastTMs: number | null;
}

export function piStep(s: PiSettings, state: PiState, obs: BetaObservation, nowMs: number): DbsDecision<PiState> {
  const dt = state.lastTMs === null ? 0 : nowMs - state.lastTMs;
  if (obs.reports === 0) {
    const held = rampToward(state.outputMa, state.outputMa, s.rampUpMaPerS, s.rampDownMaPerS, dt);
    return { amplitudeMa: held, reason: `no beta this period: holding ${f2(held)} mA`, confidence: 0.5, state: { ...state, lastTMs: nowMs } };
  }
  const target = s.targetOfBaseline * state.baselineUv2;
  const e = (obs.betaPowerUv2 - target) / target;
  const p = s.kpMaPerUnitError * e;
  const step = (s.kpMaPerUnitError * e * dt) / 1000 / s.integralTimeS;
  const pinnedHigh = state.outputMa >= s.windowMaxMa && step > 0;
  const pinnedLow = state.outputMa <= s.windowMinMa && step < 0;
  const integral = pinnedHigh || pinnedLow ? state.integralMa : state.integralMa + step;
  const raw = p + integral;
  const goal = Math.min(s.windowMaxMa, Math.max(s.windowMinMa, raw));
  const out = rampToward(state.outputMa, goal, s.rampUpMaPerS, s.rampDownMaPerS, dt);
  const limited = out !== raw ? ` (from ${f2(raw)})` : '';
  return {
    amplitudeMa: out,
    reason: `beta ${f2(obs.betaPowerUv2)} vs target ${f2(target)} uV^2: P ${f2(p)} + I ${f2(integral)} = ${f2(out)} mA${limited}`,
    confidence: 1,
    state: { ...state, integralMa: integral, outputMa: out, lastTMs: nowMs },
  };
}

export function piPolicy(s: PiSettings): DbsPolicy<PiState> {
  return {
    name: 'pi', settings: s,
    // Bumpless: the integral starts at the running amplitude.
    start: (runningMa, baselineBetaUv2) => ({ baselineUv2: baselineBetaUv2, integralMa: runningMa, outputMa: runningMa, lastTMs: null }),
    step: (state, obs, now) => piStep(s, state, obs, now),
  };
}
