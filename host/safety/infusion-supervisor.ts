// The safety supervisor of a vasodilator infusion, separate from every controller: it takes the
// controller's proposal and what came over the link, and decides the rate actually commanded, naming every
// limit that acted. Pure: (config, state, inputs, now) -> decision. Limits (docs/clinical-basis.md#drug-and-device-limits,
// and the OpenAPS-style lease of section 2):
//  - an absolute ceiling from the drug's dose limit, concentration and weight; a time-at-ceiling limit;
//    a cumulative dose budget; a maximum increase per decision (decreases always pass);
//  - no increase on stale, flagged or implausible pressure; a pressure floor that stops a vasodilator,
//    and a high limit that stops a vasopressor;
//  - modes: auto (the controller), fallback (pressure invalid for a while: hold, never above the fallback
//    rate), manual (a person sets the rate; hard limits still apply);
//  - the pump's lease is renewed only while inputs are valid: after maxInvalidMs without a valid pressure
//    nothing is sent, and the pump falls to its own safe rate when the lease runs out;
//  - no alarm clears while its danger stands: a lost or implausible reading after a low valid one keeps
//    the below-floor alarm and a vasodilator stopped; an implausibly low clean reading stops a vasodilator;
//  - the pump's own account decides what flowed (dose) and what it can do: a pump that stopped itself
//    (occlusion, empty syringe, motor stall, air in line, free flow) is not commanded until a person
//    resumes, which acknowledges its alarm. A free flow is treated the same way: the pump cannot stop it,
//    so the host stops asking for drug, raises a high alarm that says to clamp the line, and the pressure
//    floor still stops the drug if the pressure falls;
//  - latched holds: after the time-at-ceiling limit (stop, or hold the ceiling for a drug that must not stop
//    abruptly), after a pump restart, and when a monitor escalates (sustained oscillation), the rate stays
//    where the hold put it, with its alarm, until an operator acts (manual, or back to auto).
import { z } from 'zod';
import { parseConfig, readConfigFile } from '../config/config-file.ts';
import type { BpObservation } from '../control/bp/bp-controller.ts';
import type { Alarm } from './alarm.ts';
import { byPriority } from './alarm.ts';
import { oscillationConfigSchema } from './oscillation-monitor.ts';
import type { PumpCondition } from './pump-monitor.ts';
import { reachConfigSchema } from './reach-monitor.ts';
import { loadDrugFile, onHostLossSchema } from '../therapies/bp/drugs/drug-file.ts';
import { flagWords } from '../../protocols/catalogue/codes.ts';

export type { Alarm } from './alarm.ts';

