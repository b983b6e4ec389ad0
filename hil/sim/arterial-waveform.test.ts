// The synthetic line's truth: each beat's mean must be the mean of the shape it is drawn with.
import { describe, expect, it } from 'vitest';
import { ArterialWaveform, shapeMeanBySum, shapeMeanFraction } from './arterial-waveform.ts';

describe('arterial waveform', () => {
  it('the closed-form beat mean agrees with a fine sum of the shape at slow, normal and fast rates', () => {
    for (const bpm of [40, 48, 60, 75, 90, 110, 150, 180]) {
      expect(Math.abs(shapeMeanFraction(bpm) - shapeMeanBySum(bpm))).toBeLessThan(1e-4);
    }
  });

  it('each beat\'s recorded mean is the time average of its clean samples', () => {
    const wave = new ArterialWaveform({ systolicMmHg: 130, diastolicMmHg: 70, heartRateBpm: 72, rrJitter: 0.05, seed: 4 });
    wave.sample(6); // draws the beats up to 6 s
    const beats = wave.beats.filter((b) => b.startS + 60 / b.heartRateBpm <= 5);
    const spanS = beats.reduce((a, b) => a + 60 / b.heartRateBpm, 0);
    const weighted = beats.reduce((a, b) => a + b.meanMmHg * (60 / b.heartRateBpm), 0) / spanS;
    let acc = 0;
    let n = 0;
    for (let t = 0; t < spanS; t += 1e-4, n++) acc += wave.sample(t).pressureMmHg;
    expect(beats.length).toBeGreaterThan(4);
    expect(Math.abs(acc / n - weighted)).toBeLessThan(0.05);
  });
});
