import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { betaEnvelope, burstDurationsMs, burstStats, percentile } from '../../reports/beta-bursts.ts';
import { bandPower, peakHz, welch } from '../../reports/lfp-spectrum.ts';
import { defaultPavlidesParamsPath, loadPavlidesParams } from './pavlides-params.ts';
import type { PavlidesParameters } from './pavlides-patient.ts';
import { interpolate, PavlidesPatient } from './pavlides-patient.ts';

const model = loadPavlidesParams();
const RATE = 1000;

/** The LFP of a patient over durS at 1 kHz; `during` runs at every sample (to change inputs over time). */
function record(over: Partial<PavlidesParameters>, durS: number, o: { seed?: number; stimMa?: number; during?: (pt: PavlidesPatient, tMs: number) => void; medicated?: number } = {}) {
  const x = new Float64Array(durS * RATE);
  let n = 0;
  const pt = new PavlidesPatient({ ...model.nominal, ...over }, model.entrainment, {
    seed: o.seed ?? 11, outputRateHz: RATE, onSample: (t, v) => {
      if (n < x.length) x[n++] = v;
      if (o.during) o.during(pt, t);
    },
  });
  if (o.medicated !== undefined) pt.startMedicated(o.medicated);
  pt.stimulationMa = o.stimMa ?? 0;
  pt.advanceTo(durS * 1000 - 1);
  return { x, pt };
}

function envelopeStats(x: Float64Array, centreHz: number, threshold?: number) {
  const env = betaEnvelope(x, RATE, { centreHz });
  const thr = threshold ?? percentile(env, 0.75);
  const mean = env.reduce((a, b) => a + b, 0) / env.length;
  const sd = Math.sqrt(env.reduce((a, b) => a + (b - mean) ** 2, 0) / env.length);
  return { thr, cv: sd / mean, bursts: burstStats(burstDurationsMs(env, RATE, thr), x.length / RATE) };
}

const betaBandPower = (x: Float64Array, centreHz: number) => bandPower(welch(x, RATE, 2048), centreHz - 3, centreHz + 3);

function writeVariant(edit: (f: { parameters: Record<string, { nominal: number; min: number; max: number }>; curves: Record<string, { x: number[]; y: number[] }> }) => void): string {
  const f = JSON.parse(readFileSync(defaultPavlidesParamsPath, 'utf8'));
  edit(f);
  const path = join(mkdtempSync(join(tmpdir(), 'pavlides-')), 'bad.params.json');
  writeFileSync(path, JSON.stringify(f));
  return path;
}

describe('Pavlides-Hogan-Bogacz patient: parameters as physics', () => {
  it('loads the shipped file with every parameter sourced', () => {
    for (const [k, p] of Object.entries(model.file.parameters)) expect(p.source.length, k).toBeGreaterThan(10);
    expect(model.entrainment.y.at(-1)).toBe(1);
  });

  it.each([
    ['a negative time constant', (f: any) => Object.assign(f.parameters.tauGpeMs, { nominal: -20, min: -20, max: -20 }), /parameters\.tauGpeMs\.min: -20 ms: tauGpeMs must be above 0/],
    ['a range upside down', (f: any) => Object.assign(f.parameters.betaPeakHz, { min: 30, max: 13 }), /parameters\.betaPeakHz: min 30 > max 13/],
    ['a rate at zero input above the maximum', (f: any) => Object.assign(f.parameters.baseGpeSpikesPerS, { nominal: 500, min: 500, max: 500 }), /baseGpeSpikesPerS \(up to 500\) must stay below maxGpeSpikesPerS \(from 400\)/],
    ['a step too long for the delays', (f: any) => Object.assign(f.parameters.integrationStepMs, { nominal: 2, min: 2, max: 2 }), /integrationStepMs 2 must be at most a quarter of the shortest delay \(delayGpeToGpeMs 4 ms\)/],
    ['a beta peak outside the band', (f: any) => Object.assign(f.parameters.betaPeakHz, { max: 45 }), /betaPeakHz must lie in the beta band 13\.\.30 Hz, got 13\.\.45/],
    ['an entrainment share that falls', (f: any) => (f.curves.gpeEntrainment.y[4] = 0.1), /share 0\.1 at 2 mA must lie in 0\.\.1 and not fall/],
    ['amplitudes out of order', (f: any) => (f.curves.gpeEntrainment.x[2] = 0.5), /curves\.gpeEntrainment\.x\.2: x must rise point by point: 0\.5 follows 0\.75/],
  ])('refuses %s, naming the file, the value and the limit', (_what, edit, message) => {
    const path = writeVariant(edit);
    expect(() => loadPavlidesParams(path)).toThrow(/bad\.params\.json/);
    expect(() => loadPavlidesParams(path)).toThrow(message);
  });
});

