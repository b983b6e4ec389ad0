// Each policy against the patient model with the stimulator as an ideal model (MIL, no firmware bundle):
// continuous DBS suppresses beta; the adaptive policies suppress it too at less energy; the device's limits
// hold whatever the policy asks; levodopa lets an adaptive policy stimulate less.
import { describe, expect, it } from 'vitest';
import type { NeurostimBoardConfig } from '../../firmware/src/board-config.ts';
import { boardById } from '../emulator/emulated-node.ts';
import { loadPolicyFile, policyFrom, shippedPolicyPath } from '../../host/control/dbs/policy-file.ts';
import { loadDbsCohort } from '../sim/cohorts/cohort.ts';
import { loadPavlidesParams, patientParameters } from '../sim/patients/pavlides-params.ts';
import { duty, lfpBetaPower, teedJ, TYPICAL_PULSES } from '../reports/dbs-metrics.ts';
import { deviceLimits, LFP_RATE_HZ, openLoopAmplitudes, runDbsMil, STEP_MS } from './dbs-mil-run.ts';

const device = boardById('pico').nodes.neurostimulator as NeurostimBoardConfig;
const model = loadPavlidesParams();
const patient = loadDbsCohort(new URL('../sim/cohorts/dbs.cohort.json', import.meta.url).pathname).patients.find((p) => p.split === 'tuning')!;
const params = patientParameters(model, patient.params);
const base = { params, entrainment: model.entrainment, seed: 100, device, durationS: 30 };
const policy = (name: 'continuous' | 'single-threshold' | 'dual-threshold' | 'pi') => policyFrom(loadPolicyFile(shippedPolicyPath(name), deviceLimits(device)));
const SKIP = 5; // s of start-up left out of the figures
const beta = (lfp: Float32Array) => lfpBetaPower(lfp.subarray(SKIP * LFP_RATE_HZ), LFP_RATE_HZ, params.betaPeakHz);
const energy = (amp: Float32Array) => teedJ(amp.subarray((SKIP * 1000) / STEP_MS), STEP_MS, TYPICAL_PULSES);

describe('aDBS policies against the patient model (MIL)', () => {
  const off = runDbsMil({ ...base, policy: null });

  it('continuous DBS suppresses beta; single threshold suppresses most of that at well under its energy, within the device limits', () => {
    const cont = runDbsMil({ ...base, policy: policy('continuous'), baselineBetaUv2: off.medianBetaUv2 });
    const single = runDbsMil({ ...base, policy: policy('single-threshold'), baselineBetaUv2: off.medianBetaUv2 });
    const suppression = (lfp: Float32Array) => 1 - beta(lfp) / beta(off.lfpUv);
    expect(suppression(cont.lfpUv)).toBeGreaterThan(0.5);
    expect(suppression(single.lfpUv)).toBeGreaterThan(suppression(cont.lfpUv) - 0.2);
    expect(energy(single.ampMa) / energy(cont.ampMa)).toBeLessThan(0.7);
    expect(duty(single.ampMa, 0)).toBeLessThan(0.9);
    // TEED per second of continuous 2.5 mA at 1 kOhm, 130 Hz, 60 us: (2.5 mA)^2 x 1000 x 130 x 60e-6 = 48.75 uJ/s.
    expect(energy(cont.ampMa) / (base.durationS - SKIP)).toBeCloseTo(48.75e-6, 7);
    // Whatever the policy asked, the delivered amplitude stayed inside the device's window and ramps.
    for (const r of [cont, single]) {
      // The output moves once per control tick: over each tick, no more than the ramp allows.
      const per = device.controlTickMs / STEP_MS;
      for (let k = per; k < r.ampMa.length; k++) {
        expect(r.ampMa[k]).toBeLessThanOrEqual(device.limits.windowMaxMa + 1e-6);
        const d = r.ampMa[k] - r.ampMa[k - per];
        expect(d).toBeLessThanOrEqual((device.limits.rampUpMaPerS * device.controlTickMs) / 1000 + 1e-6);
        expect(-d).toBeLessThanOrEqual((device.limits.rampDownMaPerS * device.controlTickMs) / 1000 + 1e-6);
      }
    }
    expect(single.decisions.length).toBe((base.durationS * 1000) / 50);
    expect(single.decisions.some((d) => /: on, /.test(d.reason))).toBe(true);
  });

  it('open loop, on beta that stimulation does not lower, the single threshold stimulates far more than closed loop', () => {
    const open = openLoopAmplitudes(policy('single-threshold'), off.betaReports, base.durationS, off.medianBetaUv2);
    const closed = runDbsMil({ ...base, policy: policy('single-threshold'), baselineBetaUv2: off.medianBetaUv2 });
    expect(duty(Float32Array.from(open), 0)).toBeGreaterThan(0.9);
    expect(duty(closed.ampMa, 0)).toBeLessThan(duty(Float32Array.from(open), 0) - 0.1);
  });

  it('on levodopa beta falls, and the dual-threshold policy lowers the amplitude it needs', () => {
    const fast = { ...base, params: { ...params, medicationTimeConstantS: 3 }, durationS: 40 };
    const dose = (t: number, p: { setMedication(l: number): void }) => t === 20_000 && p.setMedication(1);
    const offMed = runDbsMil({ ...fast, policy: null });
    const r = runDbsMil({ ...fast, policy: policy('dual-threshold'), baselineBetaUv2: offMed.medianBetaUv2, scenario: dose });
    const mean = (from: number, to: number) => {
      const a = r.ampMa.subarray((from * 1000) / STEP_MS, (to * 1000) / STEP_MS);
      return a.reduce((x, y) => x + y, 0) / a.length;
    };
    expect(mean(30, 40)).toBeLessThan(mean(8, 20) - 0.3);
  });
});