const supervisorFields = z.strictObject({
  $schema: z.string().optional(),
  $comment: z.string().optional(),
  /** The drug's name (host/therapies/bp/drugs); absent in records written before drugs had files. */
  drug: z.string().optional(),
  /** Drug concentration in ug/mL. A value in mg/mL (0.2 for 200 ug/mL) is refused as implausible. */
  concentrationUgPerMl: z.number().min(10, 'concentration below 10 ug/mL: is it in mg/mL? give it in ug/mL (nitroprusside 50 mg / 250 mL is 200 ug/mL)').max(2000),
  weightKg: z.number().min(20, 'weight below 20 kg: is it in g or lb? give it in kg').max(250, 'weight above 250 kg: is it in g or lb? give it in kg'),
  maxDoseUgPerKgPerMin: z.number().positive().max(20),
  maxMinutesAtCeiling: z.number().positive().max(60),
  /**
   * After maxMinutesAtCeiling at the ceiling: 'stop' the drug (nitroprusside's label: no longer than 10 min at
   * the maximum, stop if uncontrolled) or 'hold' the ceiling (a vasopressor is not stopped abruptly); either
   * way a high alarm stands and the rate stays there until an operator acts.
   */
  afterCeilingTime: z.enum(['stop', 'hold']).default('stop'),
  doseBudgetMg: z.number().positive(),
  maxRateChangeMlPerH: z.number().positive(),
  staleAfterMs: z.number().int().positive(),
  /** A vasodilator lowers the pressure, a vasopressor raises it: which side a pressure limit stops the drug on. */
  drugEffect: z.enum(['lowers', 'raises']).default('lowers'),
  /** Below this a vasodilator is stopped (high alarm); with a vasopressor it is a high alarm only. */
  floorMmHg: z.number().min(40).max(90),
  /** Above this a vasopressor is stopped (high alarm). */
  highMmHg: z.number().min(80).max(200).default(200),
  plausibleMmHg: z.strictObject({ min: z.number().min(0).max(100), max: z.number().min(100).max(400) }),
  /**
   * With no valid pressure since a last valid one this close above the floor (or under it), a vasodilator is
   * stopped, not held: fallback never keeps a vasodilator running on a patient last seen near the floor.
   */
  nearFloorMarginMmHg: z.number().min(0).max(30).default(5),
  /** Pressure invalid this long: fallback mode (hold, at most the fallback rate). */
  fallbackAfterMs: z.number().int().positive().default(15_000),
  fallbackRateMlPerH: z.number().min(0).default(0),
  /** Pressure invalid this long: the lease is no longer renewed, so the pump stops by itself. */
  maxInvalidMs: z.number().int().positive().default(60_000),
  /** No status from the pump this long: an alarm of its own (the pump reports every second). */
  pumpSilentMs: z.number().int().min(1000).max(60_000).default(3000),
  /** Where the pump goes when the host or the link is lost (the drug's; records before it: stop). */
  onHostLoss: onHostLossSchema.default({ kind: 'stop' }),
  /** Sustained oscillation: the rule of host/safety/oscillation-monitor.ts. */
  oscillation: oscillationConfigSchema.prefault({}),
  /** Target out of reach at a cap: the rule of host/safety/reach-monitor.ts. */
  outOfReach: reachConfigSchema.prefault({}),
});

type Fields = z.output<typeof supervisorFields>;

/** Limits that only make sense together, with the numbers in the message. */
function consistent(c: Partial<Fields>, ctx: z.RefinementCtx): void {
  const p = c.plausibleMmHg;
  if (p && p.min >= p.max) ctx.addIssue({ code: 'custom', path: ['plausibleMmHg'], message: `min ${p.min} >= max ${p.max}` });
  if (p && c.floorMmHg !== undefined && c.floorMmHg <= p.min) ctx.addIssue({ code: 'custom', path: ['floorMmHg'], message: `floor ${c.floorMmHg} mmHg is not above the plausible minimum ${p.min}: a low pressure would read as implausible, not as below the floor` });
  if (c.drugEffect === 'raises' && c.floorMmHg !== undefined && c.highMmHg !== undefined && c.highMmHg <= c.floorMmHg) ctx.addIssue({ code: 'custom', path: ['highMmHg'], message: `high limit ${c.highMmHg} mmHg is not above the floor ${c.floorMmHg}` });
  if (c.fallbackAfterMs !== undefined && c.maxInvalidMs !== undefined && c.fallbackAfterMs > c.maxInvalidMs) ctx.addIssue({ code: 'custom', path: ['fallbackAfterMs'], message: `fallback after ${c.fallbackAfterMs} ms comes after the lease stops being renewed (${c.maxInvalidMs} ms)` });
}

export const supervisorConfigSchema = supervisorFields.superRefine(consistent);

export type SupervisorConfig = z.output<typeof supervisorConfigSchema>;

/** Validates a supervisor configuration before anything is infused; the error names the field and the unit. */
export function parseSupervisorConfig(raw: unknown): SupervisorConfig {
  return parseConfig('supervisor config', supervisorConfigSchema, raw);
}

/** Limits loadSupervisorFile validated (and nobody changed since: they are frozen). */
const validatedLimits = new WeakSet<object>();
const weightSchema = z.strictObject({ weightKg: supervisorFields.shape.weightKg });

/**
 * A patient's configuration: the limits with the patient's weight, exactly as parseSupervisorConfig gives
 * it (the same fields in the same order, the same error for a bad weight). Limits from loadSupervisorFile
 * are not validated again for every patient of a cohort (a sweep's patient runs in milliseconds); any
 * other object is.
 */
