// Drift monitoring: a quantity the loop estimates about its patient is compared with its first confident
// estimate of the run; when it stays outside a configured band (a factor either way) for a while, an alarm
// names the change, so a person looks at why the patient changed. The rule is one for every therapy
// (watchRatio); each therapy words its alarm:
//  - blood pressure: the controller's identified drug sensitivity (docs/clinical-basis.md#blood-pressure-under-a-vasodilator: a step of
//    2-4x mid-run from anaesthetic depth or bleeding);
//  - aDBS: the beta power the stimulator reports, averaged over tens of seconds (levodopa, a displaced
//    lead, disease state): the policy's thresholds are shares of the patient's calibrated beta, so a lasting
//    shift means they may no longer fit; and the beta peak frequency it reports, which shifts (by a band in
//    Hz, watchShift) rather than scales.
// Pure.
import { z } from 'zod';
import type { Alarm } from './alarm.ts';

const driftFields = {
  $schema: z.string().optional(),
  $comment: z.string().optional(),
  /** Alarm when the quantity is more than this factor above or below the reference. */
  bandFactor: z.number().min(1.1).max(20),
  /** Only estimates at least this confident count. */
  minConfidence: z.number().min(0).max(1),
  /** How long the change must last before the alarm. */
  holdMs: z.number().int().min(0).max(3_600_000),
};

/** The blood-pressure loop's drift file. */
export const driftConfigSchema = z.strictObject(driftFields);

export type DriftConfig = z.infer<typeof driftConfigSchema>;

/** The aDBS loop's drift file: the same rule on the averaged beta power, and a shift of its peak frequency. */
export const betaDriftConfigSchema = z.strictObject({
  ...driftFields,
  therapy: z.literal('dbs'),
  /** Time constant of the beta average the rule watches; its confidence is the share of it filled. */
  averageMs: z.number().int().min(1000).max(3_600_000),
  /** Alarm when the averaged beta peak moves more than this from its first full average (absent: not watched). */
  peakShiftHz: z.number().min(0.5).max(20).optional(),
});

export type BetaDriftConfig = z.infer<typeof betaDriftConfigSchema>;

type RatioRule = Pick<DriftConfig, 'bandFactor' | 'minConfidence' | 'holdMs'>;

export interface DriftState {
  reference: { value: number; tMs: number } | null;
  outsideSinceMs: number | null;
}

export function driftStart(): DriftState {
  return { reference: null, outsideSinceMs: null };
}

/** A change that lasted: the reference, the value now and their ratio. */
export interface Drift {
  reference: { value: number; tMs: number };
  value: number;
  ratio: number;
}

/** The rule's core: the first confident value is the reference; a value outside it for holdMs is a drift. */
function watchReference(c: Pick<RatioRule, 'minConfidence' | 'holdMs'>, s: DriftState, value: number | undefined, confidence: number, nowMs: number, outside: (value: number, reference: number) => boolean): { state: DriftState; drift: Drift | null } {
  if (value === undefined || confidence < c.minConfidence) return { state: s, drift: null };
  if (!s.reference) return { state: { reference: { value, tMs: nowMs }, outsideSinceMs: null }, drift: null };
  const outsideSinceMs = outside(value, s.reference.value) ? (s.outsideSinceMs ?? nowMs) : null;
  const state = { reference: s.reference, outsideSinceMs };
  if (outsideSinceMs === null || nowMs - outsideSinceMs < c.holdMs) return { state, drift: null };
  return { state, drift: { reference: s.reference, value, ratio: value / s.reference.value } };
}

/** The rule itself, on any positive quantity: outside a factor either way. */
export function watchRatio(c: RatioRule, s: DriftState, value: number | undefined, confidence: number, nowMs: number): { state: DriftState; drift: Drift | null } {
  return watchReference(c, s, value !== undefined && value > 0 ? value : undefined, confidence, nowMs, (v, ref) => v / ref > c.bandFactor || v / ref < 1 / c.bandFactor);
}

/** The same rule on a quantity that shifts rather than scales (a frequency): outside ref +- bandAbs. */
export function watchShift(c: { bandAbs: number; minConfidence: number; holdMs: number }, s: DriftState, value: number | undefined, confidence: number, nowMs: number): { state: DriftState; drift: Drift | null } {
  return watchReference(c, s, value !== undefined && Number.isFinite(value) ? value : undefined, confidence, nowMs, (v, ref) => Math.abs(v - ref) > c.bandAbs);
}

/** A drift worded as an alarm, or none. */
function asAlarm(r: { state: DriftState; drift: Drift | null }, id: string, text: (d: Drift) => string): { state: DriftState; alarm: Alarm | null } {
  return { state: r.state, alarm: r.drift ? { id, priority: 'medium', text: text(r.drift) } : null };
}

const direction = (d: Drift) => (d.ratio > 1 ? 'risen' : 'fallen');

/** Blood pressure: the identified drug sensitivity. */
export function watchDrift(
  c: DriftConfig, s: DriftState, identified: { gainMmHgPerMlPerH: number } | undefined, confidence: number, nowMs: number,
): { state: DriftState; alarm: Alarm | null } {
  return asAlarm(watchRatio(c, s, identified?.gainMmHgPerMlPerH, confidence, nowMs), 'sensitivity-drift', (d) =>
    `drug sensitivity has ${direction(d)} from ${d.reference.value.toFixed(2)} to ${d.value.toFixed(2)} mmHg per mL/h (x${d.ratio.toFixed(2)}) since minute ${(d.reference.tMs / 60_000).toFixed(0)}: review the patient and the drug`);
}

/** aDBS: the averaged beta power the stimulator reports. */
export function watchBetaDrift(c: BetaDriftConfig, s: DriftState, averageUv2: number | undefined, confidence: number, nowMs: number): { state: DriftState; alarm: Alarm | null } {
  return asAlarm(watchRatio(c, s, averageUv2, confidence, nowMs), 'beta-drift', (d) =>
    `beta power has ${direction(d)} from ${d.reference.value.toFixed(2)} to ${d.value.toFixed(2)} uV^2 (x${d.ratio.toFixed(2)}, averaged over ${(c.averageMs / 1000).toFixed(0)} s) since ${(d.reference.tMs / 1000).toFixed(0)} s: the policy's thresholds are shares of the calibrated beta and may no longer fit (medication, lead position); review and recalibrate`);
}

/** aDBS: the averaged beta peak frequency the stimulator reports (BetaPower's peakHz). */
export function watchPeakDrift(c: BetaDriftConfig, s: DriftState, averageHz: number | undefined, confidence: number, nowMs: number): { state: DriftState; alarm: Alarm | null } {
  if (c.peakShiftHz === undefined) return { state: s, alarm: null };
  return asAlarm(watchShift({ bandAbs: c.peakShiftHz, minConfidence: c.minConfidence, holdMs: c.holdMs }, s, averageHz, confidence, nowMs), 'beta-peak-drift', (d) =>
    `the beta peak has ${direction(d)} from ${d.reference.value.toFixed(1)} to ${d.value.toFixed(1)} Hz (more than ${c.peakShiftHz} Hz, averaged over ${(c.averageMs / 1000).toFixed(0)} s) since ${(d.reference.tMs / 1000).toFixed(0)} s: the sensing band and thresholds were set for the old peak (disease state, medication, lead position); review and reprogram`);
}
