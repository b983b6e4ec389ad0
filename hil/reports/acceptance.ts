// Acceptance thresholds a closed-loop run must meet, per patient, so outcomes can gate CI: a controller
// that works on average but leaves one patient unsettled, past its target, or past the drug's safety limit
// fails the run. The defaults (default.acceptance.json) follow the published closed-loop results of
// docs/clinical-basis.md#published-closed-loop-blood-pressure-results; a file given with --acceptance overrides them.
import { z } from 'zod';
import { readConfigFile } from '../../host/config/config-file.ts';
import type { PatientMetrics } from './bp-metrics.ts';

export const acceptanceSchema = z.strictObject({
  $schema: z.string().optional(),
  $comment: z.string().optional(),
  /** Settled: within +-5 mmHg of the target for 5 minutes running, starting no later than this. */
  maxSettlingMin: z.number().positive().max(24 * 60),
  /** Share of the time within +-5 mmHg of the target, from settling to the end (disturbances included). */
  minTimeInBand5AfterSettlingPct: z.number().min(0).max(100),
  /** Furthest excursion past the target in the drug's direction. */
  maxOvershootMmHg: z.number().min(0).max(100),
  /** Time past the drug's own safety limit (below the floor for a vasodilator, above the high limit for a vasopressor). */
  maxTimeBeyondLimitPct: z.number().min(0).max(100),
});

export type Acceptance = z.infer<typeof acceptanceSchema>;

export function loadAcceptance(path: string): Acceptance {
  return readConfigFile(path, 'the acceptance thresholds', acceptanceSchema);
}

/** The thresholds a patient's run missed, in words; empty when it passed. A run that failed always fails. */
export function acceptanceFailures(a: Acceptance, m: PatientMetrics): string[] {
  const out: string[] = [];
  if (m.error) out.push(`the run failed: ${m.error}`);
  if (!m.settled) out.push('never settled within +-5 mmHg');
  else if (m.settlingTimeS! > a.maxSettlingMin * 60) out.push(`settled after ${(m.settlingTimeS! / 60).toFixed(1)} min (at most ${a.maxSettlingMin})`);
  if (m.timeInBand5AfterSettlingPct !== null && m.timeInBand5AfterSettlingPct < a.minTimeInBand5AfterSettlingPct) {
    out.push(`${m.timeInBand5AfterSettlingPct.toFixed(1)}% within +-5 mmHg after settling (at least ${a.minTimeInBand5AfterSettlingPct}%)`);
  }
  if (m.overshootMmHg > a.maxOvershootMmHg) out.push(`overshoot ${m.overshootMmHg.toFixed(1)} mmHg (at most ${a.maxOvershootMmHg})`);
  if (m.timeBeyondLimitPct > a.maxTimeBeyondLimitPct) out.push(`${m.timeBeyondLimitPct.toFixed(2)}% of the time past the drug's safety limit (at most ${a.maxTimeBeyondLimitPct}%)`);
  return out;
}

/**
 * Per-patient acceptance of an aDBS run against the same patient's continuous DBS. The published goal is a
 * cohort figure (an adaptive policy within 10% of continuous suppression at no more than half its TEED;
 * Velisar 2019: 56.86% of continuous TEED); one patient is held to a looser line.
 */
export const dbsAcceptanceSchema = z.strictObject({
  $schema: z.string().optional(),
  $comment: z.string().optional(),
  therapy: z.literal('dbs'),
  /** Beta suppression at least continuous DBS's minus this (0.2: up to twenty points less). */
  maxSuppressionLossVsContinuous: z.number().min(0).max(1),
  /** TEED at most this share of continuous DBS's. */
  maxTeedRelative: z.number().positive().max(10),
  /** Share of beta bursts longer than 400 ms at most this. */
  maxLongBurstShare: z.number().min(0).max(1),
});

export type DbsAcceptance = z.infer<typeof dbsAcceptanceSchema>;

/** The thresholds an aDBS patient's run missed, in words; empty when it passed. A run that failed always fails. */
export function dbsAcceptanceFailures(a: DbsAcceptance, m: { error: string | null; policy: { suppressionVsContinuous: number; teedRelative: number; longBurstShare: number } | null }): string[] {
  if (m.error || !m.policy) return [`the run failed: ${m.error ?? 'no result'}`];
  const out: string[] = [];
  const p = m.policy;
  const pts = (x: number) => (x * 100).toFixed(1);
  if (p.suppressionVsContinuous < -a.maxSuppressionLossVsContinuous) out.push(`beta suppression ${pts(-p.suppressionVsContinuous)} points below continuous DBS (at most ${pts(a.maxSuppressionLossVsContinuous)})`);
  if (p.teedRelative > a.maxTeedRelative) out.push(`TEED ${pts(p.teedRelative)}% of continuous DBS (at most ${pts(a.maxTeedRelative)}%)`);
  if (p.longBurstShare > a.maxLongBurstShare) out.push(`${pts(p.longBurstShare)}% of beta bursts longer than 400 ms (at most ${pts(a.maxLongBurstShare)}%)`);
  return out;
}
