// What every adaptive deep-brain stimulation policy is: a pure step of (settings, state, observation, now)
// -> (amplitude, reason, confidence, new state), like the blood-pressure controllers. It sees only the beta
// power that came over the link (BetaPower reports, summarised per decision period by the loop), never the
// patient. Thresholds are stated relative to the patient's own beta off stimulation (a calibration the loop
// gives at start), since beta power differs sixteen-fold between patients. Every policy moves its output
// toward its goal within its own ramp limits and window; the supervisor and the device enforce theirs again.
import { z } from 'zod';

/** The beta reports of one decision period, as they came over the link. */
export interface BetaObservation {
  /** Arrival time of the latest report (host clock). */
  tMs: number;
  /** Mean beta power of the period's reports, µV²; NaN when there were none (blanked, lost, stale). */
  betaPowerUv2: number;
  reports: number;
}

export interface DbsDecision<S> {
  amplitudeMa: number;
  reason: string;
  /** 0..1: how much the policy trusts its own output (lower while it holds for lack of beta). */
  confidence: number;
  state: S;
}

export interface DbsPolicy<S> {
  readonly name: string;
  readonly settings: object;
  /** A fresh state, bumpless from the amplitude running now, with the patient's beta off stimulation. */
  start(runningMa: number, baselineBetaUv2: number): S;
  step(state: S, obs: BetaObservation, nowMs: number): DbsDecision<S>;
}

/** What every policy file states: its window, ramps, decision period and the continuous amplitude. */
export const policyBaseSchema = z.strictObject({
  $schema: z.string().optional(),
  $comment: z.string().optional(),
  windowMinMa: z.number().min(0).max(20),
  windowMaxMa: z.number().min(0).max(20),
  /** The reference (and fallback) amplitude: what continuous DBS would deliver. */
  continuousMa: z.number().min(0).max(20),
  rampUpMaPerS: z.number().positive().max(100),
  rampDownMaPerS: z.number().positive().max(100),
  decisionEveryMs: z.number().int().min(20).max(60_000),
  /** Where each value comes from. */
  sources: z.record(z.string(), z.string()).optional(),
});

export type PolicyBase = z.infer<typeof policyBaseSchema>;

/** The stimulator's own limits a policy must stay inside (from its board file). */
export interface DeviceLimits {
  windowMinMa: number;
  windowMaxMa: number;
  rampUpMaPerS: number;
  rampDownMaPerS: number;
  /** How often the device reports beta. */
  reportEveryMs: number;
}

/** Every way a policy's settings break the device's limits or their own order, one sentence each. */
export function limitProblems(s: PolicyBase, device: DeviceLimits): string[] {
  const out: string[] = [];
  if (s.windowMinMa > s.windowMaxMa) out.push(`windowMinMa ${s.windowMinMa} mA is above windowMaxMa ${s.windowMaxMa} mA`);
  if (s.windowMinMa < device.windowMinMa) out.push(`windowMinMa ${s.windowMinMa} mA is below the device's window minimum ${device.windowMinMa} mA`);
  if (s.windowMaxMa > device.windowMaxMa) out.push(`windowMaxMa ${s.windowMaxMa} mA is above the device's window maximum ${device.windowMaxMa} mA`);
  if (s.continuousMa < s.windowMinMa || s.continuousMa > s.windowMaxMa) {
    out.push(`continuousMa ${s.continuousMa} mA lies outside the policy's window ${s.windowMinMa}..${s.windowMaxMa} mA`);
  }
  if (s.rampUpMaPerS > device.rampUpMaPerS) out.push(`rampUpMaPerS ${s.rampUpMaPerS} is above the device's ramp-up limit ${device.rampUpMaPerS} mA/s`);
  if (s.rampDownMaPerS > device.rampDownMaPerS) out.push(`rampDownMaPerS ${s.rampDownMaPerS} is above the device's ramp-down limit ${device.rampDownMaPerS} mA/s`);
  if (s.decisionEveryMs < device.reportEveryMs) out.push(`decisionEveryMs ${s.decisionEveryMs} is shorter than the device's beta report period ${device.reportEveryMs} ms`);
  return out;
}

/** Moves `from` toward `to` by at most the ramp allows over dtMs. */
export function rampToward(from: number, to: number, upMaPerS: number, downMaPerS: number, dtMs: number): number {
  const up = (upMaPerS * dtMs) / 1000;
  const down = (downMaPerS * dtMs) / 1000;
  return to - from > up ? from + up : from - to > down ? from - down : to;
}

/** Keeps a value inside the policy's window. */
export function inWindow(s: PolicyBase, ma: number): number {
  return Math.min(s.windowMaxMa, Math.max(s.windowMinMa, ma));
}

/** An observation of one period with one report: for tests and models driven without firmware. */
export function betaObservation(tMs: number, betaPowerUv2: number): BetaObservation {
  return { tMs, betaPowerUv2, reports: Number.isNaN(betaPowerUv2) ? 0 : 1 };
}

export const f2 = (x: number) => x.toFixed(2);
