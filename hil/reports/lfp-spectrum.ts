// Spectral analysis of a sampled signal for metrics and tests (ground truth side, never on a device):
// Welch's averaged periodogram with Hann windows, half overlapping, and the peak within a band.

/** In-place radix-2 FFT of (re, im); the length must be a power of two. */
export function fftInPlace(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  if (n & (n - 1)) throw new Error(`FFT length must be a power of two, got ${n}`);
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const tr = re[i];
      re[i] = re[j];
      re[j] = tr;
      const ti = im[i];
      im[i] = im[j];
      im[j] = ti;
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (-2 * Math.PI) / len;
    const half = len >> 1;
    for (let k = 0; k < half; k++) {
      const wr = Math.cos(ang * k);
      const wi = Math.sin(ang * k);
      for (let i = k; i < n; i += len) {
        const j = i + half;
        const ar = re[j] * wr - im[j] * wi;
        const ai = re[j] * wi + im[j] * wr;
        re[j] = re[i] - ar;
        im[j] = im[i] - ai;
        re[i] += ar;
        im[i] += ai;
      }
    }
  }
}

export interface Spectrum {
  /** Frequency of each bin, Hz. */
  hz: Float64Array;
  /** Power spectral density per bin, unit^2 / Hz (one-sided). */
  psd: Float64Array;
}

/** Welch's estimate with segments of `segment` samples (a power of two). */
export function welch(x: ArrayLike<number>, rateHz: number, segment = 1024): Spectrum {
  if (x.length < segment) throw new Error(`need at least ${segment} samples for the spectrum, got ${x.length}`);
  const win = new Float64Array(segment);
  let winPower = 0;
  for (let i = 0; i < segment; i++) {
    win[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / segment);
    winPower += win[i] * win[i];
  }
  const bins = segment / 2 + 1;
  const psd = new Float64Array(bins);
  const re = new Float64Array(segment);
  const im = new Float64Array(segment);
  let count = 0;
  for (let start = 0; start + segment <= x.length; start += segment / 2) {
    let mean = 0;
    for (let i = 0; i < segment; i++) mean += x[start + i];
    mean /= segment;
    for (let i = 0; i < segment; i++) {
      re[i] = (x[start + i] - mean) * win[i];
      im[i] = 0;
    }
    fftInPlace(re, im);
    for (let k = 0; k < bins; k++) psd[k] += (re[k] * re[k] + im[k] * im[k]) * (k === 0 || k === segment / 2 ? 1 : 2);
    count++;
  }
  for (let k = 0; k < bins; k++) psd[k] /= count * winPower * rateHz;
  const hz = new Float64Array(bins);
  for (let k = 0; k < bins; k++) hz[k] = (k * rateHz) / segment;
  return { hz, psd };
}

/** The frequency of the largest PSD bin within [loHz, hiHz]. */
export function peakHz(s: Spectrum, loHz: number, hiHz: number): number {
  let best = -1;
  let at = NaN;
  for (let k = 0; k < s.hz.length; k++) {
    if (s.hz[k] >= loHz && s.hz[k] <= hiHz && s.psd[k] > best) {
      best = s.psd[k];
      at = s.hz[k];
    }
  }
  return at;
}

/** Power within [loHz, hiHz] (PSD integrated over the band), unit^2. */
export function bandPower(s: Spectrum, loHz: number, hiHz: number): number {
  const df = s.hz[1] - s.hz[0];
  let sum = 0;
  for (let k = 0; k < s.hz.length; k++) if (s.hz[k] >= loHz && s.hz[k] <= hiHz) sum += s.psd[k] * df;
  return sum;
}
