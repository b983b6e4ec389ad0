// Beta oscillations of the Parkinsonian subthalamic nucleus (STN), after the mean-field STN-GPe-cortex model of
// Pavlides, Hogan & Bogacz 2015 (PLoS Comput Biol 11:e1004609; docs/clinical-basis.md#beta-oscillations-and-adaptive-stimulation). Rates S (STN),
// G (GPe), E and I (cortical excitatory and inhibitory populations), each a low-pass of a sigmoid of delayed
// inputs:
//   tauS S' = FS(wCS E(t-TCS) - c wGS Gfb(t-TGS)) - S        Gfb = G - e (G - mean G)   (e: share entrained)
//   tauG G' = FG(c wSG S(t-TSG) - wGG G(t-TGG) - Str) - G
//   tauE E' = FE(-wSC S(t-TSC) - wCC I(t-TCC) + C(t)) - E   C(t) = C + coloured noise
//   tauI I' = FI(wCC E(t-TCC)) - I                             F(x) = M / (1 + ((M - B)/B) exp(-4x/M))
// What this project adds, each stated in the parameter file with its source:
// - an operating point just below the onset of oscillation (cortical drive C lowered), so that noise on the
//   drive gives bursts of beta rather than a steady limit cycle;
// - c, the STN-GPe coupling: levodopa and movement lower it (beta falls), slowly and quickly respectively;
// - stimulation entrains a share e of GPe (the curve of Fleming et al. 2020), reached through a lag; entrained
//   neurons follow the stimulus, not the loop, so they no longer carry the oscillation back to STN;
// - a time scale: the equations are integrated in the model's own time and each step stands for
//   k = nativePeakHz / betaPeakHz of it in real time. Scaling every delay and time constant by k scales the
//   frequency by 1/k and leaves the amplitude alone, which places each patient's beta peak.
// The local field potential is S minus its slow mean (an AC-coupled amplifier), in microvolts, with
// amplifier noise and a decaying artifact after each change of stimulation amplitude.
import { seededRandom } from '../../../protocols/testing/seeded-random.ts';
import { gaussian } from '../gaussian.ts';

/** Grid of the drive noise, model ms: fine against its correlation time, coarse against the step. */
const NOISE_GRID_MS = 0.5;

export interface PavlidesParameters {
  tauStnMs: number;
  tauGpeMs: number;
  tauExcMs: number;
  tauInhMs: number;
  delayStnToGpeMs: number;
  delayGpeToStnMs: number;
  delayGpeToGpeMs: number;
  delayCtxToStnMs: number;
  delayStnToCtxMs: number;
  delayCtxToCtxMs: number;
  maxStnSpikesPerS: number;
  maxGpeSpikesPerS: number;
  maxExcSpikesPerS: number;
  maxInhSpikesPerS: number;
  baseStnSpikesPerS: number;
  baseGpeSpikesPerS: number;
  baseExcSpikesPerS: number;
  baseInhSpikesPerS: number;
  wGpeToStn: number;
  wStnToGpe: number;
  wGpeToGpe: number;
  wCtxToStn: number;
  wStnToCtx: number;
  wCtxToCtx: number;
  corticalDriveSpikesPerS: number;
  striatalInputSpikesPerS: number;
  loopCoupling: number;
  driveNoiseSpikesPerS: number;
  driveNoiseCorrelationMs: number;
  nativePeakHz: number;
  betaPeakHz: number;
  lfpUvPerSpikePerS: number;
  lfpHighPassS: number;
  recordingNoiseUv: number;
  medicationCouplingDrop: number;
  medicationTimeConstantS: number;
  movementCouplingDrop: number;
  movementTimeConstantMs: number;
  stimSensitivity: number;
  stimOnsetMs: number;
  stimOffsetMs: number;
  stimArtifactUvPerMa: number;
  stimArtifactDecayMs: number;
  integrationStepMs: number;
}

/** A curve given by points, linear between them and flat beyond the ends (x ascending). */
export interface Curve {
  x: number[];
  y: number[];
}

