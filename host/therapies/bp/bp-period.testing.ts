// Period events for tests of the pure decision step: a period's beats, and pump statuses.
import type { PumpStatusValues } from '../../../protocols/generated/wire-codec.ts';
import type { PeriodEvent } from './bp-period.ts';

/** Six beats of one mean pressure, the last arriving at tMs; quality 0 is a clean beat. */
export function beats(tMs: number, meanMmHg: number, quality = 0, count = 6): PeriodEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    kind: 'beat' as const, tMs: tMs - (count - 1 - i) * 800,
    beat: { tMs: tMs - (count - 1 - i) * 800, systolicMmHg: meanMmHg + 20, diastolicMmHg: meanMmHg - 10, meanMmHg, heartRateBpm: 75, quality },
  }));
}

/** A status of the pump as it would report it at host time tMs (its own clock is the same here). */
export function pumpStatus(tMs: number, v: Partial<PumpStatusValues>): PeriodEvent {
  return {
    kind: 'pump-status', tMs,
    status: { tMs, state: 1, rateMlPerH: 0, commandedRateMlPerH: 0, deliveredMl: 0, leaseRemainingMs: 10_000, alarms: 0, ...v },
  };
}