export function withWeight(limits: Omit<SupervisorConfig, 'weightKg'>, weightKg: number): SupervisorConfig {
  if (!validatedLimits.has(limits)) return parseSupervisorConfig({ ...limits, weightKg });
  const weight = parseConfig('supervisor config', weightSchema, { weightKg }).weightKg;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(supervisorFields.shape)) {
    if (k === 'weightKg') out.weightKg = weight;
    else if (k in limits) out[k] = limits[k as keyof typeof limits];
  }
  return out as SupervisorConfig;
}

/** auto: the controller; fallback: pressure invalid; manual: a person's rate; held: latched until a person acts. */
export type Mode = 'auto' | 'fallback' | 'manual' | 'held';

/** A latched hold: the rate stays here, with its alarm, until an operator acts. */
export interface Hold {
  rateMlPerH: number;
  alarm: Alarm;
  limit: string;
}

export interface SupervisorState {
  lastRateMlPerH: number;
  atCeilingSinceMs: number | null;
  deliveredUg: number;
  lastTMs: number | null;
  /** Since when the pressure has been invalid (stale, flagged or implausible), if it is. */
  invalidSinceMs: number | null;
  /** The latest valid pressure, and when it was seen. */
  lastValid: { mapMmHg: number; tMs: number } | null;
  hold: Hold | null;
}

export interface SupervisorInputs {
  proposedRateMlPerH: number;
  /** The decision period's beats, as they came over the link; null before any. */
  obs: BpObservation | null;
  /** A person's rate, when in manual mode. */
  manualRateMlPerH: number | null;
  /** What the pump reported (host/safety/pump-monitor.ts); without it the pump is taken to run as commanded. */
  pump?: PumpCondition;
  /** A monitor asks for a latched hold at this rate (sustained oscillation). */
  holdRequest?: { rateMlPerH: number; text: string } | null;
  /** An operator acted at this decision: latched holds end, and a pump's latched alarm is acknowledged. */
  operatorActed?: boolean;
}

export type Command = 'set-rate' | 'stop' | 'none';

export interface SupervisorDecision {
  rateMlPerH: number;
  mode: Mode;
  /** set-rate: command the rate with a lease; stop: PumpStop (acknowledges the pump's alarm); none: send nothing. */
  command: Command;
  /** Every limit that changed the proposal, in words. */
  limits: string[];
  /** Conditions active now, highest priority first. */
  alarms: Alarm[];
  state: SupervisorState;
}

export function supervisorStart(): SupervisorState {
  return { lastRateMlPerH: 0, atCeilingSinceMs: null, deliveredUg: 0, lastTMs: null, invalidSinceMs: null, lastValid: null, hold: null };
}

/** mL/h that gives the dose limit at this concentration and weight. */
export function ceilingMlPerH(c: Pick<SupervisorConfig, 'maxDoseUgPerKgPerMin' | 'weightKg' | 'concentrationUgPerMl'>): number {
  return (c.maxDoseUgPerKgPerMin * c.weightKg * 60) / c.concentrationUgPerMl;
}

/** Why the pressure cannot be trusted now, or null when it can. */
export function invalidity(c: SupervisorConfig, obs: BpObservation | Omit<BpObservation, 'infusedMlPerH'> | null, nowMs: number): string | null {
  if (!obs || (obs.cleanBeats === 0 && obs.flaggedBeats === 0) || nowMs - obs.tMs > c.staleAfterMs) return `no fresh pressure for ${c.staleAfterMs} ms`;
  if (obs.flaggedBeats > 0) return `pressure flagged by the sensor (${flagWords('PressureQuality', obs.quality)})`;
  if (obs.meanMmHg < c.plausibleMmHg.min || obs.meanMmHg > c.plausibleMmHg.max) return `pressure ${obs.meanMmHg.toFixed(1)} mmHg implausible`;
  return null;
}

/** A rate differs from another by more than the wire's resolution (0.001 mL/h). */
const below = (a: number, b: number) => a < b - 0.0011;