export function interpolate(c: Curve, x: number): number {
  const n = c.x.length;
  if (x <= c.x[0]) return c.y[0];
  if (x >= c.x[n - 1]) return c.y[n - 1];
  let i = 1;
  while (c.x[i] < x) i++;
  const f = (x - c.x[i - 1]) / (c.x[i] - c.x[i - 1]);
  return c.y[i - 1] + f * (c.y[i] - c.y[i - 1]);
}

/**
 * How a step advances the rates. Each rate obeys tau x' = F(t) - x with F depending only on delayed history,
 * so: 'euler' (explicit), 'rk4' (classic, forcing at the half step interpolated from history), 'exponential'
 * (exact for a forcing linear over the step). Chosen by measurement (npm run bench, dbs.model: each against
 * Euler at 0.005 ms): the exponential one at 0.25 ms is as accurate as RK4 at 0.25 ms (limit-cycle amplitude
 * within 0.3%, frequency within 0.04%, ring-down rate within 0.1%) at about twice its speed, since it evaluates
 * the sigmoids once per step rather than twice; Euler needs 0.05 ms for 1.5% and is two to three times slower.
 */
export type IntegrationScheme = 'euler' | 'rk4' | 'exponential';

export interface PavlidesOptions {
  seed: number;
  /** LFP samples per second of real time (the model's output, 1-2 kHz). */
  outputRateHz?: number;
  /** How much of the output is kept for reading back (an ADC buffer reads the past), s. */
  historyS?: number;
  scheme?: IntegrationScheme;
  /** Called with every LFP sample as it is produced. */
  onSample?: (tMs: number, lfpUv: number) => void;
  /** Model run before time 0 so the record starts in its noisy steady state, real s (default 4). */
  settleS?: number;
}

/** What the patient is doing, for metrics only: controllers never see it. */
export interface PavlidesTruth {
  tMs: number;
  stnSpikesPerS: number;
  /** Share of GPe entrained by stimulation now (after the lag), 0..1. */
  entrainedShare: number;
  /** Levodopa effect, 0 (off) .. 1 (full on). */
  medication: number;
  /** Movement, 0 (rest) .. 1 (moving). */
  movement: number;
  /** STN-GPe coupling relative to the off-medication resting state. */
  coupling: number;
}

export class PavlidesPatient {
  /** Stimulation amplitude delivered now (the stimulator's output), mA. */
  stimulationMa = 0;
  /** Real ms per model ms: nativePeakHz / the beta peak now (setBetaPeakHz moves it). */
  timeScale: number;
  readonly scheme: IntegrationScheme;
  readonly outputRateHz: number;
  private readonly random: () => number;
  /** Histories of the rates and the drive, one ring each (a power of two long, indexed through mask). */
  private readonly s: Float64Array;
  private readonly g: Float64Array;
  private readonly e: Float64Array;
  private readonly i: Float64Array;
  private readonly drive: Float64Array;
  private readonly mask: number;
  private at = 0;
  private steps = 0;
  /** Forcings (sigmoid outputs) at the current step, reused as the start of the next. */
  private fs = 0;
  private fg = 0;
  private fe = 0;
  private fi = 0;
  /** Drive noise on its own grid (model time), so every scheme and step sees the same realisation. */
  private noiseBefore = 0;
  private noiseAfter = 0;
  private noiseAfterMs = 0;
  private readonly noiseKeep: number;
  private readonly noiseKick: number;
  private readonly driveRandom: () => number;
  /** Delays in steps, whole part and fraction. */
  private readonly d: { whole: Int32Array; frac: Float64Array };
  private readonly hMs: number;
  private stepRealMs: number;
  /** Where the current time scale began: real ms (settling included) and steps. */
  private scaleFromMs = 0;
  private scaleFromSteps = 0;
  private readonly outputMs: number;
  /** Index of the next output sample; negative while settling before time 0. */
  private nextOutput: number;
  private readonly settleMs: number;
  private sMean: number;
  private readonly history: Float32Array;
  private historyAt = 0;
  private written = 0;
  private prevS = 0;
  private prevStepMs = 0;
  private entrained = 0;
  private medication = 0;
  private medicationTarget = 0;
  private movement = 0;
  private moving = false;
  private artifactUv = 0;
  private lastStimMa = 0;
  private readonly weights: { cs: number; gs: number; sg: number; gg: number; sc: number; cc: number };
  private readonly sig: Float64Array;
  private readonly c: { keep: Float64Array; now: Float64Array; before: Float64Array; rate: Float64Array };
  private coupling = 1;
  private gMean: number;

