// Where a restarted host picks the blood-pressure loop up (host/record/resume-from-record.ts finds it): the
// dose given so far toward the budget, the time already spent at the ceiling, and the rate the new loop
// starts from, the one the pump runs now (its safe rate once the lease lapsed), so the supervisor's
// rate-change limit counts from there and a restart brings no bolus. The point is recorded as a 'resume'
// line after the new loop's loop-start; a replay starts that loop from it again.
import { z } from 'zod';
import type { DecisionSetup, LoopState } from '../therapies/bp/bp-decision.ts';
import { loopStart } from '../therapies/bp/bp-decision.ts';

export const resumePointSchema = z.object({
  /** The dead host's last decision, on its clock. */
  lastDecisionMs: z.number(),
  /** The supervisor's dose count at that decision, ug. */
  recordedDoseUg: z.number().min(0),
  /** The pump's own count at the last status that decision saw (null: none seen). */
  recordedPumpMl: z.number().nullable(),
  /** The pump now. */
  pumpRateMlPerH: z.number().min(0),
  pumpDeliveredMl: z.number().min(0),
  /** What the new loop starts from. */
  doseUg: z.number().min(0),
  atCeilingForMs: z.number().min(0),
  runningRateMlPerH: z.number().min(0),
  /** A target set on the dead host's loop (null: the controller file's). */
  targetMmHg: z.number().nullable().default(null),
  /** How the dose after the record was counted, in words. */
  note: z.string(),
});

export type ResumePoint = z.infer<typeof resumePointSchema>;

/** The loop's first state on a resume: bumpless from the pump's rate, with the dose and time at ceiling carried over. */
export function resumedLoopState(setup: DecisionSetup, p: ResumePoint, startedMs: number): LoopState {
  const s = loopStart(setup, p.runningRateMlPerH, startedMs);
  return {
    ...s, targetMmHg: p.targetMmHg,
    supervisor: { ...s.supervisor, deliveredUg: p.doseUg, atCeilingSinceMs: p.atCeilingForMs > 0 ? startedMs - p.atCeilingForMs : null },
  };
}
