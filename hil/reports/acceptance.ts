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