  constructor(readonly p: PavlidesParameters, readonly entrainment: Curve, readonly o: PavlidesOptions) {
    this.scheme = o.scheme ?? 'exponential';
    this.outputRateHz = o.outputRateHz ?? 2000;
    this.random = seededRandom(o.seed);
    this.driveRandom = seededRandom(o.seed + 0x9e3779b9);
    this.hMs = p.integrationStepMs;
    this.timeScale = p.nativePeakHz / p.betaPeakHz;
    this.stepRealMs = this.hMs * this.timeScale;
    this.outputMs = 1000 / this.outputRateHz;
    const delays = [p.delayCtxToStnMs, p.delayGpeToStnMs, p.delayStnToGpeMs, p.delayGpeToGpeMs, p.delayStnToCtxMs, p.delayCtxToCtxMs];
    let ring = 16;
    while (ring < Math.max(...delays) / this.hMs + 3) ring *= 2;
    this.mask = ring - 1;
    [this.s, this.g, this.e, this.i, this.drive] = [0, 1, 2, 3, 4].map(() => new Float64Array(ring));
    const shortest = Math.min(...delays) / this.hMs;
    if (shortest < 1) throw new Error(`the shortest delay is under one integration step (${this.hMs} ms): take a shorter step`);
    this.d = { whole: new Int32Array(delays.map((x) => Math.floor(x / this.hMs + 1e-9))), frac: new Float64Array(delays.map((x) => x / this.hMs - Math.floor(x / this.hMs + 1e-9))) };
    this.weights = { cs: p.wCtxToStn, gs: p.wGpeToStn, sg: p.wStnToGpe, gg: p.wGpeToGpe, sc: p.wStnToCtx, cc: p.wCtxToCtx };
    // Sigmoid constants per population: M, (M - B) / B, -4 / M.
    const sig = (m: number, b: number) => [m, (m - b) / b, -4 / m];
    this.sig = new Float64Array([
      ...sig(p.maxStnSpikesPerS, p.baseStnSpikesPerS), ...sig(p.maxGpeSpikesPerS, p.baseGpeSpikesPerS),
      ...sig(p.maxExcSpikesPerS, p.baseExcSpikesPerS), ...sig(p.maxInhSpikesPerS, p.baseInhSpikesPerS),
    ]);
    const taus = [p.tauStnMs, p.tauGpeMs, p.tauExcMs, p.tauInhMs];
    const h = this.hMs;
    // Exponential integrator: x1 = keep x0 + now F1 + before F0 (exact for F linear over the step).
    const keep = taus.map((t) => Math.exp(-h / t));
    this.c = {
      keep: new Float64Array(keep),
      now: new Float64Array(taus.map((t, k) => 1 - (t / h) * (1 - keep[k]))),
      before: new Float64Array(taus.map((t, k) => (t / h) * (1 - keep[k]) - keep[k])),
      rate: new Float64Array(taus.map((t) => h / t)),
    };
    this.noiseKeep = Math.exp(-NOISE_GRID_MS / p.driveNoiseCorrelationMs);
    this.noiseKick = p.driveNoiseSpikesPerS * Math.sqrt(1 - this.noiseKeep * this.noiseKeep);
    this.history = new Float32Array(Math.max(16, Math.ceil((o.historyS ?? 2) * this.outputRateHz)));
    // Start from the rates at zero input (the sigmoid's base rates) and the drive without noise.
    this.s.fill(p.baseStnSpikesPerS);
    this.g.fill(p.baseGpeSpikesPerS);
    this.e.fill(p.baseExcSpikesPerS);
    this.i.fill(p.baseInhSpikesPerS);
    this.drive.fill(p.corticalDriveSpikesPerS);
    this.sMean = p.baseStnSpikesPerS;
    this.gMean = p.baseGpeSpikesPerS;
    this.prevS = p.baseStnSpikesPerS;
    this.forcing(0);
    this.fs = this.f0;
    this.fg = this.f1;
    this.fe = this.f2;
    this.fi = this.f3;
    this.settleMs = (o.settleS ?? 4) * 1000;
    this.nextOutput = -Math.round(this.settleMs / this.outputMs);
    this.advanceTo(0 - this.outputMs / 2);
  }

