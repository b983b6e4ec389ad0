// Each rule of the supervisor with a case where it must act and one where it must not.
import { describe, expect, it } from 'vitest';
import type { SupervisorConfig, SupervisorState } from './infusion-supervisor.ts';
import { ceilingMlPerH, parseSupervisorConfig, supervise, supervisorStart } from './infusion-supervisor.ts';

const config: SupervisorConfig = parseSupervisorConfig({
  concentrationUgPerMl: 200, weightKg: 70, maxDoseUgPerKgPerMin: 10, maxMinutesAtCeiling: 10, doseBudgetMg: 50,
  maxRateChangeMlPerH: 20, staleAfterMs: 10_000, floorMmHg: 65, plausibleMmHg: { min: 30, max: 200 },
});
const clean = (tMs: number, meanMmHg = 100) => ({ tMs, meanMmHg, quality: 0 });
const running = (rate: number, tMs = 0): SupervisorState => ({ ...supervisorStart(), lastRateMlPerH: rate, lastTMs: tMs });

describe('infusion supervisor', () => {
  it('ceiling: 10 ug/kg/min at 200 ug/mL for 70 kg is 210 mL/h; it caps above and passes below', () => {
    expect(ceilingMlPerH(config)).toBeCloseTo(210, 9);
    const above = supervise(config, running(200), { proposedRateMlPerH: 215, beat: clean(1000) }, 1000);
    expect(above.rateMlPerH).toBeCloseTo(210, 9);
    expect(above.limits.join()).toMatch(/ceiling 210\.0 mL\/h/);
    expect(supervise(config, running(190), { proposedRateMlPerH: 200, beat: clean(1000) }, 1000).limits).toEqual([]);
  });

  it('rate change: an increase over 20 mL/h is cut; a decrease of any size passes', () => {
    expect(supervise(config, running(10), { proposedRateMlPerH: 50, beat: clean(1000) }, 1000).rateMlPerH).toBe(30);
    const down = supervise(config, running(50), { proposedRateMlPerH: 0, beat: clean(1000) }, 1000);
    expect(down.rateMlPerH).toBe(0);
    expect(down.limits).toEqual([]);
  });

  it('stale pressure blocks an increase but not a decrease', () => {
    expect(supervise(config, running(10, 20_000), { proposedRateMlPerH: 20, beat: clean(0) }, 20_000).rateMlPerH).toBe(10);
    expect(supervise(config, running(10, 20_000), { proposedRateMlPerH: 5, beat: clean(0) }, 20_000).rateMlPerH).toBe(5);
    expect(supervise(config, running(10, 5000), { proposedRateMlPerH: 20, beat: clean(1000) }, 5000).rateMlPerH).toBe(20);
  });

  it('a flagged or implausible beat never increases the infusion', () => {
    const flush = supervise(config, running(10), { proposedRateMlPerH: 30, beat: { tMs: 1000, meanMmHg: 300, quality: 1 } }, 1000);
    expect(flush.rateMlPerH).toBe(10);
    expect(flush.limits.join()).toMatch(/flagged/);
    expect(supervise(config, running(10), { proposedRateMlPerH: 30, beat: clean(1000, 250) }, 1000).rateMlPerH).toBe(10);
  });

  it('the pressure floor stops the vasodilator with a high alarm; above it nothing happens', () => {
    const low = supervise(config, running(40), { proposedRateMlPerH: 40, beat: clean(1000, 60) }, 1000);
    expect(low.rateMlPerH).toBe(0);
    expect(low.alarm!.priority).toBe('high');
    expect(supervise(config, running(40), { proposedRateMlPerH: 40, beat: clean(1000, 70) }, 1000).rateMlPerH).toBe(40);
  });

  it('time at the ceiling: stopped after 10 minutes there, not before', () => {
    let d = supervise(config, running(210), { proposedRateMlPerH: 250, beat: clean(0) }, 0);
    for (let t = 1; t <= 9 * 60; t++) {
      d = supervise(config, d.state, { proposedRateMlPerH: 250, beat: clean(t * 1000) }, t * 1000);
      expect(d.rateMlPerH).toBeCloseTo(210, 9);
    }
    for (let t = 9 * 60 + 1; t <= 10 * 60; t++) d = supervise(config, d.state, { proposedRateMlPerH: 250, beat: clean(t * 1000) }, t * 1000);
    expect(d.rateMlPerH).toBe(0);
    expect(d.alarm!.text).toMatch(/ceiling held for 10 min/);
  });

  it('the cumulative dose budget stops the infusion once reached', () => {
    // 100 mL/h of 200 ug/mL is 20 mg/h: 50 mg after 2.5 h.
    let d = supervise(config, running(100), { proposedRateMlPerH: 100, beat: clean(0) }, 0);
    let stoppedAtMin = -1;
    for (let m = 1; m <= 200 && stoppedAtMin < 0; m++) {
      d = supervise(config, d.state, { proposedRateMlPerH: 100, beat: clean(m * 60_000) }, m * 60_000);
      if (d.rateMlPerH === 0) stoppedAtMin = m;
    }
    expect(stoppedAtMin).toBe(150);
  });

  it('refuses a concentration given in mg/mL, or a weight in grams, before any infusion', () => {
    const base = { weightKg: 70, maxDoseUgPerKgPerMin: 10, maxMinutesAtCeiling: 10, doseBudgetMg: 50, maxRateChangeMlPerH: 20, staleAfterMs: 10_000, floorMmHg: 65, plausibleMmHg: { min: 30, max: 200 } };
    expect(() => parseSupervisorConfig({ ...base, concentrationUgPerMl: 0.2 })).toThrow(/concentrationUgPerMl: .*mg\/mL.*give it in ug\/mL/);
    expect(() => parseSupervisorConfig({ ...base, concentrationUgPerMl: 200, weightKg: 70000 })).toThrow(/weightKg/);
  });
});
