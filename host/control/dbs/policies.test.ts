// The four aDBS policies as pure steps: what each does with beta above, below and between its thresholds,
// without beta, and (for all of them, over random beta) that the amplitude stays in the window and never
// moves faster than the policy's ramps.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BetaObservation, DbsPolicy } from './dbs-policy.ts';
import { betaObservation } from './dbs-policy.ts';
import { loadPolicyFile, policyFrom, SHIPPED_POLICIES, shippedPolicyPath } from './policy-file.ts';
import type { ContinuousSettings } from './continuous-policy.ts';
import { continuousPolicy } from './continuous-policy.ts';
import type { SingleThresholdSettings } from './single-threshold-policy.ts';
import { singleThresholdPolicy } from './single-threshold-policy.ts';
import type { DualThresholdSettings } from './dual-threshold-policy.ts';
import { dualThresholdPolicy } from './dual-threshold-policy.ts';
import type { PiSettings } from './pi-policy.ts';
import { piPolicy } from './pi-policy.ts';

const DEVICE = { windowMinMa: 0, windowMaxMa: 3, rampUpMaPerS: 12, rampDownMaPerS: 12, reportEveryMs: 50 };
const base = { windowMinMa: 0.5, windowMaxMa: 3, continuousMa: 2, rampUpMaPerS: 2, rampDownMaPerS: 4, decisionEveryMs: 50 };
const BASELINE = 10;

/** Runs a policy over a beta sequence, one decision every 50 ms; returns the amplitudes and reasons. */
function drive<S>(policy: DbsPolicy<S>, betas: number[], startMa = 0) {
  let state = policy.start(startMa, BASELINE);
  return betas.map((b, k) => {
    const d = policy.step(state, betaObservation(k * 50, b), k * 50);
    state = d.state;
    return d;
  });
}