  /** Real time simulated so far, ms. */
  get tMs(): number {
    return this.scaleFromMs + (this.steps - this.scaleFromSteps) * this.stepRealMs - this.settleMs;
  }

  /**
   * Moves the beta peak to hz from now on (a peak that drifts over a recording: disease state, medication,
   * lead micro-displacement), by the model's time scale: the amplitude stays, the frequency follows.
   */
  setBetaPeakHz(hz: number): void {
    if (!(hz > 0)) throw new Error(`beta peak must be above 0 Hz, got ${hz}`);
    this.scaleFromMs = this.tMs + this.settleMs;
    this.scaleFromSteps = this.steps;
    this.timeScale = this.p.nativePeakHz / hz;
    this.stepRealMs = this.hMs * this.timeScale;
  }

  /** Levodopa: the effect moves toward this level (0 off .. 1 full) with the medication time constant. */
  setMedication(level: number): void {
    if (!(level >= 0 && level <= 1)) throw new Error(`medication level must be within 0..1, got ${level}`);
    this.medicationTarget = level;
  }

  /** The patient starts or stops moving; beta falls and recovers with the movement time constant. */
  setMoving(moving: boolean): void {
    this.moving = moving;
  }

  /** Starts at the medication level given (no approach), e.g. a patient already on levodopa. */
  startMedicated(level: number): void {
    this.setMedication(level);
    this.medication = level;
  }

  truth(): PavlidesTruth {
    return {
      tMs: this.tMs, stnSpikesPerS: this.s[this.at], entrainedShare: this.entrained, medication: this.medication,
      movement: this.movement, coupling: this.coupling,
    };
  }

  /** Integrates up to real time tMs, producing every LFP sample due by then. */
  advanceTo(tMs: number): void {
    for (let target = this.nextOutput * this.outputMs; target <= tMs; target = this.nextOutput * this.outputMs) {
      this.slowStates(this.outputMs);
      while (this.tMs < target) {
        this.prevS = this.s[this.at];
        this.prevStepMs = this.tMs;
        this.step();
      }
      // S at the output instant, between the last two steps.
      const span = this.tMs - this.prevStepMs;
      const f = span > 0 ? (target - this.prevStepMs) / span : 1;
      const sNow = this.prevS + f * (this.s[this.at] - this.prevS);
      this.emit(target, sNow);
      this.nextOutput++;
    }
  }

  /** The LFP at a time within the kept history (linear between samples), µV. */
  lfpUvAt(tMs: number): number {
    const n = this.history.length;
    const newest = this.written - 1;
    const pos = tMs / this.outputMs;
    if (pos > newest + 1e-9) throw new Error(`LFP at ${tMs.toFixed(2)} ms asked before it was simulated (advanced to ${(newest * this.outputMs).toFixed(2)} ms)`);
    if (pos < Math.max(0, newest - n + 2)) throw new Error(`LFP at ${tMs.toFixed(2)} ms is older than the ${(n / this.outputRateHz).toFixed(2)} s kept`);
    const i = Math.floor(pos);
    const f = pos - i;
    const a = this.history[i % n];
    return f === 0 ? a : a + f * (this.history[(i + 1) % n] - a);
  }

