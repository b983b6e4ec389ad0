// Metrics of an aDBS run (docs/clinical-basis.md#metrics), from ground truth (the patient's LFP) and the
// amplitude delivered: beta power and its suppression relative to no stimulation and to continuous DBS,
// the share of long beta bursts, stimulation duty, total electrical energy delivered (TEED) and how long the
// stimulation took to respond to a burst.
import { betaEnvelope, burstDurationsMs, burstStats, percentile } from './beta-bursts.ts';
import { bandPower, welch } from './lfp-spectrum.ts';

/** Stimulation settings TEED depends on (current mode). Placeholders typical of STN DBS [U]. */
export interface PulseSettings {
  impedanceOhm: number;
  frequencyHz: number;
  pulseWidthUs: number;
}

export const TYPICAL_PULSES: PulseSettings = { impedanceOhm: 1000, frequencyHz: 130, pulseWidthUs: 60 };

/**
 * Energy delivered per second at a current, J/s: I^2 R f PW (current-controlled pulses; Koss et al. 2005
 * give the voltage form V^2 f PW / R).
 */
export function teedJPerS(ampMa: number, p: PulseSettings): number {
  const a = ampMa / 1000;
  return a * a * p.impedanceOhm * p.frequencyHz * (p.pulseWidthUs / 1e6);
}

/** Total energy over an amplitude trace sampled every stepMs, J. */
export function teedJ(ampMa: ArrayLike<number>, stepMs: number, p: PulseSettings): number {
  let sum = 0;
  for (let i = 0; i < ampMa.length; i++) sum += teedJPerS(ampMa[i], p);
  return (sum * stepMs) / 1000;
}

/** Beta power of an LFP, µV², in the patient's band (peak +- 3 Hz), by Welch's method. */
export function lfpBetaPower(lfpUv: ArrayLike<number>, rateHz: number, peakHz: number): number {
  return bandPower(welch(lfpUv, rateHz, 2048), peakHz - 3, peakHz + 3);
}

export interface BurstSummary {
  /** The envelope threshold, taken from the reference (no stimulation) record. */
  thresholdUv: number;
  count: number;
  longShare: number;
  medianMs: number;
}

/** Bursts of a record against a threshold from the reference record (Tinkhauser 2017: its 75th percentile). */
export function burstsAgainst(lfpUv: ArrayLike<number>, rateHz: number, peakHz: number, thresholdUv: number): BurstSummary {
  const env = betaEnvelope(lfpUv, rateHz, { centreHz: peakHz });
  const s = burstStats(burstDurationsMs(env, rateHz, thresholdUv), lfpUv.length / rateHz);
  return { thresholdUv, count: s.count, longShare: s.longShare, medianMs: s.medianMs };
}

export function referenceThreshold(lfpUv: ArrayLike<number>, rateHz: number, peakHz: number): number {
  return percentile(betaEnvelope(lfpUv, rateHz, { centreHz: peakHz }), 0.75);
}

/** Share of time the amplitude was above the floor (stimulation on). */
export function duty(ampMa: ArrayLike<number>, floorMa: number): number {
  let on = 0;
  for (let i = 0; i < ampMa.length; i++) if (ampMa[i] > floorMa + 0.01) on++;
  return ampMa.length ? on / ampMa.length : 0;
}

/**
 * Median time from the start of a beta burst (the envelope crossing the threshold) to the next rise of the
 * delivered amplitude, ms; bursts with no rise within maxMs are left out. NaN when none.
 */
export function responseLatencyMs(lfpUv: ArrayLike<number>, rateHz: number, peakHz: number, thresholdUv: number, ampMa: ArrayLike<number>, ampStepMs: number, maxMs = 1000): number {
  const env = betaEnvelope(lfpUv, rateHz, { centreHz: peakHz });
  const latencies: number[] = [];
  for (let i = 1; i < env.length; i++) {
    if (!(env[i - 1] <= thresholdUv && env[i] > thresholdUv)) continue;
    const tMs = (i * 1000) / rateHz;
    const k0 = Math.ceil(tMs / ampStepMs);
    for (let k = k0 + 1; k < ampMa.length && (k - k0) * ampStepMs <= maxMs; k++) {
      if (ampMa[k] > ampMa[k - 1] + 1e-6) {
        latencies.push(k * ampStepMs - tMs);
        break;
      }
    }
  }
  return latencies.length ? percentile(latencies, 0.5) : NaN;
}

