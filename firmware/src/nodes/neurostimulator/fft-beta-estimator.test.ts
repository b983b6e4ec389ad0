import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../protocols/testing/seeded-random.ts';
import { gaussian } from '../../../../hil/sim/gaussian.ts';
import { bandPower, welch } from '../../../../hil/reports/lfp-spectrum.ts';
import { espruinoFftInJs as dsp } from '../../../../hil/sim/nodes/espruino-fft.ts';
import { FftBetaEstimator } from './fft-beta-estimator.ts';

const UV_PER_COUNT = 200 / 65535;
const toCounts = (uv: number) => Math.round(32768 + uv / UV_PER_COUNT);

function feed(est: FftBetaEstimator, signalUv: (i: number) => number, samples: number, hop: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < samples; i += hop) out.push(est.push_(Uint16Array.from({ length: hop }, (_, k) => toCounts(signalUv(i + k)))));
  return out;
}

describe('FFT beta estimator', () => {
  it('says nothing until its window is full, then gives a beta sine\'s mean square and ignores a slow drift', () => {
    const est = new FftBetaEstimator(dsp, 128, 500, 13, 30, UV_PER_COUNT);
    const out = feed(est, (i) => 3 * Math.sin((2 * Math.PI * 19.53125 * i) / 500) + 20 * Math.sin((2 * Math.PI * 1.5 * i) / 500), 1000, 25);
    expect(out.slice(0, 5)).toEqual([-1, -1, -1, -1, -1]);
    for (const p of out.slice(6)) expect(p).toBeCloseTo(4.5, 0); // (3 uV)^2 / 2, on a bin centre
  });

  it('leaves a sine outside the band out, and agrees with Welch\'s band power on broadband noise plus beta', () => {
    const est = new FftBetaEstimator(dsp, 128, 500, 13, 30, UV_PER_COUNT);
    expect(feed(est, (i) => 5 * Math.sin((2 * Math.PI * 50 * i) / 500), 1000, 25).at(-1)!).toBeLessThan(0.05);
    const random = seededRandom(4);
    const x = Float64Array.from({ length: 20_000 }, (_, i) => gaussian(random) + 2 * Math.sin((2 * Math.PI * 21 * i) / 500));
    const est2 = new FftBetaEstimator(dsp, 128, 500, 13, 30, UV_PER_COUNT);
    const powers = feed(est2, (i) => x[i], x.length, 25).filter((p) => p >= 0);
    const mean = powers.reduce((a, b) => a + b, 0) / powers.length;
    const truth = bandPower(welch(x, 500, 512), 13, 30);
    expect(Math.abs(mean - truth) / truth).toBeLessThan(0.15);
  });

  it('places the beta peak between its 3.9 Hz bins, so a peak that moves a few Hz is seen to move', () => {
    // Up to half a bin beyond the band's outer bin centres (15.6 and 27.3 Hz at 128 samples and 500 Hz);
    // a peak well outside the band reads as the outer bin.
    for (const hz of [14.5, 16.5, 18, 20, 21.7, 23.5, 26, 28.5]) {
      const est = new FftBetaEstimator(dsp, 128, 500, 13, 30, UV_PER_COUNT);
      feed(est, (i) => 3 * Math.sin((2 * Math.PI * hz * i) / 500), 1000, 25);
      expect(Math.abs(est.peakHz_ - hz), `${hz} Hz`).toBeLessThan(1);
    }
    const low = new FftBetaEstimator(dsp, 128, 500, 13, 30, UV_PER_COUNT);
    feed(low, (i) => 3 * Math.sin((2 * Math.PI * 10 * i) / 500), 1000, 25);
    expect(low.peakHz_).toBeCloseTo(15.625, 3);
  });
});
