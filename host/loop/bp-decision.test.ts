// The pure decision step: manual mode and the bumpless hand-back to the controller.
import { describe, expect, it } from 'vitest';
import { pidController } from '../control/bp/pid-controller.ts';
import { parseSupervisorConfig } from '../safety/infusion-supervisor.ts';
import type { DecisionInputs, DecisionSetup } from './bp-decision.ts';
import { decide, loopStart } from './bp-decision.ts';

const setup: DecisionSetup = {
  controller: pidController({ targetMmHg: 85, kpMlPerHPerMmHg: 0.5, integralTimeS: 90, derivativeTimeS: 0, derivativeFilterS: 5, minRateMlPerH: 0, maxRateMlPerH: 150 }) as never,
  supervisor: parseSupervisorConfig({
    concentrationUgPerMl: 200, weightKg: 70, maxDoseUgPerKgPerMin: 10, maxMinutesAtCeiling: 10, doseBudgetMg: 50,
    maxRateChangeMlPerH: 20, staleAfterMs: 10_000, floorMmHg: 65, plausibleMmHg: { min: 30, max: 200 },
  }),
  advisory: null, drift: null,
};
const at = (nowMs: number, meanMmHg: number, operator: DecisionInputs['operator'] = null): DecisionInputs =>
  ({ nowMs, obs: { tMs: nowMs, meanMmHg, cleanBeats: 6, flaggedBeats: 0, quality: 0 }, operator, answer: null });

describe('decision step', () => {
  it('manual mode runs the person\'s rate with the controller idle; back in auto the controller starts from that rate without a bump', () => {
    let s = loopStart(setup, 0);
    let r = decide(setup, s, at(5000, 110, { kind: 'manual', rateMlPerH: 42 }));
    expect(r.decision).toMatchObject({ mode: 'manual', commandedMlPerH: 42 });
    expect(r.decision.controllerReason).toMatch(/manual mode.*controller idle/);
    s = r.state;
    r = decide(setup, s, at(10_000, 95));
    expect(r.decision.commandedMlPerH).toBe(42);
    s = r.state;
    r = decide(setup, s, at(15_000, 95, { kind: 'auto' }));
    expect(r.decision.mode).toBe('auto');
    expect(r.decision.commandedMlPerH).toBeCloseTo(42, 9);
    r = decide(setup, r.state, at(20_000, 95));
    expect(Math.abs(r.decision.commandedMlPerH - 42)).toBeLessThan(6);
  });

  it('the pressure floor is an alarm in manual mode, and stops the drug in auto', () => {
    const s = loopStart(setup, 30);
    const manual = decide(setup, s, at(5000, 60, { kind: 'manual', rateMlPerH: 30 }));
    expect(manual.decision.commandedMlPerH).toBe(30);
    expect(manual.decision.alarms[0]).toMatchObject({ id: 'below-floor', priority: 'high' });
    const auto = decide(setup, s, at(5000, 60));
    expect(auto.decision.commandedMlPerH).toBe(0);
  });
});
