// What the pump's own reports mean for the loop, as a pure function of the period's report: whether the
// drug flows, at what rate the controller should believe it flowed, and the alarms that name the cause
// (occlusion, empty syringe, motor stall, free flow, air in line, near empty, a refused command, a restart,
// a lapsed lease, silence). The host
// never asks a stopped pump for more, and the controller never learns from drug that did not flow.
import { PumpAlarmFlags, PumpState } from '../../protocols/generated/wire-codec.ts';
import type { AlarmValues, PumpStatusValues } from '../../protocols/generated/wire-codec.ts';
import type { Alarm } from './alarm.ts';

/** What the pump told the host, summarised for one decision. */
export interface PumpReport {
  /** The latest status, and when it arrived (host clock); null before any. */
  status: PumpStatusValues | null;
  statusAtMs: number | null;
  /**
   * Rate delivered by the pump's own count since the previous decision's latest status (its deliveredMl
   * over its own clock), or null when that cannot be told (no two statuses, or the pump restarted).
   */
  measuredMlPerH: number | null;
  /** The pump's volume count went backwards since the last status: it restarted. */
  restarted: boolean;
  /** Commands it refused or that failed in the period, with their reason. */
  refusals: string[];
  /** Alarm messages it raised in the period (its status flags say which still stand). */
  alarmsRaised: AlarmValues[];
  /** The set-rate commands it acknowledged in the period, in order. */
  acknowledgedMlPerH: number[];
}

export interface PumpMonitorConfig {
  /** No status from the pump for this long: it is not answering (it reports every second). */
  pumpSilentMs: number;
  /** The lease of each command: a silent pump runs the last one this long, then its safe rate. */
  leaseMs: number;
  /** What a silent pump runs once that lease lapsed: the rate its command asked it to hold (0: stopped). */
  lapseMlPerH?: number;
}

/** The pump as the supervisor sees it at one decision. */
export interface PumpCondition {
  /** False while the pump has stopped itself (occlusion, empty syringe, stall, free flow, air) or restarted: it needs a person. */
  delivering: boolean;
  /** Why it does not deliver, in words; null when it does. */
  stoppedBecause: string | null;
  /** The rate the drug actually ran at over the period just ended, as well as the host can tell. */
  infusedMlPerH: number;
  /** The rate it runs now, by its latest report (null when unknown). */
  actualMlPerH: number | null;
  alarms: Alarm[];
}

const f1 = (x: number) => x.toFixed(1);

/** The alarms on which the pump stops itself (latched until a PumpStop): flag, cause, alarm id and its words. */
const SELF_STOPS: readonly (readonly [number, string, string, string])[] = [
  [PumpAlarmFlags.Occlusion, 'occlusion', 'pump-occlusion', 'pump: occlusion: the pump stopped the infusion; clear the line, then resume (manual or auto) to restart it'],
  [PumpAlarmFlags.SyringeEmpty, 'syringe empty', 'pump-syringe-empty', 'pump: syringe empty (end stop): the infusion stopped; load a new syringe, then resume (manual or auto)'],
  [PumpAlarmFlags.MotorStall, 'motor stall', 'pump-motor-stall',
    'pump: motor stall: the plunger did not move as the motor drove it, so the drug was not given; the pump stopped. Check the syringe is seated and the drive is not jammed, then resume (manual or auto)'],
  [PumpAlarmFlags.FreeFlow, 'free flow', 'pump-free-flow',
    'pump: free flow: the plunger moves faster than the pump drives it (syringe out of its clamp, or siphoning). The pump stopped its motor but cannot stop this flow: clamp the line now, reseat the syringe, then resume (manual or auto)'],
  [PumpAlarmFlags.AirInLine, 'air in line', 'pump-air-in-line', 'pump: air in the line: the pump stopped; no drug flows while air is pushed. Remove the air (prime the line), then resume (manual or auto)'],
];

export function pumpCondition(c: PumpMonitorConfig, r: PumpReport, commandedMlPerH: number, nowMs: number, sinceMs: number): PumpCondition {
  const alarms: Alarm[] = [];
  const s = r.status;
  const silentMs = nowMs - (r.statusAtMs ?? sinceMs);
  const flags = s ? s.alarms : 0;
  let stoppedBecause: string | null = null;
  if (s && s.state === PumpState.Alarm) {
    for (const [flag, cause, id, text] of SELF_STOPS) {
      if (!(flags & flag)) continue;
      stoppedBecause = cause;
      alarms.push({ id, priority: 'high', text });
    }
    if (!stoppedBecause) {
      stoppedBecause = 'a pump alarm';
      alarms.push({ id: 'pump-alarm', priority: 'high', text: `pump: stopped in alarm (flags ${flags}); check the pump, then resume` });
    }
  } else if (r.restarted) {
    stoppedBecause = 'a restart of the pump';
  }
  if (r.restarted) {
    alarms.push({ id: 'pump-restarted', priority: 'high', text: 'pump: it restarted (its delivered volume went back to zero) and stopped; check its power and cable, then resume' });
  }
  if (flags & PumpAlarmFlags.SyringeNearEmpty && !(flags & PumpAlarmFlags.SyringeEmpty)) {
    alarms.push({ id: 'pump-near-empty', priority: 'medium', text: `pump: syringe nearly empty (${f1(s!.deliveredMl)} mL given since it was loaded): prepare a new one` });
  }
  if (flags & PumpAlarmFlags.HardLimitClamped) {
    alarms.push({ id: 'pump-hard-limit', priority: 'medium', text: 'pump: a rate above its hard limit was refused' });
  }
  if (flags & PumpAlarmFlags.LeaseExpired && s && s.state === PumpState.SafeRate) {
    alarms.push({ id: 'pump-lease-lapsed', priority: 'medium', text: `pump: its lease lapsed without renewal: it runs its safe rate of ${f1(s.rateMlPerH)} mL/h` });
  }
  const refused = r.refusals.filter((x) => !/alarm-active/.test(x));
  if (refused.length > 0) {
    alarms.push({ id: 'pump-refused', priority: 'medium', text: `pump: refused ${refused.join('; ')}` });
  }
  if (silentMs > c.pumpSilentMs) {
    alarms.push({ id: 'pump-not-answering', priority: 'high', text: `pump: no status for ${(silentMs / 1000).toFixed(0)} s: it runs its last lease, then its safe rate; check its cable and power` });
  }
  // What flowed: the pump's own count when it runs as commanded is the command itself (the same figure,
  // without the status timing); otherwise its count over the period, or its reported rate.
  const actual = s && silentMs <= c.pumpSilentMs ? s.rateMlPerH : null;
  let infused: number;
  if (stoppedBecause) infused = r.measuredMlPerH ?? 0;
  else if (actual === null) infused = silentMs > c.leaseMs ? (c.lapseMlPerH ?? 0) : commandedMlPerH;
  else if (s!.state === PumpState.Running && Math.abs(actual - commandedMlPerH) < 0.0011) infused = commandedMlPerH;
  else infused = r.measuredMlPerH ?? actual;
  return { delivering: stoppedBecause === null, stoppedBecause, infusedMlPerH: infused, actualMlPerH: actual, alarms };
}
