// Drift monitoring: the controller's identified drug sensitivity is compared with the first confident
// identification of the run; when it stays outside a configured band (a factor either way) for a while,
// an alarm names the change, so a person looks at why the patient changed (docs/clinical-basis.md#blood-pressure-under-a-vasodilator:
// a step of 2-4x mid-run from anaesthetic depth or bleeding). Pure.
import { z } from 'zod';
import type { Alarm } from './infusion-supervisor.ts';

export const driftConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  $comment: z.string().optional(),
  /** Alarm when the sensitivity is more than this factor above or below the reference. */
  bandFactor: z.number().min(1.1).max(20),
  /** Only identifications at least this confident count. */
  minConfidence: z.number().min(0).max(1),
  /** How long the change must last before the alarm. */
  holdMs: z.number().int().min(0).max(3_600_000),
});

export type DriftConfig = z.infer<typeof driftConfigSchema>;

export interface DriftState {
  reference: { gainMmHgPerMlPerH: number; tMs: number } | null;
  outsideSinceMs: number | null;
}

export function driftStart(): DriftState {
  return { reference: null, outsideSinceMs: null };
}

export function watchDrift(
  c: DriftConfig, s: DriftState, identified: { gainMmHgPerMlPerH: number } | undefined, confidence: number, nowMs: number,
): { state: DriftState; alarm: Alarm | null } {
  if (!identified || confidence < c.minConfidence) return { state: s, alarm: null };
  const gain = identified.gainMmHgPerMlPerH;
  if (!s.reference) return { state: { reference: { gainMmHgPerMlPerH: gain, tMs: nowMs }, outsideSinceMs: null }, alarm: null };
  const ratio = gain / s.reference.gainMmHgPerMlPerH;
  const outside = ratio > c.bandFactor || ratio < 1 / c.bandFactor;
  const outsideSinceMs = outside ? (s.outsideSinceMs ?? nowMs) : null;
  const state = { reference: s.reference, outsideSinceMs };
  if (outsideSinceMs === null || nowMs - outsideSinceMs < c.holdMs) return { state, alarm: null };
  const direction = ratio > 1 ? 'risen' : 'fallen';
  return {
    state,
    alarm: {
      id: 'sensitivity-drift', priority: 'medium',
      text: `drug sensitivity has ${direction} from ${s.reference.gainMmHgPerMlPerH.toFixed(2)} to ${gain.toFixed(2)} mmHg per mL/h (x${ratio.toFixed(2)}) since minute ${(s.reference.tMs / 60_000).toFixed(0)}: review the patient and the drug`,
    },
  };
}
