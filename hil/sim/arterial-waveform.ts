// A synthetic arterial-line pressure waveform with known truth per beat, and the artifacts of a real line
// (docs/clinical-basis.md#noise-and-disturbances): flush spikes, over-damping, a transducer height offset, dropouts, a
// frozen value and a step in noise (a loose connection, diathermy). Shapes are generic [U]: a 0.1 s quarter-sine upstroke and an exponential run-off with a
// small dicrotic wave.
import { seededRandom } from '../../protocols/testing/seeded-random.ts';
import { gaussian } from './gaussian.ts';
import { beatShape as shape, RUNOFF_END, RUNOFF_K, UPSTROKE_S } from '../../firmware/src/nodes/patient-emulator/beat-shape.ts';

export interface BeatTruth {
  startS: number;
  systolicMmHg: number;
  diastolicMmHg: number;
  meanMmHg: number;
  heartRateBpm: number;
}

export interface WaveformOptions {
  systolicMmHg: number;
  diastolicMmHg: number;
  heartRateBpm: number;
  /** Beat-to-beat jitter of the interval, as a fraction. */
  rrJitter?: number;
  /** Sensor noise, standard deviation. */
  noiseMmHg?: number;
  seed?: number;
  /** Pressures of each new beat from a model (a patient); the fixed values above otherwise. */
  beatPressures?: (tS: number) => { systolicMmHg: number; diastolicMmHg: number };
  /** The rate of each new beat, before jitter (a rhythm that changes); heartRateBpm otherwise. */
  beatRateBpm?: (tS: number) => number;
}

export type Artifact =
  | { kind: 'flush'; startS: number; durationS: number; pressureMmHg: number }
  | { kind: 'over-damped'; startS: number; durationS: number; timeConstantS: number }
  | { kind: 'offset'; startS: number; durationS: number; offsetMmHg: number }
  | { kind: 'dropout'; startS: number; durationS: number }
  | { kind: 'frozen'; startS: number; durationS: number }
  | { kind: 'noise-step'; startS: number; durationS: number; noiseMmHg: number };

export class ArterialWaveform {
  readonly beats: BeatTruth[] = [];
  private readonly random: () => number;
  private filtered = NaN;
  private frozenValue = NaN;
  private lastT = 0;
  private cursor = 0;

  private readonly artifacts: Artifact[];

  constructor(private readonly o: WaveformOptions, artifacts: Artifact[] = []) {
    this.artifacts = artifacts.slice();
    this.random = seededRandom(o.seed ?? 1);
  }

  /** Adds an artifact while the line runs (a fault applied now); end it by setting its durationS. */
  addArtifact(a: Artifact): void {
    this.artifacts.push(a);
  }

  /** The clean pressure at time t (s), extending the beat list as time goes on. */
  private clean(t: number): number {
    let last = this.beats[this.beats.length - 1];
    while (!last || t >= last.startS + 60 / last.heartRateBpm) {
      const startS = last ? last.startS + 60 / last.heartRateBpm : 0;
      const jitter = (this.o.rrJitter ?? 0) * (2 * this.random() - 1);
      const heartRateBpm = (this.o.beatRateBpm ? this.o.beatRateBpm(startS) : this.o.heartRateBpm) / (1 + jitter);
      const { systolicMmHg: sbp, diastolicMmHg: dbp } = this.o.beatPressures ? this.o.beatPressures(startS) : this.o;
      last = { startS, systolicMmHg: sbp, diastolicMmHg: dbp, meanMmHg: dbp + (sbp - dbp) * shapeMean(60 / heartRateBpm), heartRateBpm };
      this.beats.push(last);
    }
    // Time mostly moves forward: look from the last beat used, back only when asked about the past.
    if (this.cursor >= this.beats.length || this.beats[this.cursor].startS > t) this.cursor = 0;
    while (this.cursor < this.beats.length - 1 && t >= this.beats[this.cursor].startS + 60 / this.beats[this.cursor].heartRateBpm) this.cursor++;
    const beat = this.beats[this.cursor];
    return beat.diastolicMmHg + (beat.systolicMmHg - beat.diastolicMmHg) * shape(t - beat.startS, 60 / beat.heartRateBpm);
  }

  /** What the transducer reads at time t (s): the waveform with noise and any active artifact. */
  sample(t: number): { pressureMmHg: number; dropout: boolean } {
    let p = this.clean(t) + (this.o.noiseMmHg ?? 0) * gaussian(this.random);
    let dropout = false;
    const dt = Math.max(1e-4, t - this.lastT);
    this.lastT = t;
    for (const a of this.artifacts) {
      if (t < a.startS || t >= a.startS + a.durationS) continue;
      if (a.kind === 'flush') p = a.pressureMmHg;
      else if (a.kind === 'offset') p += a.offsetMmHg;
      else if (a.kind === 'dropout') dropout = true;
      else if (a.kind === 'noise-step') p += a.noiseMmHg * gaussian(this.random);
      else if (a.kind === 'over-damped') {
        this.filtered = Number.isNaN(this.filtered) ? p : this.filtered + (p - this.filtered) * (dt / (a.timeConstantS + dt));
        p = this.filtered;
      } else if (a.kind === 'frozen') {
        if (Number.isNaN(this.frozenValue)) this.frozenValue = p;
        p = this.frozenValue;
      }
    }
    if (!this.artifacts.some((a) => a.kind === 'over-damped' && t >= a.startS && t < a.startS + a.durationS)) this.filtered = p;
    if (!this.artifacts.some((a) => a.kind === 'frozen' && t >= a.startS && t < a.startS + a.durationS)) this.frozenValue = NaN;
    return { pressureMmHg: p, dropout };
  }
}


/**
 * The shape's mean over a beat of length rrS: the upstroke and the run-off in closed form, the short
 * dicrotic bump by a fine sum over its window (it may be cut off by the end of a fast beat).
 */
function shapeMean(rrS: number): number {
  const upstroke = (UPSTROKE_S * 2) / Math.PI;
  const runoff = (rrS - UPSTROKE_S) * ((1 - RUNOFF_END) / RUNOFF_K - RUNOFF_END) / (1 - RUNOFF_END);
  const centre = UPSTROKE_S + 0.2;
  const from = centre - 0.2;
  const to = Math.min(rrS, centre + 0.2);
  let bump = 0;
  const steps = 64;
  const h = (to - from) / steps;
  for (let i = 0; i < steps; i++) {
    const d = (from + (i + 0.5) * h - centre) / 0.05;
    bump += 0.08 * Math.exp(-d * d) * h;
  }
  return (upstroke + runoff + Math.max(0, bump)) / rrS;
}

/** The mean of one beat as a share of its pulse pressure above diastolic (the shape's own mean). */
export function shapeMeanFraction(heartRateBpm: number): number {
  return shapeMean(60 / heartRateBpm);
}

/** The same mean summed finely from the shape itself: the check on shapeMean's closed form. */
export function shapeMeanBySum(heartRateBpm: number, steps = 20_000): number {
  const rrS = 60 / heartRateBpm;
  let acc = 0;
  for (let i = 0; i < steps; i++) acc += shape(((i + 0.5) / steps) * rrS, rrS);
  return acc / steps;
}
