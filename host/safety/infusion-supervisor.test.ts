// Each rule of the supervisor with a case where it must act and one where it must not.
import { describe, expect, it } from 'vitest';
import type { BpObservation } from '../control/bp/bp-controller.ts';
import type { SupervisorConfig, SupervisorState } from './infusion-supervisor.ts';
import { ceilingMlPerH, loadSupervisorFile, parseSupervisorConfig, supervise, supervisorStart, withWeight } from './infusion-supervisor.ts';

const config: SupervisorConfig = parseSupervisorConfig({
  concentrationUgPerMl: 200, weightKg: 70, maxDoseUgPerKgPerMin: 10, maxMinutesAtCeiling: 10, doseBudgetMg: 50,
  maxRateChangeMlPerH: 20, staleAfterMs: 10_000, floorMmHg: 65, plausibleMmHg: { min: 30, max: 200 },
});
const clean = (tMs: number, meanMmHg = 100): BpObservation => ({ tMs, meanMmHg, cleanBeats: 6, flaggedBeats: 0, quality: 0, infusedMlPerH: 0 });
const flagged = (tMs: number): BpObservation => ({ tMs, meanMmHg: NaN, cleanBeats: 0, flaggedBeats: 6, quality: 1, infusedMlPerH: 0 });
const running = (rate: number, tMs = 0): SupervisorState => ({ ...supervisorStart(), lastRateMlPerH: rate, lastTMs: tMs });

