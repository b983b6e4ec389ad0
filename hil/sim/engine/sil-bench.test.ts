// The whole SIL chain open loop: a held infusion lowers the patient's pressure as the Slate model says,
// and the host sees it through the sensor firmware's beats.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadParams, nominal } from '../patients/patient-params.ts';
import { PATIENT_MODELS } from '../patients/patient-models.ts';
import type { SlateParameters } from '../patients/slate-patient.ts';
import { SlatePatient } from '../patients/slate-patient.ts';
import { silBench } from './sil-bench.ts';

const params = nominal(loadParams(fileURLToPath(new URL('../patients/slate-snp.params.json', import.meta.url)), PATIENT_MODELS['slate-vasodilator'].physics)) as unknown as SlateParameters;

describe('SIL bench, open loop', () => {
  it('a held 20 mL/h of nitroprusside brings the pressure the host observes to the model\'s steady state', async () => {
    const patient = new SlatePatient(params, 100, 0.5);
    const bench = await silBench({ patient, patientStepS: 0.5, heartRateBpm: 75, pulsePressureMmHg: 40, noiseMmHg: 0.5, seed: 3 });
    const means: { tMs: number; meanMmHg: number }[] = [];
    bench.sensor.onBeat((b) => {
      if (b.quality === 0) means.push({ tMs: bench.clock.now(), meanMmHg: b.meanMmHg });
    });
    await bench.run(20_000);
    const before = means.slice(-10).reduce((a, b) => a + b.meanMmHg, 0) / 10;
    expect(before).toBeGreaterThan(98);
    expect(before).toBeLessThan(102);
    await bench.settle(bench.pump.holdRate(20, 60_000));
    await bench.run(10 * 60_000);
    const expectedDrop = params.gainMmHgPerMlPerH * 20 * (1 + params.recirculationFraction);
    const observed = means.slice(-20).reduce((a, b) => a + b.meanMmHg, 0) / 20;
    expect(Math.abs(bench.truthMapMmHg() - (100 - expectedDrop))).toBeLessThan(0.5);
    expect(Math.abs(observed - bench.truthMapMmHg())).toBeLessThan(2);
    // Nothing moved before the drug reached the patient: the transport delay is visible to the host.
    expect(bench.mechanism.deliveredMl).toBeGreaterThan(3.2);
    bench.pump.release();
  }, 60_000);
});
