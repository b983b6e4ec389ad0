// Beta bursts of a local field potential, measured the way Tinkhauser et al. 2017 (Brain 140:1053) did in
// patients: band-pass +-3 Hz around the individual beta peak, the amplitude envelope of the analytic signal
// (Hilbert), smoothed over 200 ms, a threshold at the 75th percentile of the reference recording's envelope;
// a burst is a stretch above it, and long bursts (> 400 ms) are the ones aDBS should cut short.
// Offline (FFT over the whole record), for ground truth and metrics; the device estimates beta on its own.
import { fftInPlace } from './lfp-spectrum.ts';

export interface EnvelopeOptions {
  centreHz: number;
  halfWidthHz?: number;
  smoothMs?: number;
}

/** Amplitude envelope of x within centre +- halfWidth Hz (same unit as x), smoothed. */
export function betaEnvelope(x: ArrayLike<number>, rateHz: number, o: EnvelopeOptions): Float64Array {
  const half = o.halfWidthHz ?? 3;
  let n = 1;
  while (n < x.length) n <<= 1;
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  let mean = 0;
  for (let i = 0; i < x.length; i++) mean += x[i];
  mean /= x.length;
  for (let i = 0; i < x.length; i++) re[i] = x[i] - mean;
  fftInPlace(re, im);
  // Analytic signal of the band: positive frequencies in the band doubled (edges tapered over 1 Hz), the
  // rest zeroed.
  const lo = o.centreHz - half;
  const hi = o.centreHz + half;
  for (let k = 0; k < n; k++) {
    const f = (k <= n / 2 ? k : k - n) * (rateHz / n);
    let gain = 0;
    if (f > 0) {
      const inside = Math.min(f - (lo - 0.5), hi + 0.5 - f);
      gain = inside <= 0 ? 0 : inside >= 1 ? 2 : 1 - Math.cos(Math.PI * inside);
    }
    re[k] *= gain;
    im[k] *= gain;
  }
  // Inverse transform by conjugation.
  for (let k = 0; k < n; k++) im[k] = -im[k];
  fftInPlace(re, im);
  const amp = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) amp[i] = Math.hypot(re[i], im[i]) / n;
  return movingAverage(amp, Math.max(1, Math.round(((o.smoothMs ?? 200) * rateHz) / 1000)));
}

function movingAverage(x: Float64Array, width: number): Float64Array {
  const out = new Float64Array(x.length);
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    sum += x[i];
    if (i >= width) sum -= x[i - width];
    out[i] = sum / Math.min(i + 1, width);
  }
  // Centre the window (a trailing average delays by half its width).
  const shift = Math.floor(width / 2);
  return out.map((_, i) => out[Math.min(x.length - 1, i + shift)]);
}

/** The q-quantile (0..1) of values. */
export function percentile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) throw new Error('percentile of no values');
  const pos = q * (sorted.length - 1);
  const i = Math.floor(pos);
  return i + 1 < sorted.length ? sorted[i] + (pos - i) * (sorted[i + 1] - sorted[i]) : sorted[i];
}

/** Durations (ms) of the stretches where the envelope is above threshold; cut stretches at the ends are left out. */
export function burstDurationsMs(envelope: ArrayLike<number>, rateHz: number, threshold: number): number[] {
  const out: number[] = [];
  let start = -1;
  for (let i = 0; i < envelope.length; i++) {
    const above = envelope[i] > threshold;
    if (above && start < 0) start = i;
    else if (!above && start >= 0) {
      if (start > 0) out.push(((i - start) * 1000) / rateHz);
      start = -1;
    }
  }
  return out;
}

export interface BurstStats {
  count: number;
  perMinute: number;
  medianMs: number;
  meanMs: number;
  /** Share of bursts longer than 400 ms. */
  longShare: number;
  /** Bursts per duration bin as in Tinkhauser 2017: 100-200, 200-300, ... 700-800, > 800 ms (shorter ones first). */
  bins: { fromMs: number; toMs: number; count: number }[];
}

export function burstStats(durationsMs: number[], recordS: number): BurstStats {
  const sorted = [...durationsMs].sort((a, b) => a - b);
  const edges = [0, 100, 200, 300, 400, 500, 600, 700, 800, Infinity];
  return {
    count: sorted.length,
    perMinute: (sorted.length * 60) / recordS,
    medianMs: sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : NaN,
    meanMs: sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : NaN,
    longShare: sorted.length ? sorted.filter((d) => d > 400).length / sorted.length : 0,
    bins: edges.slice(0, -1).map((fromMs, k) => ({ fromMs, toMs: edges[k + 1], count: sorted.filter((d) => d >= fromMs && d < edges[k + 1]).length })),
  };
}