  /** The newest LFP sample, µV. */
  get lfpUv(): number {
    return this.written === 0 ? 0 : this.history[(this.written - 1) % this.history.length];
  }

  private emit(tMs: number, sNow: number): void {
    const p = this.p;
    const dt = this.outputMs;
    this.sMean += (sNow - this.sMean) * (dt / (p.lfpHighPassS * 1000));
    const dA = this.stimulationMa - this.lastStimMa;
    this.lastStimMa = this.stimulationMa;
    this.artifactUv = this.artifactUv * Math.exp(-dt / p.stimArtifactDecayMs) + dA * p.stimArtifactUvPerMa;
    const noise = p.recordingNoiseUv > 0 ? p.recordingNoiseUv * gaussian(this.random) : 0;
    const lfp = p.lfpUvPerSpikePerS * (sNow - this.sMean) + noise + this.artifactUv;
    if (this.nextOutput < 0) return;
    this.history[this.historyAt] = lfp;
    this.historyAt = (this.historyAt + 1) % this.history.length;
    this.written++;
    if (this.o.onSample) this.o.onSample(tMs, lfp);
  }

  /** Medication, movement and entrainment over dtMs of real time. */
  private slowStates(dtMs: number): void {
    const p = this.p;
    this.medication += (this.medicationTarget - this.medication) * (1 - Math.exp(-dtMs / (p.medicationTimeConstantS * 1000)));
    this.movement += ((this.moving ? 1 : 0) - this.movement) * (1 - Math.exp(-dtMs / p.movementTimeConstantMs));
    const target = interpolate(this.entrainment, this.stimulationMa * p.stimSensitivity);
    const tau = target > this.entrained ? p.stimOnsetMs : p.stimOffsetMs;
    this.entrained += (target - this.entrained) * (1 - Math.exp(-dtMs / tau));
    this.coupling = (1 - p.medicationCouplingDrop * this.medication) * (1 - p.movementCouplingDrop * this.movement);
    this.gMean += (this.g[this.at] - this.gMean) * (dtMs / (p.lfpHighPassS * 1000));
  }

  private f0 = 0;
  private f1 = 0;
  private f2 = 0;
  private f3 = 0;

  /** The four sigmoid forcings at the current step plus `offset` steps (0, 0.5 or 1), into f0..f3. */
  private forcing(offset: number): void {
    const w = this.weights;
    const d = this.d;
    const sig = this.sig;
    const c = this.p.loopCoupling * this.coupling;
    const e = this.entrained;
    const gBar = this.gMean;
    const eCs = this.delayed(this.e, d.whole[0], d.frac[0], offset);
    const gGs = this.delayed(this.g, d.whole[1], d.frac[1], offset);
    const sSg = this.delayed(this.s, d.whole[2], d.frac[2], offset);
    const gGg = this.delayed(this.g, d.whole[3], d.frac[3], offset);
    const sSc = this.delayed(this.s, d.whole[4], d.frac[4], offset);
    const iCc = this.delayed(this.i, d.whole[5], d.frac[5], offset);
    const eCc = this.delayed(this.e, d.whole[5], d.frac[5], offset);
    // The drive is not delayed: it is known at the step and interpolated within it.
    const drive = offset === 0 ? this.drive[this.at] : this.drive[this.at] + offset * (this.nextDrive - this.drive[this.at]);
    const sBar = this.sMean;
    const gFb = gGs - e * (gGs - gBar);
    const sToG = sSg - e * (sSg - sBar);
    const sToC = sSc - e * (sSc - sBar);
    this.f0 = sig[0] / (1 + sig[1] * Math.exp(sig[2] * (w.cs * eCs - c * w.gs * gFb)));
    this.f1 = sig[3] / (1 + sig[4] * Math.exp(sig[5] * (c * w.sg * sToG - w.gg * gGg - this.p.striatalInputSpikesPerS)));
    this.f2 = sig[6] / (1 + sig[7] * Math.exp(sig[8] * (-w.sc * sToC - w.cc * iCc + drive)));
    this.f3 = sig[9] / (1 + sig[10] * Math.exp(sig[11] * (w.cc * eCc)));
  }

