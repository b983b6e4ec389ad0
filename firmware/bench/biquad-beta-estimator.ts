// The alternative the neurostimulator's FFT estimator was measured against (npm run bench): a band-pass
// biquad around the beta band (constant 0 dB peak gain, from the RBJ audio-EQ cookbook formulas), the output
// squared and smoothed by a one-pole low-pass. Every sample goes through interpreted arithmetic, which is
// what makes it slower on a board. Bench only: no node uses it.
export class BiquadBetaEstimator {
  private x1_ = 0;
  private x2_ = 0;
  private y1_ = 0;
  private y2_ = 0;
  private p_ = 0;
  private readonly b0_: number;
  private readonly a1_: number;
  private readonly a2_: number;
  private readonly k_: number;

  /** Band loHz..hiHz at rateHz, smoothed over smoothMs; uvPerCount converts ADC counts to µV. */
  constructor(rateHz: number, loHz: number, hiHz: number, smoothMs: number, private readonly uvPerCount_: number) {
    const f0 = Math.sqrt(loHz * hiHz);
    const w0 = (2 * Math.PI * f0) / rateHz;
    const alpha = (Math.sin(w0) * f0) / (2 * (hiHz - loHz));
    const a0 = 1 + alpha;
    this.b0_ = alpha / a0; // b1 = 0, b2 = -b0
    this.a1_ = (-2 * Math.cos(w0)) / a0;
    this.a2_ = (1 - alpha) / a0;
    this.k_ = 1 - Math.exp(-1000 / (rateHz * smoothMs));
  }

  /** Takes a block of samples (ADC counts); returns the smoothed band power, µV². */
  push_(block: Uint16Array): number {
    for (let i = 0; i < block.length; i++) {
      const x = block[i] * this.uvPerCount_;
      const y = this.b0_ * (x - this.x2_) - this.a1_ * this.y1_ - this.a2_ * this.y2_;
      this.x2_ = this.x1_;
      this.x1_ = x;
      this.y2_ = this.y1_;
      this.y1_ = y;
      this.p_ += this.k_ * (y * y - this.p_);
    }
    return this.p_;
  }
}
