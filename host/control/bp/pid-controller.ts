// A PID controller for a vasodilator infusion, as a pure function of (settings, state, observation, now):
// it sees only the beats that came over the link. The error is measured minus target, so a pressure above
// target asks for more drug. Integral with anti-windup (it stops growing while the output is pinned at a
// limit in the direction the error pushes), derivative on the measurement through a first-order filter,
// and bumpless transfer: started from a manual rate, its first output is that rate.
import { z } from 'zod';
import type { BpController, BpObservation, ControllerDecision } from './bp-controller.ts';
import { controllerBaseSchema, f1 } from './bp-controller.ts';

export const pidSettingsSchema = controllerBaseSchema.extend({
  kind: z.literal('pid').default('pid'),
  kpMlPerHPerMmHg: z.number().min(0).max(50),
  integralTimeS: z.number().min(1).max(3600),
  derivativeTimeS: z.number().min(0).max(600),
  derivativeFilterS: z.number().min(0.1).max(600),
});

export type PidSettings = z.input<typeof pidSettingsSchema>;

export interface PidState {
  integralMlPerH: number;
  derivativeMmHgPerS: number;
  lastMeanMmHg: number | null;
  lastTMs: number | null;
  outputMlPerH: number;
}

export function pidStart(manualRateMlPerH: number): PidState {
  return { integralMlPerH: manualRateMlPerH, derivativeMmHgPerS: 0, lastMeanMmHg: null, lastTMs: null, outputMlPerH: manualRateMlPerH };
}

export function pidStep(s: PidSettings, state: PidState, obs: BpObservation, _nowMs: number): ControllerDecision<PidState> {
  if (obs.cleanBeats === 0) {
    const why = obs.flaggedBeats > 0 ? `only flagged beats (quality ${obs.quality})` : 'no beats';
    return { rateMlPerH: state.outputMlPerH, reason: `${why}: holding ${f1(state.outputMlPerH)} mL/h`, confidence: 1, state };
  }
  // For a vasodilator a pressure above target asks for more drug; for a vasopressor, one below it.
  const error = s.drugEffect === 'raises' ? s.targetMmHg - obs.meanMmHg : obs.meanMmHg - s.targetMmHg;
  const dtS = state.lastTMs === null ? 0 : Math.max(0, (obs.tMs - state.lastTMs) / 1000);
  let derivative = state.derivativeMmHgPerS;
  if (state.lastMeanMmHg !== null && dtS > 0) {
    const raw = (obs.meanMmHg - state.lastMeanMmHg) / dtS;
    const alpha = dtS / (s.derivativeFilterS + dtS);
    derivative += alpha * (raw - derivative);
  }
  const p = s.kpMlPerHPerMmHg * error;
  const d = s.kpMlPerHPerMmHg * s.derivativeTimeS * derivative;
  // Integrate, unless the output sits at a limit and the error pushes further into it.
  const step = (s.kpMlPerHPerMmHg * error * dtS) / s.integralTimeS;
  const pinnedHigh = state.outputMlPerH >= s.maxRateMlPerH && step > 0;
  const pinnedLow = state.outputMlPerH <= s.minRateMlPerH && step < 0;
  const integral = pinnedHigh || pinnedLow ? state.integralMlPerH : state.integralMlPerH + step;
  const first = state.lastTMs === null;
  // Bumpless: the first output is the manual rate the integral was started at.
  const raw = first ? integral : p + integral + d;
  const output = Math.min(s.maxRateMlPerH, Math.max(s.minRateMlPerH, raw));
  const limited = output !== raw ? ` (limited from ${f1(raw)})` : '';
  return {
    rateMlPerH: output,
    reason: `MAP ${f1(obs.meanMmHg)} vs target ${f1(s.targetMmHg)}: P ${f1(p)} + I ${f1(integral)} + D ${f1(d)} = ${f1(output)} mL/h${limited}`,
    confidence: 1,
    state: {
      integralMlPerH: first ? integral - p - d : integral,
      derivativeMmHgPerS: derivative,
      lastMeanMmHg: obs.meanMmHg,
      lastTMs: obs.tMs,
      outputMlPerH: output,
    },
  };
}

/** The PID as a BpController. */
export function pidController(settings: PidSettings): BpController<PidState> {
  return { name: 'pid', settings, start: pidStart, step: (state, obs, now) => pidStep(settings, state, obs, now) };
}