export function supervise(c: SupervisorConfig, s: SupervisorState, x: SupervisorInputs, nowMs: number): SupervisorDecision {
  const limits: string[] = [];
  const alarms: Alarm[] = [];
  const pump = x.pump;
  const dtH = s.lastTMs === null ? 0 : (nowMs - s.lastTMs) / 3_600_000;
  // The dose counts what flowed by the pump's own account; without one, the rate commanded (the worst case).
  const deliveredUg = s.deliveredUg + (pump ? pump.infusedMlPerH : s.lastRateMlPerH) * dtH * c.concentrationUgPerMl;
  const obs = x.obs;
  const invalid = invalidity(c, obs, nowMs);
  const invalidSinceMs = invalid ? (s.invalidSinceMs ?? nowMs) : null;
  const invalidForMs = invalidSinceMs === null ? 0 : nowMs - invalidSinceMs;
  const lastValid = !invalid && obs ? { mapMmHg: obs.meanMmHg, tMs: obs.tMs } : s.lastValid;
  const manual = x.manualRateMlPerH !== null;
  const lowers = c.drugEffect === 'lowers';
  let hold = x.operatorActed ? null : s.hold;
  let mode: Mode = manual ? 'manual' : invalidForMs >= c.fallbackAfterMs ? 'fallback' : 'auto';
  let renewLease = true;
  let command: Command = 'set-rate';
  let rate = manual ? x.manualRateMlPerH! : x.proposedRateMlPerH;
  // Limits on increases count from what the pump runs when that is less than commanded (a restart, a refusal).
  const base = pump && pump.actualMlPerH !== null && below(pump.actualMlPerH, s.lastRateMlPerH) ? pump.actualMlPerH : s.lastRateMlPerH;

  if (pump) {
    alarms.push(...pump.alarms);
    // A restart is latched here (the pump forgets it at once); its own alarms it latches itself.
    if (pump.stoppedBecause === 'a restart of the pump' && !hold && !x.operatorActed) {
      hold = { rateMlPerH: 0, limit: 'the pump restarted: held at 0 mL/h until an operator acts', alarm: pump.alarms.find((a) => a.id === 'pump-restarted')! };
    }
  }
  if (hold && !manual) {
    rate = hold.rateMlPerH;
    mode = 'held';
    limits.push(hold.limit);
    if (!alarms.some((a) => a.id === hold!.alarm.id)) alarms.push(hold.alarm);
  }

  if (invalid && !manual) {
    if (rate > base) {
      rate = base;
      limits.push(`${invalid}: no increase`);
    }
    const low = lastValid !== null && lastValid.mapMmHg <= c.floorMmHg + c.nearFloorMarginMmHg;
    if (lowers && low && rate > 0) {
      rate = 0;
      limits.push(`${invalid} since a valid MAP of ${lastValid!.mapMmHg.toFixed(1)} mmHg, near or under the floor of ${c.floorMmHg}: vasodilator stopped until a valid pressure`);
    }
    if (lastValid !== null && lastValid.mapMmHg < c.floorMmHg) {
      // The danger last seen has not been seen to end: its alarm stands.
      alarms.push({ id: 'below-floor', priority: 'high', text: `MAP last read ${lastValid.mapMmHg.toFixed(0)}, below ${c.floorMmHg} mmHg, and no valid pressure since (${invalid})${lowers ? ': vasodilator stopped' : ''}; check the patient and the line` });
    }
    if (mode === 'fallback' && rate > c.fallbackRateMlPerH) {
      rate = c.fallbackRateMlPerH;
      limits.push(`fallback: ${invalid} for ${(invalidForMs / 1000).toFixed(0)} s, at most ${c.fallbackRateMlPerH} mL/h`);
    }
    if (invalidForMs >= c.maxInvalidMs) {
      renewLease = false;
      // A drug that holds on host loss keeps its last rate when the lease lapses; one that stops, stops.
      const holds = c.onHostLoss.kind === 'hold-rate';
      limits.push(`no valid pressure for ${(invalidForMs / 1000).toFixed(0)} s: lease not renewed, the pump falls to its safe rate${holds ? ' (the last rate held, for this drug)' : ''}`);
      alarms.push({ id: 'no-valid-pressure', priority: 'high', text: `no valid pressure for over ${c.maxInvalidMs / 1000} s: infusion left to ${holds ? 'hold its last rate' : 'stop'} at the end of its lease; check the arterial line` });
    } else if (mode === 'fallback') {
      alarms.push({ id: 'fallback', priority: 'medium', text: `${invalid}: fallback mode, holding at most ${rate.toFixed(1)} mL/h; check the arterial line` });
    }
  }
  // A clean reading below what is plausible may still be a patient in collapse: a vasodilator stops at once.
  if (obs && obs.cleanBeats > 0 && obs.meanMmHg < c.plausibleMmHg.min && !manual) {
    alarms.push({ id: 'pressure-implausibly-low', priority: 'high', text: `MAP reads ${obs.meanMmHg.toFixed(0)} mmHg, below the plausible ${c.plausibleMmHg.min}${lowers ? ': vasodilator stopped' : ''}; check the patient first, then the line` });
    if (lowers && rate > 0) {
      rate = 0;
      limits.push(`pressure ${obs.meanMmHg.toFixed(1)} mmHg below the plausible ${c.plausibleMmHg.min}: vasodilator stopped`);
    }
  }
  if (obs && !invalid && obs.meanMmHg < c.floorMmHg) {
    const stops = lowers && !manual;
    alarms.push({ id: 'below-floor', priority: 'high', text: `MAP ${obs.meanMmHg.toFixed(0)} below ${c.floorMmHg} mmHg${stops ? ': vasodilator stopped' : manual ? ' in manual mode' : ''}` });
    if (stops && rate > 0) {
      rate = 0;
      limits.push(`pressure ${obs.meanMmHg.toFixed(1)} mmHg below the floor of ${c.floorMmHg}: vasodilator stopped`);
    }
  }
  if (obs && !invalid && !lowers && obs.meanMmHg > c.highMmHg) {
    const stops = !manual;
    alarms.push({ id: 'above-high', priority: 'high', text: `MAP ${obs.meanMmHg.toFixed(0)} above ${c.highMmHg} mmHg${stops ? ': vasopressor stopped' : ' in manual mode'}` });
    if (stops && rate > 0) {
      rate = 0;
      limits.push(`pressure ${obs.meanMmHg.toFixed(1)} mmHg above ${c.highMmHg}: vasopressor stopped`);
    }
  }
  if (!manual && rate - base > c.maxRateChangeMlPerH) {
    rate = base + c.maxRateChangeMlPerH;
    limits.push(`increase limited to ${c.maxRateChangeMlPerH} mL/h per decision`);
  }
  const ceiling = ceilingMlPerH(c);
  if (rate > ceiling) {
    rate = ceiling;
    limits.push(`ceiling ${ceiling.toFixed(1)} mL/h (${c.maxDoseUgPerKgPerMin} ug/kg/min at ${c.concentrationUgPerMl} ug/mL, ${c.weightKg} kg)`);
  }
  const atCeilingSinceMs = rate >= ceiling - 1e-9 && !hold ? (s.atCeilingSinceMs ?? nowMs) : null;
  if (atCeilingSinceMs !== null && nowMs - atCeilingSinceMs >= c.maxMinutesAtCeiling * 60_000 && !manual) {
    const stop = c.afterCeilingTime === 'stop';
    hold = {
      rateMlPerH: stop ? 0 : ceiling,
      limit: `at the ceiling for ${c.maxMinutesAtCeiling} min: ${stop ? 'stopped (uncontrolled response)' : `held at the ceiling of ${ceiling.toFixed(1)} mL/h`} until an operator acts`,
      alarm: { id: 'ceiling-time', priority: 'high', text: `dose ceiling held for ${c.maxMinutesAtCeiling} min: infusion ${stop ? 'stopped' : 'held at the ceiling'} until an operator acts; call for review` },
    };
    rate = hold.rateMlPerH;
    mode = 'held';
    limits.push(hold.limit);
    alarms.push(hold.alarm);
  } else if (atCeilingSinceMs !== null) {
    alarms.push({ id: 'at-ceiling', priority: 'low', text: `at the dose ceiling of ${ceiling.toFixed(1)} mL/h` });
  }
  if (x.holdRequest && !hold && !manual) {
    hold = {
      rateMlPerH: Math.min(x.holdRequest.rateMlPerH, rate, ceiling),
      limit: x.holdRequest.text,
      alarm: { id: 'controller-stopped', priority: 'high', text: x.holdRequest.text },
    };
    rate = hold.rateMlPerH;
    mode = 'held';
    limits.push(hold.limit);
    alarms.push(hold.alarm);
  }
  if (deliveredUg >= c.doseBudgetMg * 1000 && rate > 0) {
    rate = 0;
    limits.push(`cumulative dose ${(deliveredUg / 1000).toFixed(2)} mg reached the budget of ${c.doseBudgetMg} mg: stopped`);
    alarms.push({ id: 'dose-budget', priority: 'high', text: 'cumulative dose budget reached: infusion stopped' });
  }
  // A pump that stopped itself does nothing the host asks until a person resumes; resuming acknowledges it.
  if (pump && !pump.delivering && pump.stoppedBecause !== 'a restart of the pump') {
    rate = 0;
    if (x.operatorActed) {
      command = 'stop';
      limits.push(`an operator acted after the pump stopped (${pump.stoppedBecause}): its alarm is acknowledged (PumpStop); the rate follows at the next decision`);
    } else {
      command = 'none';
      if (!manual) mode = 'held';
      limits.push(`the pump stopped itself (${pump.stoppedBecause}): nothing is commanded until an operator resumes`);
    }
  }
  rate = Math.max(0, rate);
  if (!renewLease) {
    mode = 'fallback';
    command = 'none';
  }
  return {
    rateMlPerH: rate, mode, command, limits, alarms: byPriority(dedupe(alarms)),
    state: {
      // Without a renewal the rate is taken as running until the pump's own account says otherwise.
      lastRateMlPerH: rate, atCeilingSinceMs, deliveredUg, lastTMs: nowMs, invalidSinceMs, lastValid, hold,
    },
  };
}