  private nextDrive = 0;

  /** History of x at (now - (whole + frac) steps + offset), linear between stored steps. */
  private delayed(x: Float64Array, whole: number, frac: number, offset: number): number {
    const pos = this.at - whole - frac + offset;
    const k = Math.floor(pos);
    const f = pos - k;
    const a = x[k & this.mask];
    return f === 0 ? a : a + f * (x[(k + 1) & this.mask] - a);
  }

  private step(): void {
    const at = this.at;
    const next = (at + 1) & this.mask;
    // Ornstein-Uhlenbeck noise, exact on its grid, linear between grid points.
    const tModelMs = (this.steps + 1) * this.hMs;
    while (this.noiseAfterMs < tModelMs) {
      this.noiseBefore = this.noiseAfter;
      this.noiseAfter = this.noiseAfter * this.noiseKeep + this.noiseKick * gaussian(this.driveRandom);
      this.noiseAfterMs += NOISE_GRID_MS;
    }
    const f = 1 - (this.noiseAfterMs - tModelMs) / NOISE_GRID_MS;
    this.nextDrive = this.p.corticalDriveSpikesPerS + this.noiseBefore + f * (this.noiseAfter - this.noiseBefore);
    const s = this.s[at];
    const g = this.g[at];
    const e = this.e[at];
    const i = this.i[at];
    const c = this.c;
    let s1: number;
    let g1: number;
    let e1: number;
    let i1: number;
    if (this.scheme === 'exponential') {
      this.forcing(1);
      s1 = c.keep[0] * s + c.now[0] * this.f0 + c.before[0] * this.fs;
      g1 = c.keep[1] * g + c.now[1] * this.f1 + c.before[1] * this.fg;
      e1 = c.keep[2] * e + c.now[2] * this.f2 + c.before[2] * this.fe;
      i1 = c.keep[3] * i + c.now[3] * this.f3 + c.before[3] * this.fi;
      this.fs = this.f0;
      this.fg = this.f1;
      this.fe = this.f2;
      this.fi = this.f3;
    } else if (this.scheme === 'euler') {
      this.forcing(0);
      s1 = s + c.rate[0] * (this.f0 - s);
      g1 = g + c.rate[1] * (this.f1 - g);
      e1 = e + c.rate[2] * (this.f2 - e);
      i1 = i + c.rate[3] * (this.f3 - i);
    } else {
      // RK4 on tau x' = F(t) - x: F at the start (kept from the last step), the half step and the end.
      const a0 = this.fs;
      const b0 = this.fg;
      const c0 = this.fe;
      const d0 = this.fi;
      this.forcing(0.5);
      const ah = this.f0;
      const bh = this.f1;
      const ch = this.f2;
      const dh = this.f3;
      this.forcing(1);
      s1 = rk4(s, c.rate[0], a0, ah, this.f0);
      g1 = rk4(g, c.rate[1], b0, bh, this.f1);
      e1 = rk4(e, c.rate[2], c0, ch, this.f2);
      i1 = rk4(i, c.rate[3], d0, dh, this.f3);
      this.fs = this.f0;
      this.fg = this.f1;
      this.fe = this.f2;
      this.fi = this.f3;
    }
    this.s[next] = s1;
    this.g[next] = g1;
    this.e[next] = e1;
    this.i[next] = i1;
    this.drive[next] = this.nextDrive;
    this.at = next;
    this.steps++;
  }
}

/** One RK4 step of x' = (F - x) r (r = h / tau, time in steps) with F given at the start, middle and end. */
function rk4(x: number, r: number, start: number, half: number, end: number): number {
  const k1 = r * (start - x);
  const k2 = r * (half - (x + k1 / 2));
  const k3 = r * (half - (x + k2 / 2));
  const k4 = r * (end - (x + k3));
  return x + (k1 + 2 * k2 + 2 * k3 + k4) / 6;
}