describe('Pavlides-Hogan-Bogacz patient: dynamics', () => {
  it('sits just below the onset of oscillation: without noise a disturbance rings down at 0.5-4 /s, and 10% more drive sustains a cycle', () => {
    const quiet = { driveNoiseSpikesPerS: 0, recordingNoiseUv: 0, lfpHighPassS: 1000 };
    const p2p = (x: Float64Array, fromS: number, toS: number) => {
      const w = x.subarray(fromS * RATE, toS * RATE);
      return Math.max(...w) - Math.min(...w);
    };
    // Without settling, the ring-down of the start from the base rates is what is measured.
    const ring: number[] = [];
    new PavlidesPatient({ ...model.nominal, ...quiet }, model.entrainment, { seed: 1, outputRateHz: RATE, settleS: 0, onSample: (_t, v) => ring.push(v) })
      .advanceTo(6000);
    const r = Float64Array.from(ring);
    const below = record(quiet, 6).x;
    const decayPerS = Math.log(p2p(r, 4, 5) / p2p(r, 1, 2)) / 3;
    expect(decayPerS).toBeLessThan(-0.5);
    expect(decayPerS).toBeGreaterThan(-4);
    expect(p2p(below, 4, 6)).toBeLessThan(0.5); // settled: no sustained oscillation
    const above = [] as number[];
    new PavlidesPatient({ ...model.nominal, ...quiet, corticalDriveSpikesPerS: model.nominal.corticalDriveSpikesPerS * 1.1 }, model.entrainment, {
      seed: 1, outputRateHz: RATE, settleS: 0, onSample: (_t, v) => above.push(v),
    }).advanceTo(10_000);
    const a = Float64Array.from(above);
    expect(p2p(a, 8, 10)).toBeGreaterThan(2);
    expect(p2p(a, 8, 10)).toBeGreaterThan(p2p(a, 4, 6) * 0.9); // sustained, not decaying
  });

  it.each([13, 20, 30])('places the beta peak of a %s Hz patient within 0.6 Hz', (hz) => {
    const { x } = record({ betaPeakHz: hz }, 60);
    const spectrum = welch(x, RATE, 4096);
    expect(Math.abs(peakHz(spectrum, 5, 45) - hz)).toBeLessThanOrEqual(0.6);
  });

  it('produces bursts with the statistics of patients off medication, unlike the published limit cycle', () => {
    const { x } = record({}, 120);
    const s = envelopeStats(x, 20);
    // Tinkhauser 2017: most bursts 100-400 ms, a minority longer; the amplitude waxes and wanes.
    expect(s.cv).toBeGreaterThan(0.3);
    expect(s.bursts.medianMs).toBeGreaterThan(150);
    expect(s.bursts.medianMs).toBeLessThan(400);
    expect(s.bursts.longShare).toBeGreaterThan(0.05);
    expect(s.bursts.longShare).toBeLessThan(0.35);
    expect(s.bursts.bins[2].count).toBeGreaterThan(s.bursts.bins[8].count); // 200-300 ms more common than > 800 ms
    // The model with its fitted drive oscillates steadily: the envelope hardly moves.
    const cycle = record({ corticalDriveSpikesPerS: 172.18 }, 30).x;
    expect(envelopeStats(cycle, peakHz(welch(cycle, RATE, 4096), 5, 45)).cv).toBeLessThan(0.15);
  });

  it('loses beta on levodopa: less power and fewer long bursts than off, reached with the medication time constant', () => {
    const off = record({}, 120).x;
    const on = record({}, 120, { medicated: 1 }).x;
    expect(betaBandPower(on, 20)).toBeLessThan(0.6 * betaBandPower(off, 20));
    const offStats = envelopeStats(off, 20);
    const onStats = envelopeStats(on, 20, offStats.thr);
    expect(onStats.bursts.longShare).toBeLessThan(offStats.bursts.longShare);
    expect(onStats.bursts.count).toBeLessThan(offStats.bursts.count);
    const { pt } = record({ medicationTimeConstantS: 2 }, 2, { during: (p, t) => t === 0 && p.setMedication(1) });
    expect(pt.truth().medication).toBeCloseTo(1 - Math.exp(-1), 1);
  });

  it('drops beta while the patient moves and recovers after', () => {
    const { x } = record({}, 60, { during: (p, t) => p.setMoving(Math.floor(t / 5000) % 2 === 1) });
    let rest = 0;
    let moving = 0;
    for (let k = 0; k < 12; k++) {
      // Skip the first second of each 5 s phase (the transition).
      const p = betaBandPower(x.subarray(k * 5000 + 1000, k * 5000 + 5000), 20);
      if (k % 2) moving += p;
      else rest += p;
    }
    expect(moving).toBeLessThan(0.6 * rest);
  });

  it('entrains GPe along the Fleming 2020 curve through a lag, and suppresses beta the more the higher the amplitude', () => {
    expect(interpolate(model.entrainment, 2)).toBeCloseTo(0.43, 6);
    expect(interpolate(model.entrainment, 1.25)).toBeCloseTo((0.04 + 0.19) / 2, 6);
    expect(interpolate(model.entrainment, 5)).toBe(1);
    const lag = record({}, 3, { during: (p, t) => (p.stimulationMa = t >= 1000 ? 2 : 0) }).pt;
    expect(lag.truth().entrainedShare).toBeCloseTo(0.43, 2);
    const early = record({}, 1.2, { during: (p, t) => (p.stimulationMa = t >= 1000 ? 2 : 0) }).pt;
    expect(early.truth().entrainedShare).toBeCloseTo(0.43 * (1 - Math.exp(-200 / model.nominal.stimOnsetMs)), 1);
    const sensitive = record({ stimSensitivity: 1.25 }, 2, { stimMa: 2 }).pt;
    expect(sensitive.truth().entrainedShare).toBeCloseTo(0.82, 2);
    const powers = [0, 1.5, 2, 3].map((ma) => betaBandPower(record({}, 40, { stimMa: ma }).x, 20));
    for (let k = 1; k < powers.length; k++) expect(powers[k]).toBeLessThan(powers[k - 1]);
    expect(powers[3]).toBeLessThan(0.3 * powers[0]);
  });

  it('shows a decaying artifact after an amplitude step, and keeps a readable history', () => {
    const quiet = { driveNoiseSpikesPerS: 0, recordingNoiseUv: 0, lfpUvPerSpikePerS: 0.001 };
    // Set after the sample at 500 ms: the next sample is the first to see it.
    const { pt } = record(quiet, 1, { during: (p, t) => (p.stimulationMa = t >= 500 ? 1 : 0) });
    expect(pt.lfpUvAt(500)).toBeCloseTo(0, 1);
    expect(pt.lfpUvAt(501)).toBeCloseTo(model.nominal.stimArtifactUvPerMa, 0);
    expect(pt.lfpUvAt(501 + model.nominal.stimArtifactDecayMs)).toBeCloseTo(model.nominal.stimArtifactUvPerMa * Math.exp(-1), 0);
    expect(pt.lfpUvAt(500.5)).toBeCloseTo(pt.lfpUvAt(501) / 2, 1); // between two samples
    expect(() => pt.lfpUvAt(1500)).toThrow(/asked before it was simulated/);
    pt.advanceTo(5000);
    expect(() => pt.lfpUvAt(100)).toThrow(/older than the 2\.00 s kept/);
  });

  it('gives the same record from the same seed and another from another', () => {
    const a = record({}, 2, { seed: 5 }).x;
    const b = record({}, 2, { seed: 5 }).x;
    const c = record({}, 2, { seed: 6 }).x;
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });
});
