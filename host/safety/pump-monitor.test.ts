// The pump's delivery faults (motor stall, free flow, air in line) as the supervisor sees them: the pump
// stopped itself, a high alarm names the cause and says what to do.
import { describe, expect, it } from 'vitest';
import { PumpAlarmFlags, PumpState } from '../../protocols/generated/wire-codec.ts';
import type { PumpStatusValues } from '../../protocols/generated/wire-codec.ts';
import { pumpCondition } from './pump-monitor.ts';
import type { PumpReport } from './pump-monitor.ts';

function report(state: number, alarms: number): PumpReport {
  const status: PumpStatusValues = { tMs: 60_000, state, rateMlPerH: 0, commandedRateMlPerH: 20, deliveredMl: 3, leaseRemainingMs: 0, alarms };
  return { status, statusAtMs: 59_500, measuredMlPerH: 4, restarted: false, refusals: [], alarmsRaised: [], acknowledgedMlPerH: [] };
}

const cfg = { pumpSilentMs: 5000, leaseMs: 30_000 };

describe('pump monitor: delivery faults', () => {
  it.each([
    [PumpAlarmFlags.MotorStall, 'pump-motor-stall', 'motor stall', /plunger did not move/],
    [PumpAlarmFlags.FreeFlow, 'pump-free-flow', 'free flow', /cannot stop this flow: clamp the line/],
    [PumpAlarmFlags.AirInLine, 'pump-air-in-line', 'air in line', /Remove the air/],
  ])('flag %i: the pump stopped itself, a high alarm %s names it, and what flowed is the pump\'s own count', (flag, id, cause, words) => {
    const c = pumpCondition(cfg, report(PumpState.Alarm, flag), 20, 60_000, 55_000);
    expect(c.delivering).toBe(false);
    expect(c.stoppedBecause).toBe(cause);
    expect(c.infusedMlPerH).toBe(4);
    expect(c.alarms).toEqual([expect.objectContaining({ id, priority: 'high', text: expect.stringMatching(words) })]);
  });

  it('no delivery alarm while the pump runs with none of these flags', () => {
    const c = pumpCondition(cfg, report(PumpState.Running, 0), 0, 60_000, 55_000);
    expect(c.delivering).toBe(true);
    expect(c.alarms).toEqual([]);
  });
});
