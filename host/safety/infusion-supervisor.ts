// The safety supervisor of a vasodilator infusion, separate from every controller: it takes the
// controller's proposal and what came over the link, and decides the rate actually commanded, naming every
// limit that acted. Pure: (config, state, inputs, now) -> decision. Limits (clinical-models.md section 2,
// and the OpenAPS-style lease of section 2):
//  - an absolute ceiling from the drug's dose limit, concentration and weight; a time-at-ceiling limit;
//    a cumulative dose budget; a maximum increase per decision (decreases always pass);
//  - no increase on stale, flagged or implausible pressure; a pressure floor that stops a vasodilator,
//    and a high limit that stops a vasopressor;
//  - modes: auto (the controller), fallback (pressure invalid for a while: hold, never above the fallback
//    rate), manual (a person sets the rate; hard limits still apply);
//  - the pump's lease is renewed only while inputs are valid: after maxInvalidMs without a valid pressure
//    nothing is sent, and the pump falls to its own safe rate when the lease runs out.
import { z } from 'zod';
import { parseConfig, readConfigFile } from '../config/config-file.ts';
import type { BpObservation } from '../control/bp/bp-controller.ts';

export const supervisorConfigSchema = z.strictObject({
  $comment: z.string().optional(),
  /** Drug concentration in ug/mL. A value in mg/mL (0.2 for 200 ug/mL) is refused as implausible. */
  concentrationUgPerMl: z.number().min(10, 'concentration below 10 ug/mL: is it in mg/mL? give it in ug/mL (nitroprusside 50 mg / 250 mL is 200 ug/mL)').max(2000),
  weightKg: z.number().min(20, 'weight below 20 kg: is it in g or lb? give it in kg').max(250, 'weight above 250 kg: is it in g or lb? give it in kg'),
  maxDoseUgPerKgPerMin: z.number().positive().max(20),
  maxMinutesAtCeiling: z.number().positive().max(60),
  doseBudgetMg: z.number().positive(),
  maxRateChangeMlPerH: z.number().positive(),
  staleAfterMs: z.number().int().positive(),
  /** A vasodilator lowers the pressure, a vasopressor raises it: which side a pressure limit stops the drug on. */
  drugEffect: z.enum(['lowers', 'raises']).default('lowers'),
  /** Below this a vasodilator is stopped (high alarm); with a vasopressor it is a high alarm only. */
  floorMmHg: z.number().min(40).max(90),
  /** Above this a vasopressor is stopped (high alarm). */
  highMmHg: z.number().min(80).max(200).default(200),
  plausibleMmHg: z.strictObject({ min: z.number(), max: z.number() }),
  /** Pressure invalid this long: fallback mode (hold, at most the fallback rate). */
  fallbackAfterMs: z.number().int().positive().default(15_000),
  fallbackRateMlPerH: z.number().min(0).default(0),
  /** Pressure invalid this long: the lease is no longer renewed, so the pump stops by itself. */
  maxInvalidMs: z.number().int().positive().default(60_000),
});

export type SupervisorConfig = z.output<typeof supervisorConfigSchema>;

/** Validates a supervisor configuration before anything is infused; the error names the field and the unit. */
export function parseSupervisorConfig(raw: unknown): SupervisorConfig {
  return parseConfig('supervisor config', supervisorConfigSchema, raw);
}

export type Mode = 'auto' | 'fallback' | 'manual';

export interface Alarm {
  /** Stable name of the condition, so a raise and its clearing pair up. */
  id: string;
  priority: 'low' | 'medium' | 'high';
  text: string;
}

export interface SupervisorState {
  lastRateMlPerH: number;
  atCeilingSinceMs: number | null;
  deliveredUg: number;
  lastTMs: number | null;
  /** Since when the pressure has been invalid (stale, flagged or implausible), if it is. */
  invalidSinceMs: number | null;
}

export interface SupervisorInputs {
  proposedRateMlPerH: number;
  /** The decision period's beats, as they came over the link; null before any. */
  obs: BpObservation | null;
  /** A person's rate, when in manual mode. */
  manualRateMlPerH: number | null;
}

export interface SupervisorDecision {
  rateMlPerH: number;
  mode: Mode;
  /** False: send nothing, let the pump's lease lapse to its safe rate. */
  renewLease: boolean;
  /** Every limit that changed the proposal, in words. */
  limits: string[];
  /** Conditions active now, highest priority first. */
  alarms: Alarm[];
  state: SupervisorState;
}

export function supervisorStart(): SupervisorState {
  return { lastRateMlPerH: 0, atCeilingSinceMs: null, deliveredUg: 0, lastTMs: null, invalidSinceMs: null };
}

/** mL/h that gives the dose limit at this concentration and weight. */
export function ceilingMlPerH(c: SupervisorConfig): number {
  return (c.maxDoseUgPerKgPerMin * c.weightKg * 60) / c.concentrationUgPerMl;
}

const RANK = { high: 0, medium: 1, low: 2 } as const;

/** Why the pressure cannot be trusted now, or null when it can. */
function invalidity(c: SupervisorConfig, obs: BpObservation | null, nowMs: number): string | null {
  if (!obs || (obs.cleanBeats === 0 && obs.flaggedBeats === 0) || nowMs - obs.tMs > c.staleAfterMs) return `no fresh pressure for ${c.staleAfterMs} ms`;
  if (obs.flaggedBeats > 0) return `pressure flagged (quality ${obs.quality})`;
  if (obs.meanMmHg < c.plausibleMmHg.min || obs.meanMmHg > c.plausibleMmHg.max) return `pressure ${obs.meanMmHg.toFixed(1)} mmHg implausible`;
  return null;
}

