import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NackReason } from '../../../protocols/generated/wire-codec.ts';
import { AlarmFlags } from './alarm-flags.ts';
import type { SetpointLimits } from './leased-setpoint.ts';
import { LeasedSetpoint, SetpointMode, leaseEndMs } from './leased-setpoint.ts';
import { ackLease } from '../../../protocols/session/responder-session.ts';

const stim: SetpointLimits = { min: 0, max: 3, maxRise: Infinity, rampUpPerS: 0.5, rampDownPerS: 2, safe: 2.5, maxLeaseMs: 10_000 };
const reports: string[] = [];
const setpoint = (lim = stim, boot = 2.5, output = 0) => new LeasedSetpoint(lim, boot, output, (code, _p, raised) => reports.push(`${code} ${raised}`));

describe('leased setpoint (the shared safety core)', () => {
  it('whatever is commanded when, the output stays in its window, never moves faster than its ramps, and lapses to the safe value', () => {
    const step = fc.record({
      kind: fc.constantFrom('command', 'tick', 'tick', 'tick'),
      value: fc.double({ min: -1, max: 5, noNaN: true }),
      leaseMs: fc.integer({ min: 100, max: 30_000 }),
      dtMs: fc.integer({ min: 1, max: 400 }),
      // How long ago the host sent it.
      ageMs: fc.integer({ min: 0, max: 3000 }),
    });
    const tickMs = 20;
    fc.assert(fc.property(fc.array(step, { maxLength: 200 }), (steps) => {
      const sp = setpoint();
      let now = 0;
      let leaseEnd = -1;
      for (const s of steps) {
        if (s.kind === 'command') {
          const r = sp.command_(s.value, s.leaseMs, now, now - s.ageMs, tickMs);
          const inWindow = s.value >= stim.min && s.value <= stim.max;
          const applied = Math.min(s.leaseMs, stim.maxLeaseMs);
          // The lease counts from the sending, ends a tick and the clocks' tolerance early, never later.
          const end = now - s.ageMs + applied - tickMs - Math.ceil(applied / 1000);
          if (!inWindow) expect(r & 255).toBe(NackReason.HardLimit);
          else if (end <= now) expect(r & 255).toBe(NackReason.Expired);
          else {
            expect(r).toBe(ackLease(applied));
            leaseEnd = end;
          }
          expect(sp.remainingMs_(now)).toBeLessThanOrEqual(stim.maxLeaseMs);
        } else {
          now += s.dtMs;
          const before = sp.output_;
          const lapsed = sp.tick_(now, s.dtMs);
          const moved = sp.output_ - before;
          expect(moved).toBeLessThanOrEqual((stim.rampUpPerS * s.dtMs) / 1000 + 1e-12);
          expect(-moved).toBeLessThanOrEqual((stim.rampDownPerS * s.dtMs) / 1000 + 1e-12);
          if (leaseEnd >= 0 && now >= leaseEnd) {
            expect(lapsed).toBe(true);
            expect(sp.mode_).toBe(SetpointMode.Safe);
            expect(sp.target_).toBe(stim.safe);
            leaseEnd = -1;
          } else expect(lapsed).toBe(false);
        }
        expect(sp.target_).toBeGreaterThanOrEqual(stim.min);
        expect(sp.target_).toBeLessThanOrEqual(stim.max);
        expect(sp.output_).toBeGreaterThanOrEqual(0);
        expect(sp.output_).toBeLessThanOrEqual(stim.max);
      }
    }), { numRuns: 200 });
  });

  it('caps a lease at maxLeaseMs, says so in its Ack, and keeps the lapse to the tick that reaches its end', () => {
    const sp = setpoint();
    expect(sp.command_(1, 1_000_000, 0, 0, 0)).toBe(ackLease(stim.maxLeaseMs));
    const end = leaseEndMs(0, stim.maxLeaseMs, 0);
    expect(end).toBe(stim.maxLeaseMs - 10); // 0.1% of 10 s for the clocks' rates
    expect(sp.remainingMs_(0)).toBe(end);
    expect(sp.tick_(end - 1, 10)).toBe(false);
    expect(sp.tick_(end, 10)).toBe(true);
    expect(sp.remainingMs_(end)).toBe(0);
  });

  it('without ramp limits follows at once (a pump), and refuses a rise beyond maxRise from the present output', () => {
    const pump: SetpointLimits = { min: 0, max: 600, maxRise: 100, rampUpPerS: Infinity, rampDownPerS: Infinity, safe: 0, maxLeaseMs: 60_000 };
    const sp = setpoint(pump, 0, 0);
    expect(sp.command_(80, 5000, 0, 0, 0)).toBe(ackLease(5000));
    sp.tick_(0, 0);
    expect(sp.output_).toBe(80);
    expect(sp.command_(200, 5000, 0, 0, 0)).toBe(NackReason.RateChangeLimit);
    expect(sp.command_(180, 5000, 0, 0, 0)).toBe(ackLease(5000));
    sp.cancel_(0, SetpointMode.AwaitingHost);
    sp.tick_(1, 1);
    expect(sp.output_).toBe(0);
    expect(sp.tick_(10_000, 1)).toBe(false); // cancelled: no lease left to lapse
  });

  it('reports an alarm flag once when raised and once when cleared', () => {
    reports.length = 0;
    const a = new AlarmFlags((code, _p, raised) => reports.push(`${code} ${raised}`));
    a.raise_(4, 104, 2);
    a.raise_(4, 104, 2);
    a.raise_(8, 102, 2);
    a.clear_(4, 104);
    a.clear_(4, 104);
    expect(reports).toEqual(['104 true', '102 true', '104 false']);
    expect(a.bits_).toBe(8);
  });
});