describe('aDBS policies', () => {
  it('continuous ramps to its amplitude within its ramp and stays there whatever beta does', () => {
    const s: ContinuousSettings = { kind: 'continuous', ...base };
    const out = drive(continuousPolicy(s), [1, 50, NaN, 0, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7]).map((d) => d.amplitudeMa);
    expect(out[1]).toBeCloseTo(0.1, 9); // 2 mA/s over 50 ms
    expect(out.at(-1)).toBe(2);
  });

  it('single threshold switches on above the threshold and off below it, ramped, and holds its state without beta', () => {
    const s: SingleThresholdSettings = { kind: 'single-threshold', ...base, onMa: 2.5, thresholdOfBaseline: 0.5 };
    const p = singleThresholdPolicy(s);
    const betas = [...Array(40).fill(8), ...Array(10).fill(NaN), ...Array(40).fill(2)];
    const d = drive(p, betas, 0.5);
    expect(d[39].amplitudeMa).toBe(2.5);
    expect(d[39].reason).toMatch(/beta 8\.00 > threshold 5\.00 uV\^2: on/);
    expect(d[45].amplitudeMa).toBe(2.5);
    expect(d[45].reason).toMatch(/no beta this period: staying on/);
    expect(d[45].confidence).toBeLessThan(1);
    expect(d[50].amplitudeMa).toBeCloseTo(2.5 - 0.2, 9); // 4 mA/s down
    expect(d.at(-1)!.amplitudeMa).toBe(0.5);
  });

  it('single threshold with maxOnMs stimulates one burst per trigger and waits for a report from after it to trigger again', () => {
    const s: SingleThresholdSettings = { kind: 'single-threshold', ...base, rampUpMaPerS: 12, rampDownMaPerS: 12, onMa: 3, thresholdOfBaseline: 0.5, maxOnMs: 300 };
    const p = singleThresholdPolicy(s);
    let state = p.start(0.5, BASELINE);
    const at = (k: number, obs: BetaObservation) => {
      const d = p.step(state, obs, k * 50);
      state = d.state;
      return d;
    };
    expect(at(0, betaObservation(0, 8)).reason).toMatch(/> threshold 5\.00 uV\^2: on/);
    // The blank after the change: no reports, and the trigger holds for 300 ms ...
    for (let k = 1; k < 6; k++) expect(at(k, betaObservation(k * 50, NaN)).reason).toMatch(/staying on/);
    const capped = at(6, betaObservation(300, NaN));
    expect(capped.reason).toMatch(/on for 300 ms, the longest one trigger stimulates/);
    expect(capped.amplitudeMa).toBeLessThan(3);
    // ... a late report of the burst it already answered (sent before the cap) does not start another ...
    expect(at(7, { tMs: 290, betaPowerUv2: 9, reports: 1 }).reason).toMatch(/no fresh beta this period: staying off/);
    for (let k = 8; k < 14; k++) at(k, betaObservation(k * 50, NaN));
    expect(state.outputMa).toBe(0.5);
    // ... a report from after it does.
    expect(at(14, betaObservation(700, 8)).reason).toMatch(/: on/);
    // Without a cap the same trigger stays on for as long as beta gives no answer.
    const uncapped = drive(singleThresholdPolicy({ ...s, maxOnMs: undefined }), [8, ...Array(20).fill(NaN)], 0.5);
    expect(uncapped.at(-1)!.amplitudeMa).toBe(3);
  });

  it('dual threshold ramps up above the upper, down below the lower, and holds between, on the averaged beta', () => {
    const s: DualThresholdSettings = { kind: 'dual-threshold', ...base, lowerOfBaseline: 0.2, upperOfBaseline: 0.4, averageMs: 200 };
    const d = drive(dualThresholdPolicy(s), [...Array(60).fill(6), ...Array(40).fill(3), ...Array(60).fill(1)], 1);
    expect(d[59].amplitudeMa).toBe(3);
    expect(d[99].amplitudeMa).toBe(3);
    expect(d[99].reason).toMatch(/within 2\.00\.\.4\.00 uV\^2: holding/);
    expect(d.at(-1)!.amplitudeMa).toBe(0.5);
    // The average lags the beta: one low report does not turn it down.
    const blip = drive(dualThresholdPolicy(s), [...Array(60).fill(6), 0.1, ...Array(5).fill(6)], 1);
    expect(blip[60].amplitudeMa).toBe(3);
  });

  it('PI raises the amplitude while beta is over its target and lowers it below, without winding up at the window', () => {
    const s: PiSettings = { kind: 'pi', ...base, rampUpMaPerS: 12, rampDownMaPerS: 12, targetOfBaseline: 0.3, kpMaPerUnitError: 0.23, integralTimeS: 0.2 };
    const p = piPolicy(s);
    const first = p.step(p.start(1, BASELINE), betaObservation(0, 3), 0);
    expect(first.amplitudeMa).toBe(1); // bumpless: at target, the running amplitude
    const high = drive(p, Array(100).fill(9), 1);
    expect(high.at(-1)!.amplitudeMa).toBe(3);
    // Pinned at the top for 4 s, the integral did not grow without bound: beta under target brings it down at once.
    const state = high.at(-1)!.state;
    expect(state.integralMa).toBeLessThan(3.5);
    const down = p.step(state, betaObservation(5000, 1), 5050);
    expect(down.amplitudeMa).toBeLessThan(3);
  });

  it('every shipped policy, over any beta, stays in its window and within its ramps', () => {
    for (const name of SHIPPED_POLICIES) {
      const file = loadPolicyFile(shippedPolicyPath(name), DEVICE);
      fc.assert(fc.property(fc.array(fc.oneof(fc.double({ min: 0, max: 100, noNaN: true }), fc.constant(NaN)), { minLength: 1, maxLength: 300 }), fc.double({ min: 0, max: 3, noNaN: true }), (betas, startMa) => {
        const policy = policyFrom(file);
        let state = policy.start(startMa, BASELINE);
        let prev = startMa;
        for (let k = 0; k < betas.length; k++) {
          const obs: BetaObservation = betaObservation(k * file.decisionEveryMs, betas[k]);
          const d = policy.step(state, obs, k * file.decisionEveryMs);
          state = d.state;
          const dtS = k === 0 ? 0 : file.decisionEveryMs / 1000;
          const moved = d.amplitudeMa - prev;
          expect(moved, name).toBeLessThanOrEqual(file.rampUpMaPerS * dtS + 1e-9);
          expect(-moved, name).toBeLessThanOrEqual(file.rampDownMaPerS * dtS + 1e-9);
          // Inside the window once the ramp has had time to bring a start outside it in.
          if (k * dtS > 3 / Math.min(file.rampUpMaPerS, file.rampDownMaPerS)) {
            expect(d.amplitudeMa, name).toBeGreaterThanOrEqual(file.windowMinMa - 1e-9);
            expect(d.amplitudeMa, name).toBeLessThanOrEqual(file.windowMaxMa + 1e-9);
          }
          expect(d.reason.length, name).toBeGreaterThan(5);
          prev = d.amplitudeMa;
        }
      }), { numRuns: 60 });
    }
  });
});
