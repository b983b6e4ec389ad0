// What a device proxy lets through to its listeners: only telemetry that decodes and lies within the
// catalogue's ranges and code tables. Anything else is counted and dropped: a display or a controller
// never sees a pump state of 211 or a rate of 4,003,309 mL/h, whatever arrived. Alarms are kept, but
// only the latest ALARM_HISTORY of them, so a flood cannot grow the host's memory.
import type { AlarmValues } from '../../protocols/generated/wire-codec.ts';
import { checkAlarm, readAlarm } from '../../protocols/generated/wire-codec.ts';

/** Alarms a proxy keeps; older ones are dropped (and counted). */
export const ALARM_HISTORY = 200;

export class TelemetryGate {
  /** Messages dropped as unreadable or out of range. */
  rejected = 0;
  /** Alarms dropped from the history to keep it bounded. */
  alarmsDropped = 0;
  /** The latest alarms, oldest first, at most ALARM_HISTORY. */
  readonly alarms: AlarmValues[] = [];

  /** The message's values when they decode and pass their check; otherwise null, counted. */
  pass<T>(read: (b: Uint8Array, s: number, e: number) => T | null, check: (v: T) => number, buf: Uint8Array, s: number, e: number): T | null {
    const v = read(buf, s, e);
    if (v === null || check(v) >= 0) {
      this.rejected++;
      return null;
    }
    return v;
  }

  /** Keeps an Alarm message (if valid) in the bounded history. */
  alarm(buf: Uint8Array, s: number, e: number): AlarmValues | null {
    const a = this.pass(readAlarm, checkAlarm, buf, s, e);
    if (!a) return null;
    this.alarms.push(a);
    if (this.alarms.length > ALARM_HISTORY) {
      this.alarms.splice(0, this.alarms.length - ALARM_HISTORY);
      this.alarmsDropped++;
    }
    return a;
  }
}
