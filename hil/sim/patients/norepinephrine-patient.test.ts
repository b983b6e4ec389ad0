import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadParams, nominal } from './patient-params.ts';
import { PATIENT_MODELS } from './patient-models.ts';
import type { NorepinephrineParameters } from './norepinephrine-patient.ts';
import { hillEffect, NorepinephrinePatient } from './norepinephrine-patient.ts';

const path = fileURLToPath(new URL('./norepinephrine.params.json', import.meta.url));
const file = loadParams(path, PATIENT_MODELS['norepinephrine-pk-hill'].physics);
const p = nominal(file) as unknown as NorepinephrineParameters;

describe('norepinephrine patient', () => {
  it('concentration follows the analytic one-compartment step response', () => {
    const patient = new NorepinephrinePatient(p, file.drug!.concentrationUgPerMl, 60, 2);
    const rate = 26.25; // mL/h of 16 ug/mL = 7 ug/min: 0.1 ug/kg/min at 70 kg
    expect(patient.doseUgPerKgPerMin(rate)).toBeCloseTo(0.1, 6);
    const steady = 7 / p.clearanceLPerMin;
    const k = p.clearanceLPerMin / p.volumeL; // per minute
    for (let i = 1; i <= 600; i++) {
      patient.step(rate);
      const tMin = (i * 2) / 60;
      expect(patient.concentrationNgPerMl).toBeCloseTo(steady * (1 - Math.exp(-k * tMin)), 9);
    }
  });

  it('has half its maximal effect at C50 and rises monotonically with concentration', () => {
    expect(hillEffect(p, p.c50NgPerMl)).toBeCloseTo(p.emaxMmHg / 2, 9);
    let last = -1;
    for (let c = 0; c < 100; c += 0.5) {
      const e = hillEffect(p, c);
      expect(e).toBeGreaterThan(last);
      last = e;
    }
    expect(hillEffect(p, 1e6)).toBeCloseTo(p.emaxMmHg, 3);
  });

  it('spans a tenfold potency spread either way through C50 (the Rinehart/Joosten robustness range)', () => {
    const c50 = file.parameters.c50NgPerMl;
    expect(c50.max / c50.nominal).toBeCloseTo(10, 6);
    expect(c50.nominal / c50.min).toBeCloseTo(10, 6);
  });
});
