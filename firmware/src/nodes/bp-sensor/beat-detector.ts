// Beat-by-beat analysis of an arterial pressure waveform, one sample at a time. Beats are split at the
// steepest part of each upstroke (the rise over the last eight samples above 40% of its recent maximum,
// after a refractory period; eight samples, 64 ms at 125 Hz, so that sensor noise neither passes for an
// upstroke nor moves its timing by much);
// over each beat the systolic (max), diastolic (min) and mean (average over the whole cycle) pressures
// and the rate follow, with quality flags for the artifacts of an arterial line.
import { PressureQuality } from '../../../../protocols/generated/wire-codec.ts';

export interface Beat {
  systolicMmHg: number;
  diastolicMmHg: number;
  meanMmHg: number;
  heartRateBpm: number;
  quality: number;
}

/** Limits of a plausible beat, and thresholds of the artifact flags [U, engineering practice]. */
const MIN_BEAT_S = 0.25;
const MAX_BEAT_S = 2.5;
const NO_BEAT_S = 3;
const FLUSH_MMHG = 250;
const FLAT_PP_MMHG = 5;
const MEAN_MIN_MMHG = 20;
const MEAN_MAX_MMHG = 250;
/**
 * A new steady rhythm is learnt after this many beats in a row that were flagged only as irregular yet agree
 * with each other (within RELEARN_SPREAD of their running mean): a heart rate that stepped by more than 30%
 * (a tachycardia, a paced rate) would otherwise be flagged irregular for ever, since only clean beats teach
 * the interval. A truly irregular rhythm (atrial fibrillation) never agrees long enough and stays flagged.
 */
const RELEARN_BEATS = 8;
const RELEARN_SPREAD = 0.12;

export class BeatDetector {
  private readonly last_ = new Float32Array(8);
  private readonly box_ = new Float32Array(4);
  private filled_ = 0;
  private at_ = 0;
  private maxSlope_ = 0;
  private above_ = false;
  private n_ = 0;
  private sum_ = 0;
  private max_ = -1e9;
  private min_ = 1e9;
  private railed_ = false;
  private lastSlope_ = 0;
  private startFrac_ = 0;
  private avgPp_ = 0;
  private peakSlope_ = 0;
  private avgSlope_ = 0;
  private avgRr_ = 0;
  /** Consecutive beats flagged only irregular that agree with each other, and their mean interval. */
  private runN_ = 0;
  private runRr_ = 0;
  private started_ = false;
  /**
   * The beat under way began at the signal's onset: the first upstroke after none, or after a stretch that
   * was no beat (a flat, dead or out-of-range line: a transducer opened to the patient after zeroing).
   */
  private onset_ = false;
  /** The last stretch reported was a plausible beat (not flat, lost or out of range). */
  private wasBeat_ = false;
  private readonly decay_: number;

  constructor(private readonly rateHz_: number, private readonly onBeat_: (b: Beat) => void) {
    // The slope reference forgets with a time constant of about 8 s.
    this.decay_ = Math.exp(-1 / (8 * rateHz_));
  }

  /** One calibrated sample; `railed` when the ADC sat at either end of its range. */
  push(p: number, railed: boolean): void {
    // Slope of a 4-sample running mean over 8 samples: the same lag on every upstroke, a quarter of the noise.
    this.box_[this.at_ & 3] = p;
    const smooth = (this.box_[0] + this.box_[1] + this.box_[2] + this.box_[3]) / 4;
    const slope = smooth - this.last_[this.at_];
    this.last_[this.at_] = smooth;
    this.at_ = (this.at_ + 1) & 7;
    if (this.filled_ < 12) {
      // Until both rings hold real samples the slope means nothing.
      this.filled_++;
      this.accumulate_(p);
      return;
    }
    this.maxSlope_ *= this.decay_;
    // A jump far steeper than any recent upstroke (a flush, a dropout) must not set the reference.
    if (slope > this.maxSlope_ && (this.maxSlope_ < 2 || slope < 3 * this.maxSlope_)) this.maxSlope_ = slope;
    const threshold = 0.4 * this.maxSlope_;
    const above = slope > threshold && slope > 4;
    const rising = above && !this.above_;
    this.above_ = above;
    if (rising && this.n_ >= MIN_BEAT_S * this.rateHz_) {
      // Where between this sample and the last the slope crossed the threshold: beat lengths to a fraction
      // of a sample, so the rate is exact to well under 1/min at 125 Hz.
      const cross = slope > this.lastSlope_ ? (threshold - this.lastSlope_) / (slope - this.lastSlope_) : 1;
      const frac = cross > 0 && cross < 1 ? cross : 1;
      if (this.started_) this.endBeat_(this.n_ - this.startFrac_ + frac);
      this.onset_ = !this.started_ || !this.wasBeat_;
      this.startFrac_ = frac;
      this.started_ = true;
      this.reset_();
    } else if (this.n_ >= NO_BEAT_S * this.rateHz_) {
      // No upstroke for too long: report what the line shows, flagged, and start over.
      this.endBeat_(this.n_);
      this.started_ = false;
      this.reset_();
    }
    this.lastSlope_ = slope;
    if (slope > this.peakSlope_) this.peakSlope_ = slope;
    this.accumulate_(p);
    if (railed) this.railed_ = true;
  }