/** One alarm per id: the first (most specific) text wins. */
function dedupe(alarms: Alarm[]): Alarm[] {
  if (alarms.length < 2) return alarms;
  const seen = new Set<string>();
  return alarms.filter((a) => (seen.has(a.id) ? false : (seen.add(a.id), true)));
}

/** The facts of a drug file (host/therapies/bp/drugs), which a supervisor file names instead of repeating. */
const DRUG_FACTS = { drug: true, drugEffect: true, concentrationUgPerMl: true, maxDoseUgPerKgPerMin: true, maxMinutesAtCeiling: true, afterCeilingTime: true, onHostLoss: true } as const;

/** A supervisor file (*.supervisor.json): every limit but the drug's facts (it names the drug) and the patient's weight. */
export const supervisorFileSchema = supervisorFields.omit({ weightKg: true, ...DRUG_FACTS }).extend({
  /** The drug: a shipped one by name (nitroprusside, norepinephrine) or a *.drug.json file beside this one. */
  drug: z.string().min(1),
});

const supervisorLimitsSchema = supervisorFields.omit({ weightKg: true }).superRefine(consistent);

/** The limits of a supervisor file with its drug's facts: everything but the patient's weight, which each run supplies. */
export function loadSupervisorFile(path: string): z.output<typeof supervisorLimitsSchema> {
  const { drug: ref, ...limits } = readConfigFile(path, 'the supervisor limits', supervisorFileSchema);
  const d = loadDrugFile(ref, path);
  const checked = parseConfig(`${path} with the drug ${d.name}`, supervisorLimitsSchema, {
    ...limits, drug: d.name, drugEffect: d.effect, concentrationUgPerMl: d.concentrationUgPerMl, maxDoseUgPerKgPerMin: d.maxDoseUgPerKgPerMin,
    maxMinutesAtCeiling: d.maxMinutesAtCeiling, afterCeilingTime: d.afterCeilingTime, onHostLoss: d.onHostLoss,
  });
  validatedLimits.add(deepFreeze(checked));
  return checked;
}

function deepFreeze<T>(x: T): T {
  if (x && typeof x === 'object' && !Object.isFrozen(x)) {
    Object.freeze(x);
    for (const v of Object.values(x)) deepFreeze(v);
  }
  return x;
}