/** Ground truth of one run: the patient's LFP and the amplitude that reached it. */
export interface DbsTrace {
  lfpUv: Float32Array | number[];
  ampMa: Float32Array | number[];
}

/** One run's figures against the patient's unstimulated and continuous-DBS runs (same patient, seed and scenario). */
export interface DbsFigures {
  /** 1 - beta power / beta power off stimulation. */
  suppression: number;
  /** Suppression minus continuous DBS's (0: as good; -0.1: ten points worse). */
  suppressionVsContinuous: number;
  /** TEED relative to continuous DBS. */
  teedRelative: number;
  duty: number;
  /** Share of beta bursts longer than 400 ms (threshold: the unstimulated run's 75th percentile). */
  longBurstShare: number;
  /** Median time from a burst's start to the next rise of the amplitude, ms (NaN: none). */
  latencyMs: number;
  meanMa: number;
}

export interface FigureBasis {
  peakHz: number;
  /** The start left out (boot ramp, first decisions), s. */
  skipS: number;
  lfpRateHz: number;
  ampStepMs: number;
  /** Amplitude at or below which stimulation counts as off (the policy's window minimum). */
  floorMa: number;
  pulses?: PulseSettings;
}

const from = (x: Float32Array | number[], i: number) => (x instanceof Float32Array ? x.subarray(i) : x.slice(i));

/** The references a patient's runs are measured against: beta off stimulation, its burst threshold, continuous DBS. */
export function dbsReferences(off: DbsTrace, continuous: DbsTrace, b: FigureBasis) {
  const lfp = (t: DbsTrace) => from(t.lfpUv, b.skipS * b.lfpRateHz);
  const offBeta = lfpBetaPower(lfp(off), b.lfpRateHz, b.peakHz);
  const thresholdUv = referenceThreshold(lfp(off), b.lfpRateHz, b.peakHz);
  const continuousSuppression = 1 - lfpBetaPower(lfp(continuous), b.lfpRateHz, b.peakHz) / offBeta;
  const continuousTeedJ = teedJ(from(continuous.ampMa, (b.skipS * 1000) / b.ampStepMs), b.ampStepMs, b.pulses ?? TYPICAL_PULSES);
  const offLongBurstShare = burstsAgainst(lfp(off), b.lfpRateHz, b.peakHz, thresholdUv).longShare;
  return { offBeta, thresholdUv, continuousSuppression, continuousTeedJ, offLongBurstShare };
}

export type DbsReferences = ReturnType<typeof dbsReferences>;

export function dbsFigures(run: DbsTrace, ref: DbsReferences, b: FigureBasis): DbsFigures {
  const lfp = from(run.lfpUv, b.skipS * b.lfpRateHz);
  const amp = from(run.ampMa, (b.skipS * 1000) / b.ampStepMs);
  const suppression = 1 - lfpBetaPower(lfp, b.lfpRateHz, b.peakHz) / ref.offBeta;
  let sum = 0;
  for (let i = 0; i < amp.length; i++) sum += amp[i];
  return {
    suppression, suppressionVsContinuous: suppression - ref.continuousSuppression,
    teedRelative: teedJ(amp, b.ampStepMs, b.pulses ?? TYPICAL_PULSES) / ref.continuousTeedJ,
    duty: duty(amp, b.floorMa),
    longBurstShare: burstsAgainst(lfp, b.lfpRateHz, b.peakHz, ref.thresholdUv).longShare,
    latencyMs: responseLatencyMs(lfp, b.lfpRateHz, b.peakHz, ref.thresholdUv, amp, b.ampStepMs),
    meanMa: amp.length ? sum / amp.length : 0,
  };
}