  private accumulate_(p: number): void {
    this.n_++;
    this.sum_ += p;
    if (p > this.max_) this.max_ = p;
    if (p < this.min_) this.min_ = p;
  }

  private reset_(): void {
    this.n_ = 0;
    this.sum_ = 0;
    this.max_ = -1e9;
    this.min_ = 1e9;
    this.railed_ = false;
    this.peakSlope_ = 0;
  }

  /** Counts a run of beats flagged only irregular that agree with each other; a long enough run is the new rhythm. */
  private relearnRhythm_(q: number, seconds: number): void {
    if (q !== PressureQuality.IrregularBeat || this.onset_) {
      this.runN_ = 0;
      return;
    }
    if (this.runN_ > 0 && Math.abs(seconds - this.runRr_) <= RELEARN_SPREAD * this.runRr_) {
      this.runRr_ = (this.runRr_ * this.runN_ + seconds) / (this.runN_ + 1);
      this.runN_++;
    } else {
      this.runRr_ = seconds;
      this.runN_ = 1;
    }
    if (this.runN_ >= RELEARN_BEATS) {
      this.avgRr_ = this.runRr_;
      this.runN_ = 0;
    }
  }

  /** Ends the beat; `samples` is its length, to a fraction of a sample. */
  private endBeat_(samples: number): void {
    const n = this.n_;
    const seconds = samples / this.rateHz_;
    const pp = this.max_ - this.min_;
    const mean = this.sum_ / n;
    let q = 0;
    const isBeat = seconds <= MAX_BEAT_S && this.started_;
    if (this.railed_) q |= PressureQuality.LostSignal;
    if (this.max_ > FLUSH_MMHG) q |= PressureQuality.FlushSpike;
    if (pp < FLAT_PP_MMHG) q |= PressureQuality.FlatLine;
    if (!isBeat && !(q & PressureQuality.FlatLine)) q |= PressureQuality.LostSignal;
    if (mean < MEAN_MIN_MMHG || mean > MEAN_MAX_MMHG) q |= PressureQuality.OutOfRange;
    // Over-damping rounds the upstroke first and shrinks the pulse pressure.
    if (isBeat && q === 0 && this.avgPp_ > 0 && (pp < 0.7 * this.avgPp_ || this.peakSlope_ < 0.6 * this.avgSlope_)) {
      q |= PressureQuality.OverDamped;
    }
    if (isBeat && this.avgRr_ > 0 && Math.abs(seconds - this.avgRr_) > 0.3 * this.avgRr_) q |= PressureQuality.IrregularBeat;
    // Only clean beats teach the reference pulse pressure and interval, and not the one that began at the
    // signal's onset: its start is the step onto the line, whose slope hides the next upstroke, so it can
    // span two beats, and a reference taught by it would flag every later beat (only clean ones re-teach).
    if (isBeat && q === 0 && !this.onset_) {
      this.avgPp_ = this.avgPp_ > 0 ? 0.9 * this.avgPp_ + 0.1 * pp : pp;
      this.avgSlope_ = this.avgSlope_ > 0 ? 0.9 * this.avgSlope_ + 0.1 * this.peakSlope_ : this.peakSlope_;
      this.avgRr_ = this.avgRr_ > 0 ? 0.8 * this.avgRr_ + 0.2 * seconds : seconds;
    }
    this.wasBeat_ = isBeat && !(q & (PressureQuality.FlatLine | PressureQuality.LostSignal | PressureQuality.OutOfRange));
    this.relearnRhythm_(q, seconds);
    this.onBeat_({
      systolicMmHg: this.max_, diastolicMmHg: this.min_, meanMmHg: mean, heartRateBpm: isBeat ? 60 / seconds : 0, quality: q,
    });
  }
}