export function supervise(c: SupervisorConfig, s: SupervisorState, x: SupervisorInputs, nowMs: number): SupervisorDecision {
  const limits: string[] = [];
  const alarms: Alarm[] = [];
  const dtH = s.lastTMs === null ? 0 : (nowMs - s.lastTMs) / 3_600_000;
  const deliveredUg = s.deliveredUg + s.lastRateMlPerH * dtH * c.concentrationUgPerMl;
  const obs = x.obs;
  const invalid = invalidity(c, obs, nowMs);
  const invalidSinceMs = invalid ? (s.invalidSinceMs ?? nowMs) : null;
  const invalidForMs = invalidSinceMs === null ? 0 : nowMs - invalidSinceMs;
  let mode: Mode = x.manualRateMlPerH !== null ? 'manual' : invalidForMs >= c.fallbackAfterMs ? 'fallback' : 'auto';
  let renewLease = true;
  let rate = mode === 'manual' ? x.manualRateMlPerH! : x.proposedRateMlPerH;

  if (invalid && mode !== 'manual') {
    if (rate > s.lastRateMlPerH) {
      rate = s.lastRateMlPerH;
      limits.push(`${invalid}: no increase`);
    }
    if (mode === 'fallback' && rate > c.fallbackRateMlPerH) {
      rate = c.fallbackRateMlPerH;
      limits.push(`fallback: ${invalid} for ${(invalidForMs / 1000).toFixed(0)} s, at most ${c.fallbackRateMlPerH} mL/h`);
    }
    if (invalidForMs >= c.maxInvalidMs) {
      renewLease = false;
      limits.push(`no valid pressure for ${(invalidForMs / 1000).toFixed(0)} s: lease not renewed, the pump falls to its safe rate`);
      alarms.push({ id: 'no-valid-pressure', priority: 'high', text: `no valid pressure for over ${c.maxInvalidMs / 1000} s: infusion left to stop at the end of its lease; check the arterial line` });
    } else if (mode === 'fallback') {
      alarms.push({ id: 'fallback', priority: 'medium', text: `${invalid}: fallback mode, holding at most ${c.fallbackRateMlPerH} mL/h; check the arterial line` });
    }
  }
  const lowers = c.drugEffect === 'lowers';
  if (obs && !invalid && obs.meanMmHg < c.floorMmHg) {
    const stops = lowers && mode !== 'manual';
    alarms.push({ id: 'below-floor', priority: 'high', text: `MAP ${obs.meanMmHg.toFixed(0)} below ${c.floorMmHg} mmHg${stops ? ': vasodilator stopped' : mode === 'manual' ? ' in manual mode' : ''}` });
    if (stops && rate > 0) {
      rate = 0;
      limits.push(`pressure ${obs.meanMmHg.toFixed(1)} mmHg below the floor of ${c.floorMmHg}: vasodilator stopped`);
    }
  }
  if (obs && !invalid && !lowers && obs.meanMmHg > c.highMmHg) {
    const stops = mode !== 'manual';
    alarms.push({ id: 'above-high', priority: 'high', text: `MAP ${obs.meanMmHg.toFixed(0)} above ${c.highMmHg} mmHg${stops ? ': vasopressor stopped' : ' in manual mode'}` });
    if (stops && rate > 0) {
      rate = 0;
      limits.push(`pressure ${obs.meanMmHg.toFixed(1)} mmHg above ${c.highMmHg}: vasopressor stopped`);
    }
  }
  if (mode !== 'manual' && rate - s.lastRateMlPerH > c.maxRateChangeMlPerH) {
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
    limits.push(`at the ceiling for ${c.maxMinutesAtCeiling} min: stopped (uncontrolled response)`);
    alarms.push({ id: 'ceiling-time', priority: 'high', text: `dose ceiling held for ${c.maxMinutesAtCeiling} min: infusion stopped, call for review` });
  } else if (atCeilingSinceMs !== null) {
    alarms.push({ id: 'at-ceiling', priority: 'low', text: `at the dose ceiling of ${ceiling.toFixed(1)} mL/h` });
  }
  if (deliveredUg >= c.doseBudgetMg * 1000 && rate > 0) {
    rate = 0;
    limits.push(`cumulative dose ${(deliveredUg / 1000).toFixed(2)} mg reached the budget of ${c.doseBudgetMg} mg: stopped`);
    alarms.push({ id: 'dose-budget', priority: 'high', text: 'cumulative dose budget reached: infusion stopped' });
  }
  rate = Math.max(0, rate);
  if (!renewLease) mode = 'fallback';
  alarms.sort((a, b) => RANK[a.priority] - RANK[b.priority]);
  return {
    rateMlPerH: rate, mode, renewLease, limits, alarms,
    state: {
      // Without a renewal the dose budget still counts the rate as running: the worst case until the lease lapses.
      lastRateMlPerH: rate, atCeilingSinceMs, deliveredUg, lastTMs: nowMs, invalidSinceMs,
    },
  };
}

/** A supervisor file (*.supervisor.json): every limit but the patient's weight, which each run supplies. */
export const supervisorFileSchema = supervisorConfigSchema.omit({ weightKg: true });

export function loadSupervisorFile(path: string): z.output<typeof supervisorFileSchema> {
  return readConfigFile(path, 'the supervisor limits', supervisorFileSchema);
}
