import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadParams, nominal } from './patient-params.ts';
import { PATIENT_MODELS } from './patient-models.ts';
import type { SlateParameters } from './slate-patient.ts';
import { SlatePatient, slateStepResponse } from './slate-patient.ts';

const paramsPath = fileURLToPath(new URL('./slate-snp.params.json', import.meta.url));
const PHYSICS = PATIENT_MODELS['slate-vasodilator'].physics;

describe('Slate vasodilator patient', () => {
  const nominalParams = nominal(loadParams(paramsPath, PHYSICS)) as unknown as SlateParameters;

  for (const [label, p] of [
    ['nominal', nominalParams],
    ['sensitive, long delays', { gainMmHgPerMlPerH: 9, transportDelayS: 60, recirculationDelayS: 75, recirculationFraction: 1, timeConstantS: 30 }],
    ['insensitive, slow', { gainMmHgPerMlPerH: 0.25, transportDelayS: 20, recirculationDelayS: 30, recirculationFraction: 0, timeConstantS: 60 }],
  ] as [string, SlateParameters][]) {
    it(`matches the analytic step response (${label}) at a 1 s step`, () => {
      const patient = new SlatePatient(p, 100, 1);
      const u0 = 10;
      for (let k = 1; k <= 600; k++) {
        const drop = patient.step(u0);
        // Sampled at the end of step k: the exact discretisation of a zero-order hold.
        expect(drop).toBeCloseTo(slateStepResponse(p, u0, k - 1 + 1), 6);
      }
      expect(patient.mapMmHg).toBeCloseTo(100 - p.gainMmHgPerMlPerH * u0 * (1 + p.recirculationFraction), 3);
    });
  }

  it('reaches the steady-state gain K (1 + a) and nothing before the transport delay', () => {
    const p = nominalParams;
    const patient = new SlatePatient(p, 90, 0.5);
    const drops: number[] = [];
    for (let k = 0; k < 2 * 1200; k++) drops.push(patient.step(21));
    expect(drops[Math.floor(p.transportDelayS / 0.5) - 2]).toBe(0);
    expect(drops.at(-1)).toBeCloseTo(p.gainMmHgPerMlPerH * 21 * (1 + p.recirculationFraction), 4);
  });

  it('refuses a parameter file that is wrong, naming the file and the parameter', () => {
    expect(() => loadParams(paramsPath, { ...PHYSICS, heartRateBpm: 'positive' })).toThrow(/slate-snp\.params\.json: parameters missing: heartRateBpm/);
    expect(() => loadParams(paramsPath, PHYSICS, 'norepinephrine-pk-hill')).toThrow(/model is 'slate-vasodilator', but 'norepinephrine-pk-hill' was asked for/);
  });
});