describe('infusion supervisor', () => {
  it('ceiling: 10 ug/kg/min at 200 ug/mL for 70 kg is 210 mL/h; it caps above and passes below', () => {
    expect(ceilingMlPerH(config)).toBeCloseTo(210, 9);
    const above = supervise(config, running(200), { proposedRateMlPerH: 215, obs: clean(1000), manualRateMlPerH: null }, 1000);
    expect(above.rateMlPerH).toBeCloseTo(210, 9);
    expect(above.limits.join()).toMatch(/ceiling 210\.0 mL\/h/);
    expect(supervise(config, running(190), { proposedRateMlPerH: 200, obs: clean(1000), manualRateMlPerH: null }, 1000).limits).toEqual([]);
  });

  it('rate change: an increase over 20 mL/h is cut; a decrease of any size passes', () => {
    expect(supervise(config, running(10), { proposedRateMlPerH: 50, obs: clean(1000), manualRateMlPerH: null }, 1000).rateMlPerH).toBe(30);
    const down = supervise(config, running(50), { proposedRateMlPerH: 0, obs: clean(1000), manualRateMlPerH: null }, 1000);
    expect(down.rateMlPerH).toBe(0);
    expect(down.limits).toEqual([]);
  });

  it('stale pressure blocks an increase but not a decrease', () => {
    expect(supervise(config, running(10, 20_000), { proposedRateMlPerH: 20, obs: clean(0), manualRateMlPerH: null }, 20_000).rateMlPerH).toBe(10);
    expect(supervise(config, running(10, 20_000), { proposedRateMlPerH: 5, obs: clean(0), manualRateMlPerH: null }, 20_000).rateMlPerH).toBe(5);
    expect(supervise(config, running(10, 5000), { proposedRateMlPerH: 20, obs: clean(1000), manualRateMlPerH: null }, 5000).rateMlPerH).toBe(20);
  });

  it('a flagged or implausible beat never increases the infusion', () => {
    const flush = supervise(config, running(10), { proposedRateMlPerH: 30, obs: flagged(1000), manualRateMlPerH: null }, 1000);
    expect(flush.rateMlPerH).toBe(10);
    expect(flush.limits.join()).toMatch(/flagged/);
    expect(supervise(config, running(10), { proposedRateMlPerH: 30, obs: clean(1000, 250), manualRateMlPerH: null }, 1000).rateMlPerH).toBe(10);
  });

  it('the pressure floor stops the vasodilator with a high alarm; above it nothing happens', () => {
    const low = supervise(config, running(40), { proposedRateMlPerH: 40, obs: clean(1000, 60), manualRateMlPerH: null }, 1000);
    expect(low.rateMlPerH).toBe(0);
    expect(low.alarms[0].priority).toBe('high');
    expect(low.alarms[0].text).toMatch(/below 65 mmHg: vasodilator stopped/);
    expect(supervise(config, running(40), { proposedRateMlPerH: 40, obs: clean(1000, 70), manualRateMlPerH: null }, 1000).rateMlPerH).toBe(40);
  });

  it('time at the ceiling: stopped after 10 minutes there, not before', () => {
    let d = supervise(config, running(210), { proposedRateMlPerH: 250, obs: clean(0), manualRateMlPerH: null }, 0);
    for (let t = 1; t <= 9 * 60; t++) {
      d = supervise(config, d.state, { proposedRateMlPerH: 250, obs: clean(t * 1000), manualRateMlPerH: null }, t * 1000);
      expect(d.rateMlPerH).toBeCloseTo(210, 9);
    }
    for (let t = 9 * 60 + 1; t <= 10 * 60; t++) d = supervise(config, d.state, { proposedRateMlPerH: 250, obs: clean(t * 1000), manualRateMlPerH: null }, t * 1000);
    expect(d.rateMlPerH).toBe(0);
    expect(d.alarms[0].text).toMatch(/ceiling held for 10 min/);
  });

  it('the cumulative dose budget stops the infusion once reached', () => {
    // 100 mL/h of 200 ug/mL is 20 mg/h: 50 mg after 2.5 h.
    let d = supervise(config, running(100), { proposedRateMlPerH: 100, obs: clean(0), manualRateMlPerH: null }, 0);
    let stoppedAtMin = -1;
    for (let m = 1; m <= 200 && stoppedAtMin < 0; m++) {
      d = supervise(config, d.state, { proposedRateMlPerH: 100, obs: clean(m * 60_000), manualRateMlPerH: null }, m * 60_000);
      if (d.rateMlPerH === 0) stoppedAtMin = m;
    }
    expect(stoppedAtMin).toBe(150);
  });

  it('refuses a concentration given in mg/mL, or a weight in grams, before any infusion', () => {
    const base = { weightKg: 70, maxDoseUgPerKgPerMin: 10, maxMinutesAtCeiling: 10, doseBudgetMg: 50, maxRateChangeMlPerH: 20, staleAfterMs: 10_000, floorMmHg: 65, plausibleMmHg: { min: 30, max: 200 } };
    expect(() => parseSupervisorConfig({ ...base, concentrationUgPerMl: 0.2 })).toThrow(/concentrationUgPerMl: .*mg\/mL.*give it in ug\/mL/);
    expect(() => parseSupervisorConfig({ ...base, concentrationUgPerMl: 200, weightKg: 70000 })).toThrow(/weightKg/);
  });

  it('fallback: pressure invalid for 15 s holds at most the fallback rate; a brief artifact only blocks increases', () => {
    let d = supervise(config, running(30, 0), { proposedRateMlPerH: 40, obs: flagged(5000), manualRateMlPerH: null }, 5000);
    expect(d.mode).toBe('auto');
    expect(d.rateMlPerH).toBe(30);
    for (const t of [10_000, 15_000]) d = supervise(config, d.state, { proposedRateMlPerH: 40, obs: flagged(t), manualRateMlPerH: null }, t);
    expect(d.mode).toBe('auto');
    d = supervise(config, d.state, { proposedRateMlPerH: 40, obs: flagged(20_000), manualRateMlPerH: null }, 20_000);
    expect(d.mode).toBe('fallback');
    expect(d.rateMlPerH).toBe(0);
    expect(d.alarms.map((a) => a.id)).toEqual(['fallback']);
    expect(d.command).toBe('set-rate');
    const back = supervise(config, d.state, { proposedRateMlPerH: 10, obs: clean(25_000), manualRateMlPerH: null }, 25_000);
    expect(back.mode).toBe('auto');
    expect(back.alarms).toEqual([]);
  });

  it('lease: renewed while the pressure is valid, not after 60 s without a valid pressure', () => {
    let d = supervise(config, running(10, 0), { proposedRateMlPerH: 10, obs: clean(0), manualRateMlPerH: null }, 0);
    for (let t = 5000; t <= 55_000; t += 5000) {
      d = supervise(config, d.state, { proposedRateMlPerH: 10, obs: clean(0), manualRateMlPerH: null }, t);
      expect(d.command).toBe('set-rate');
    }
    d = supervise(config, d.state, { proposedRateMlPerH: 10, obs: clean(0), manualRateMlPerH: null }, 80_000);
    expect(d.command).toBe('none');
    expect(d.alarms[0]).toMatchObject({ id: 'no-valid-pressure', priority: 'high' });
    for (let t = 0; t <= 120_000; t += 5000) {
      expect(supervise(config, running(10, t), { proposedRateMlPerH: 10, obs: clean(t), manualRateMlPerH: null }, t).command).toBe('set-rate');
    }
  });

  it('manual: the person\'s rate runs, beyond the rate-change limit but never beyond the ceiling', () => {
    const m = supervise(config, running(0), { proposedRateMlPerH: 0, obs: clean(1000), manualRateMlPerH: 80 }, 1000);
    expect(m).toMatchObject({ mode: 'manual', rateMlPerH: 80 });
    expect(supervise(config, running(0), { proposedRateMlPerH: 0, obs: clean(1000), manualRateMlPerH: 500 }, 1000).rateMlPerH).toBeCloseTo(210, 9);
  });

  it('a vasopressor: stopped above the high limit; below the floor it is an alarm, never a stop', () => {
    const ne = parseSupervisorConfig({
      drugEffect: 'raises', concentrationUgPerMl: 16, weightKg: 70, maxDoseUgPerKgPerMin: 1, maxMinutesAtCeiling: 60, doseBudgetMg: 10,
      maxRateChangeMlPerH: 10, staleAfterMs: 10_000, floorMmHg: 50, highMmHg: 110, plausibleMmHg: { min: 20, max: 200 },
    });
    const high = supervise(ne, running(40), { proposedRateMlPerH: 40, obs: clean(1000, 115), manualRateMlPerH: null }, 1000);
    expect(high.rateMlPerH).toBe(0);
    expect(high.alarms[0]).toMatchObject({ id: 'above-high', priority: 'high' });
    expect(supervise(ne, running(40), { proposedRateMlPerH: 40, obs: clean(1000, 105), manualRateMlPerH: null }, 1000).rateMlPerH).toBe(40);
    const low = supervise(ne, running(40), { proposedRateMlPerH: 45, obs: clean(1000, 45), manualRateMlPerH: null }, 1000);
    expect(low.rateMlPerH).toBe(45);
    expect(low.alarms[0]).toMatchObject({ id: 'below-floor', priority: 'high' });
    expect(low.alarms[0].text).not.toMatch(/stopped/);
    // The vasodilator's floor rule does not apply to it, and the vasodilator's config has no high limit.
    expect(supervise(config, running(40), { proposedRateMlPerH: 40, obs: clean(1000, 180), manualRateMlPerH: null }, 1000).rateMlPerH).toBe(40);
  });

  it('refuses limits that contradict each other, with the numbers', () => {
    const base = { concentrationUgPerMl: 200, weightKg: 70, maxDoseUgPerKgPerMin: 10, maxMinutesAtCeiling: 10, doseBudgetMg: 50, maxRateChangeMlPerH: 20, staleAfterMs: 10_000, floorMmHg: 65, plausibleMmHg: { min: 30, max: 200 } };
    expect(() => parseSupervisorConfig({ ...base, plausibleMmHg: { min: 100, max: 100 } })).toThrow(/plausibleMmHg: min 100 >= max 100/);
    expect(() => parseSupervisorConfig({ ...base, floorMmHg: 45, plausibleMmHg: { min: 50, max: 200 } })).toThrow(/floorMmHg: floor 45 mmHg is not above the plausible minimum 50/);
    expect(() => parseSupervisorConfig({ ...base, drugEffect: 'raises', floorMmHg: 85, highMmHg: 80 })).toThrow(/highMmHg: high limit 80 mmHg is not above the floor 85/);
    expect(() => parseSupervisorConfig({ ...base, fallbackAfterMs: 90_000 })).toThrow(/fallbackAfterMs: fallback after 90000 ms comes after the lease stops being renewed \(60000 ms\)/);
  });

  it("a patient's weight added to a supervisor file's limits gives what parsing the whole gives, field for field and in order; a bad weight is refused alike", () => {
    for (const name of ['nitroprusside', 'norepinephrine']) {
      const limits = loadSupervisorFile(new URL(`./${name}.supervisor.json`, import.meta.url).pathname);
      for (const weightKg of [20, 71.3, 250]) expect(JSON.stringify(withWeight(limits, weightKg))).toBe(JSON.stringify(parseSupervisorConfig({ ...limits, weightKg })));
      for (const weightKg of [19.9, 70_000, NaN]) expect(() => withWeight(limits, weightKg)).toThrow(String((() => { try { parseSupervisorConfig({ ...limits, weightKg }); } catch (e) { return (e as Error).message; } })()));
      // Limits not from the file (changed, or made by hand) are validated whole.
      expect(() => withWeight({ ...limits, fallbackAfterMs: 90_000 }, 70)).toThrow(/fallbackAfterMs/);
    }
  });
});
