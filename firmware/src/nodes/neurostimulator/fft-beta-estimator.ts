// Beta-band power of the sensed potential, on the device, by the board's native FFT: the last n samples
// (a 200-400 ms window, so the FFT itself is the smoothing) are transformed once per block of new ones, and
// the power of the bins inside the band is summed. Measured on the interpreter against a band-pass biquad
// (npm run bench): every per-sample step here is native (typed-array copies, E.FFT), so it costs a fraction
// of a biquad's interpreted arithmetic per sample. The Hann window is applied after the transform, on the
// band's few bins only (Y[k] = X[k]/2 - (X[k-1] + X[k+1])/4): windowing the samples would cost a JavaScript
// loop over every one, and without a window a slow drift leaks into the band.
import type { Fft } from '../../hal/hal.ts';

/** Mean square of the Hann window: the power a windowed signal keeps. */
const HANN_POWER = 0.375;

export class FftBetaEstimator {
  private readonly hist_: Uint16Array;
  private readonly re_: Float32Array;
  private readonly im_: Float32Array;
  private readonly lo_: number;
  private readonly hi_: number;
  private filled_ = 0;
  /** Power of each band bin and the one either side of the band in the last window (for the peak). */
  private readonly bins_: Float32Array;
  private readonly hzPerBin_: number;
  /** Frequency of the band's strongest bin in the last window, Hz, refined between bins by a parabola; 0 before one. */
  peakHz_ = 0;
  /** µV² of band power per unit of summed |Y[k] / n|². */
  private readonly scale_: number;

  /**
   * n samples per window (a power of two) at rateHz; the band loHz..hiHz; uvPerCount converts ADC counts
   * (0..65535) to µV.
   */
  constructor(private readonly fft_: Fft, n: number, rateHz: number, loHz: number, hiHz: number, uvPerCount: number) {
    this.hist_ = new Uint16Array(n);
    this.re_ = new Float32Array(n);
    this.im_ = new Float32Array(n);
    // Bins k with k rateHz / n inside the band.
    this.lo_ = Math.ceil((loHz * n) / rateHz);
    this.hi_ = Math.floor((hiHz * n) / rateHz);
    this.bins_ = new Float32Array(this.hi_ - this.lo_ + 3);
    this.hzPerBin_ = rateHz / n;
    // A real signal's power is twice that of its positive bins; the window keeps HANN_POWER of it.
    this.scale_ = (2 * uvPerCount * uvPerCount) / HANN_POWER;
  }

  /** Takes a block of new samples (at most n); returns the band power (µV²) of the last n, or -1 until n have come. */
  push_(block: Uint16Array): number {
    const h = this.hist_;
    const n = h.length;
    // Forward copies within one array are safe on Espruino and in JavaScript alike.
    h.set(h.subarray(block.length), 0);
    h.set(block, n - block.length);
    this.filled_ += block.length;
    if (this.filled_ < n) return -1;
    const re = this.re_;
    const im = this.im_;
    re.set(h);
    im.fill(0);
    this.fft_(re, im);
    const b = this.bins_;
    let p = 0;
    let top = 1;
    // b[j] is bin lo - 1 + j: the band's bins and one either side, which only the peak's parabola reads.
    for (let k = this.lo_ - 1; k <= this.hi_ + 1; k++) {
      const r = re[k] / 2 - (re[k - 1] + re[k + 1]) / 4;
      const i = im[k] / 2 - (im[k - 1] + im[k + 1]) / 4;
      const q = r * r + i * i;
      const j = k - this.lo_ + 1;
      b[j] = q;
      if (k < this.lo_ || k > this.hi_) continue;
      if (q > b[top]) top = j;
      p += q;
    }
    // The vertex of a parabola through the top bin and its neighbours places the peak between bins (4 Hz
    // bins are too coarse to follow a peak that moves a few Hz), kept inside the band's outer bins.
    const d = b[top - 1] - 2 * b[top] + b[top + 1];
    const shift = d < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (b[top - 1] - b[top + 1])) / d)) : 0;
    this.peakHz_ = (this.lo_ - 1 + top + shift) * this.hzPerBin_;
    return p * this.scale_;
  }
}
