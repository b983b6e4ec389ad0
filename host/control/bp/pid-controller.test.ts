// The PID on the Slate patient model directly (no firmware): the controller's own behaviour.
import { describe, expect, it } from 'vitest';
import { SlatePatient } from '../../../hil/sim/patients/slate-patient.ts';
import type { SlateParameters } from '../../../hil/sim/patients/slate-patient.ts';
import type { PidSettings, PidState } from './pid-controller.ts';
import { pidStart, pidStep } from './pid-controller.ts';
import { cleanObservation } from './bp-controller.ts';

const settings: PidSettings = {
  targetMmHg: 90, kpMlPerHPerMmHg: 0.5, integralTimeS: 90, derivativeTimeS: 0, derivativeFilterS: 5, minRateMlPerH: 0, maxRateMlPerH: 100,
};
const nominal: SlateParameters = { gainMmHgPerMlPerH: 0.72, transportDelayS: 30, recirculationDelayS: 45, recirculationFraction: 0.4, timeConstantS: 40 };

/** One decision a second (a beat), the patient integrated at 0.5 s. */
function closeLoop(p: SlateParameters, baseline: number, seconds: number, s = settings, start: PidState = pidStart(0)) {
  const patient = new SlatePatient(p, baseline, 0.5);
  let state = start;
  let rate = start.outputMlPerH;
  const trace: { tS: number; map: number; rate: number }[] = [];
  let maxIntegral = 0;
  for (let t = 0; t < seconds; t++) {
    const d = pidStep(s, state, cleanObservation(t * 1000, patient.mapMmHg, 0), t * 1000);
    state = d.state;
    rate = d.rateMlPerH;
    maxIntegral = Math.max(maxIntegral, Math.abs(state.integralMlPerH));
    patient.step(rate);
    patient.step(rate);
    trace.push({ tS: t, map: patient.mapMmHg, rate });
  }
  return { trace, maxIntegral };
}

describe('PID controller', () => {
  it('brings the nominal patient from 120 to 90 mmHg and holds it, without dipping 5 mmHg under', () => {
    const { trace } = closeLoop(nominal, 120, 1800);
    const after10Min = trace.filter((x) => x.tS >= 600);
    for (const x of after10Min) expect(Math.abs(x.map - 90)).toBeLessThan(5);
    expect(Math.min(...trace.map((x) => x.map))).toBeGreaterThan(85);
    expect(trace.at(-1)!.rate).toBeCloseTo(30 / (0.72 * 1.4), 0);
  });

  it('winds up no further than the rate ceiling when the patient cannot reach target', () => {
    const insensitive = { ...nominal, gainMmHgPerMlPerH: 0.1 };
    const { trace, maxIntegral } = closeLoop(insensitive, 140, 1800);
    expect(trace.at(-1)!.rate).toBe(100);
    expect(maxIntegral).toBeLessThanOrEqual(100 + 1e-9);
  });

  it('takes over from a manual rate without a bump', () => {
    const d = pidStep(settings, pidStart(17), cleanObservation(0, 104, 0), 0);
    expect(d.rateMlPerH).toBeCloseTo(17, 9);
    const next = pidStep(settings, d.state, cleanObservation(1000, 104, 0), 1000);
    expect(Math.abs(next.rateMlPerH - 17)).toBeLessThan(0.2);
  });

  it('holds its output on a flagged beat and says why', () => {
    const running = pidStep(settings, pidStart(20), cleanObservation(0, 95, 0), 0).state;
    const d = pidStep(settings, running, { tMs: 1000, meanMmHg: NaN, cleanBeats: 0, flaggedBeats: 3, quality: 1, infusedMlPerH: 20 }, 1000);
    expect(d.rateMlPerH).toBe(running.outputMlPerH);
    expect(d.reason).toMatch(/flagged.*holding/);
  });

  it('explains each decision with its terms', () => {
    const d = pidStep(settings, pidStart(0), cleanObservation(0, 100, 0), 0);
    const e = pidStep(settings, d.state, cleanObservation(1000, 100, 0), 1000);
    expect(e.reason).toMatch(/^MAP 100\.0 vs target 90\.0: P 5\.0 \+ I .* = .* mL\/h$/);
  });

  it('for a vasopressor, a pressure below target asks for more drug and one above it for less', () => {
    const ne = { ...settings, drugEffect: 'raises' as const, targetMmHg: 75 };
    const first = pidStep(ne, pidStart(10), cleanObservation(0, 60, 10), 0);
    const low = pidStep(ne, first.state, cleanObservation(5000, 60, 10), 5000);
    expect(low.rateMlPerH).toBeGreaterThan(10);
    const high = pidStep(ne, first.state, cleanObservation(5000, 90, 10), 5000);
    expect(high.rateMlPerH).toBeLessThan(10);
  });
});
