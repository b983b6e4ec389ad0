// The safety supervisor of a vasodilator infusion, separate from every controller: it takes the
// controller's proposal and what came over the link, and decides the rate actually commanded, naming every
// limit that acted. Pure: (config, state, inputs, now) -> decision. Limits (clinical-models.md section 2):
// an absolute ceiling from the drug's dose limit, concentration and weight; a time-at-ceiling limit; a
// cumulative dose budget; a maximum change per decision; no increase on stale, flagged or implausible
// pressure; a pressure floor that stops the drug.
import { z } from 'zod';
import { parseConfig } from '../config/config-file.ts';

export const supervisorConfigSchema = z.strictObject({
  /** Drug concentration in ug/mL. A value in mg/mL (0.2 for 200 ug/mL) is refused as implausible. */
  concentrationUgPerMl: z.number().min(10, 'concentration below 10 ug/mL: is it in mg/mL? give it in ug/mL (nitroprusside 50 mg / 250 mL is 200 ug/mL)').max(2000),
  weightKg: z.number().min(20, 'weight below 20 kg: is it in g or lb? give it in kg').max(250),
  maxDoseUgPerKgPerMin: z.number().positive().max(20),
  maxMinutesAtCeiling: z.number().positive().max(60),
  doseBudgetMg: z.number().positive(),
  maxRateChangeMlPerH: z.number().positive(),
  staleAfterMs: z.number().int().positive(),
  floorMmHg: z.number().min(40).max(90),
  plausibleMmHg: z.strictObject({ min: z.number(), max: z.number() }),
});

export type SupervisorConfig = z.infer<typeof supervisorConfigSchema>;

/** Validates a supervisor configuration before anything is infused; the error names the field and the unit. */
export function parseSupervisorConfig(raw: unknown): SupervisorConfig {
  return parseConfig('supervisor config', supervisorConfigSchema, raw);
}

export interface SupervisorState {
  lastRateMlPerH: number;
  atCeilingSinceMs: number | null;
  deliveredUg: number;
  lastTMs: number | null;
}

export interface SupervisorInputs {
  proposedRateMlPerH: number;
  /** The latest beat that came over the link, if any. */
  beat: { tMs: number; meanMmHg: number; quality: number } | null;
}

export interface SupervisorDecision {
  rateMlPerH: number;
  /** Every limit that changed the proposal, in words. */
  limits: string[];
  alarm: { priority: 'low' | 'medium' | 'high'; text: string } | null;
  state: SupervisorState;
}

export function supervisorStart(): SupervisorState {
  return { lastRateMlPerH: 0, atCeilingSinceMs: null, deliveredUg: 0, lastTMs: null };
}

/** mL/h that gives the dose limit at this concentration and weight. */
export function ceilingMlPerH(c: SupervisorConfig): number {
  return (c.maxDoseUgPerKgPerMin * c.weightKg * 60) / c.concentrationUgPerMl;
}

export function supervise(c: SupervisorConfig, s: SupervisorState, x: SupervisorInputs, nowMs: number): SupervisorDecision {
  const limits: string[] = [];
  let alarm: SupervisorDecision['alarm'] = null;
  const dtH = s.lastTMs === null ? 0 : (nowMs - s.lastTMs) / 3_600_000;
  const deliveredUg = s.deliveredUg + s.lastRateMlPerH * dtH * c.concentrationUgPerMl;
  let rate = x.proposedRateMlPerH;

  const beat = x.beat;
  const stale = !beat || nowMs - beat.tMs > c.staleAfterMs;
  const flagged = !!beat && beat.quality !== 0;
  const implausible = !!beat && (beat.meanMmHg < c.plausibleMmHg.min || beat.meanMmHg > c.plausibleMmHg.max);
  if ((stale || flagged || implausible) && rate > s.lastRateMlPerH) {
    rate = s.lastRateMlPerH;
    limits.push(stale ? `no fresh pressure for ${c.staleAfterMs} ms: no increase` : flagged ? `pressure flagged (quality ${beat!.quality}): no increase` : `pressure ${beat!.meanMmHg.toFixed(1)} mmHg implausible: no increase`);
  }
  if (beat && !stale && !flagged && beat.meanMmHg < c.floorMmHg) {
    rate = 0;
    limits.push(`pressure ${beat.meanMmHg.toFixed(1)} mmHg below the floor of ${c.floorMmHg}: vasodilator stopped`);
    alarm = { priority: 'high', text: `MAP below ${c.floorMmHg} mmHg: infusion stopped` };
  }
  if (rate - s.lastRateMlPerH > c.maxRateChangeMlPerH) {
    rate = s.lastRateMlPerH + c.maxRateChangeMlPerH;
    limits.push(`increase limited to ${c.maxRateChangeMlPerH} mL/h per decision`);
  }
  const ceiling = ceilingMlPerH(c);
  if (rate > ceiling) {
    rate = ceiling;
    limits.push(`ceiling ${ceiling.toFixed(1)} mL/h (${c.maxDoseUgPerKgPerMin} ug/kg/min at ${c.concentrationUgPerMl} ug/mL, ${c.weightKg} kg)`);
  }
  let atCeilingSinceMs = rate >= ceiling - 1e-9 ? (s.atCeilingSinceMs ?? nowMs) : null;
  if (atCeilingSinceMs !== null && nowMs - atCeilingSinceMs >= c.maxMinutesAtCeiling * 60_000) {
    rate = 0;
    atCeilingSinceMs = null;
    limits.push(`at the ceiling for ${c.maxMinutesAtCeiling} min: stopped (uncontrolled response)`);
    alarm = { priority: 'high', text: `dose ceiling held for ${c.maxMinutesAtCeiling} min: infusion stopped, call for review` };
  }
  if (deliveredUg >= c.doseBudgetMg * 1000 && rate > 0) {
    rate = 0;
    limits.push(`cumulative dose ${(deliveredUg / 1000).toFixed(2)} mg reached the budget of ${c.doseBudgetMg} mg: stopped`);
    alarm = { priority: 'high', text: 'cumulative dose budget reached: infusion stopped' };
  }
  rate = Math.max(0, rate);
  return { rateMlPerH: rate, limits, alarm, state: { lastRateMlPerH: rate, atCeilingSinceMs, deliveredUg, lastTMs: nowMs } };
}
