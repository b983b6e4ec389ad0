// A personalised controller for a vasodilator: a bank of candidate patient models identifies the patient's
// drug sensitivity, transport delay and recirculation online (multiple-model adaptive estimation, after
// the He, Kaufman & Roy model bank for nitroprusside), and the rate is chosen from the candidates'
// predictions, counting the drug already on its way.
//
// Each candidate is the Slate structure with one (gain, delay, recirculation) and the nominal lag (and,
// optionally, again with a slower one). Its unknown baseline pressure is tracked by a Kalman filter (a
// random walk, so slow disturbances are absorbed and act like integral action; optionally with a fading
// slope, so a disturbance still rising is anticipated); the filter's innovations score the candidate,
// with forgetting so the bank follows a patient whose sensitivity changes. Confidence measures how far
// the posterior has narrowed from the prior. The commanded rate is a low weighted quantile of the
// candidates' own rates for the target; the lower the confidence, the lower the quantile, so an
// unidentified patient gets a rate safe for the most sensitive candidates still believed. It works from
// the rate actually commanded (less a fresh syringe's slack), so the supervisor's limits cause no windup.
import { z } from 'zod';
import type { BpController, BpObservation, ControllerDecision } from './bp-controller.ts';
import { controllerBaseSchema, f1 } from './bp-controller.ts';

export const adaptiveSettingsSchema = controllerBaseSchema.extend({
  kind: z.literal('adaptive').default('adaptive'),
  /** Candidate gains: a log-spaced grid. */
  gainGrid: z.strictObject({ minMmHgPerMlPerH: z.number().positive(), maxMmHgPerMlPerH: z.number().positive(), count: z.number().int().min(2).max(64) }),
  /** Candidate transport delays. */
  delaysS: z.array(z.number().min(0).max(300)).min(1).max(16),
  /** The candidates' lag and recirculation delay (docs/clinical-basis.md#blood-pressure-under-a-vasodilator nominal values). */
  timeConstantS: z.number().min(1).max(600),
  /** Candidate recirculation fractions (the late share of the effect). */
  recirculationFractions: z.array(z.number().min(0).max(1)).min(1).max(8),
  recirculationDelayS: z.number().min(0).max(300),
  /**
   * Every candidate again with a slower lag and a later recirculation, for patients slower than the
   * nominal ones: read with the nominal lag, a slow response looks like a weak one, and is overdosed.
   */
  slowDynamics: z.strictObject({ timeConstantS: z.number().min(1).max(600), recirculationDelayS: z.number().min(0).max(300) }).optional(),
  /** The infusion line between the pump and the patient (known from the set-up): commanded rates reach the patient through it. */
  lineTimeConstantS: z.number().min(0).max(600).default(0),
  /**
   * Slack in a freshly loaded syringe's drive (known from the set-up): the first this much pushed reaches
   * no one, so it is not counted as drug, and it is taken up at once, in the first period that gives any
   * drug, so the first dose is not held back by it (at 2 mL/h, 20 uL would take 36 s). 0: none.
   */
  startupSlackMl: z.number().min(0).max(1).default(0),
  /** The model bank's step; decisions closer together than this reuse the last update. */
  periodS: z.number().min(1).max(60),
  /** SD of one period's observed mean pressure around the model. */
  observationSdMmHg: z.number().positive().max(30),
  /** SD per step of the baseline's random walk: how fast disturbances are absorbed. */
  baselineStepSdMmHg: z.number().positive().max(30),
  /**
   * SD per step of the baseline's slope (a random walk of its own, fading): a disturbance that keeps
   * rising (surgical stimulation ramping up) is followed and its continuation anticipated. 0: no slope.
   */
  baselineSlopeStepSdMmHgPerMin: z.number().min(0).max(10).default(0),
  /** How fast a slope is taken to fade: its time constant, in the filter and in the predictions. */
  baselineSlopeFadeS: z.number().min(1).max(3600).default(120),
  /** Forgetting of old evidence per step (1: never forget). */
  forgetting: z.number().min(0.5).max(1),
  /** Least weight any candidate keeps, so the bank can move to it when the patient changes. */
  weightFloor: z.number().min(0).max(0.1),
  /** How far below the target a candidate's predicted pressure may dip on its way there. */
  dipMarginMmHg: z.number().min(0).max(20),
  /**
   * What confidence measures the narrowing of: the drug sensitivity alone ('gain'), or the whole effect of
   * a rate held ('steady-gain': sensitivity times one plus recirculation), which sets the dose.
   */
  confidenceOn: z.enum(['gain', 'steady-gain']).default('gain'),
  /** The weighted quantile of the candidates' rates that is commanded, at zero and at full confidence (below 0.5: cautious). */
  quantileAtNoConfidence: z.number().min(0.001).max(0.5),
  quantileAtFullConfidence: z.number().min(0.001).max(0.5),
});

export type AdaptiveSettings = z.input<typeof adaptiveSettingsSchema>;
type Settings = z.output<typeof adaptiveSettingsSchema>;

/**
 * The candidate models, fixed for the whole run, as flat tables. Candidate i has gain g and shape h (one
 * delay and recirculation fraction), i = g * shapes + h, in the order gains, then delays, then fractions.
 * The scratch arrays at the end are rewritten by every step before they are read, so they carry nothing
 * from one step to the next and steps stay pure; they only spare an allocation per step.
 */
interface Bank {
  size: number;
  shapes: number;
  /** Steps of rate history kept (the longest recirculation delay, plus one). */
  historyLength: number;
  /** Steps of prediction ahead. */
  horizon: number;
  lineDecay: number;
  /** Of the observation and of the baseline's random walk, per step. */
  observationVar: number;
  baselineStepVar: number;
  /** The slope's variance per step (mmHg per step, squared), 0 without one, and its fading per step. */
  slopeStepVar: number;
  slopeFade: number;
  /** Per step of the horizon k = 1..H (at k - 1): how many steps' worth of today's slope the baseline has risen by then. */
  slopeSteps: Float64Array;
  /** The prior's share within a factor 1.5 of its own centre: the zero of confidence. */
  priorShare: number;
  /** Per gain. */
  gain: Float64Array;
  /** Per candidate. */
  logGain: Float64Array;
  /** Per candidate: the log of what confidence is measured on (see confidenceOn); logGain itself for 'gain'. */
  logConfidenceOn: Float64Array;
  delayS: Float64Array;
  /** Per candidate: the share of the drug arriving in one step that acts in that step's drop, times the gain. */
  gainIn: Float64Array;
  /** Per shape: the lag's decay per step and over the whole horizon (for an estimate only), ... */
  decay: Float64Array;
  decayOverHorizon: Float64Array;
  recirculation: Float64Array;
  delaySteps: Int32Array;
  recircSteps: Int32Array;
  /** Per candidate, over the horizon: the predicted drop per mL/h of a rate held from now on. */
  forced: Float64Array;
  /** Scratch: per shape, the drug arriving now (u) and over the horizon from past rates (committed). */
  arriving: Float64Array;
  committed: Float64Array;
  drained: Float64Array;
  weights: Float64Array;
  rates: Float64Array;
  /** The rates' bits as 32-bit words (see HIGH_WORD), and buckets for sorting them. */
  rateWords: Uint32Array;
  bucketCounts: Int32Array;
  order: Int32Array;
}

export interface AdaptiveState {
  /** The candidate models (shared, never changed after start). */
  bank: Bank;
  /**
   * Per candidate, in blocks of the bank's size: the predicted drug effect, the baseline estimate, the
   * log-likelihood, the baseline's slope (mmHg per step); then the rates that reached the patient's side
   * of the line in past steps, newest last.
   * A plain array of numbers: copying it for each step's new state costs far less than a typed array's.
   */
  values: number[];
  /** The variance of the baseline estimate: one for every candidate, whose filters all start together. Null before the first observation. */
  baselineVar: number | null;
  /** The covariance of (baseline, slope), shared likewise (all 0 without a slope). Null before the first observation. */
  slopeCov: { baselineSlope: number; slope: number } | null;
  lastUpdateMs: number | null;
  outputMlPerH: number;
  /** Syringe slack not yet taken up. */
  slackLeftMl: number;
  /** The last decision, for decisions that fall between model updates. */
  last: { reason: string; confidence: number; gain: number; delayS: number } | null;
}

export function adaptiveController(raw: AdaptiveSettings): BpController<AdaptiveState> {
  const s = adaptiveSettingsSchema.parse(raw);
  if (s.drugEffect === 'raises') throw new Error('the adaptive controller models a vasodilator (the Slate structure) only; use the pid controller for a vasopressor');
  return { name: 'adaptive', settings: s, start: (rate) => adaptiveStart(s, rate), step: (state, obs, now) => adaptiveStep(s, state, obs, now) };
}

const LOG_BAND = Math.log(1.5);

function buildBank(s: Settings): Bank {
  const { minMmHgPerMlPerH: lo, maxMmHgPerMlPerH: hi, count: gains } = s.gainGrid;
  const fractions = s.recirculationFractions.length;
  const dynamics = [{ timeConstantS: s.timeConstantS, recirculationDelayS: s.recirculationDelayS }, ...(s.slowDynamics ? [s.slowDynamics] : [])];
  const shapes = s.delaysS.length * fractions * dynamics.length;
  const size = gains * shapes;
  const lineDecay = s.lineTimeConstantS > 0 ? Math.exp(-s.periodS / s.lineTimeConstantS) : 0;
  const recirculation = new Float64Array(shapes);
  const delaySteps = new Int32Array(shapes);
  const recircSteps = new Int32Array(shapes);
  const decay = new Float64Array(shapes);
  let longest = 0;
  for (let d = 0, h = 0; d < s.delaysS.length; d++) {
    for (let f = 0; f < fractions; f++) {
      for (const dyn of dynamics) {
        recirculation[h] = s.recirculationFractions[f];
        delaySteps[h] = Math.round(s.delaysS[d] / s.periodS);
        recircSteps[h] = Math.round((s.delaysS[d] + dyn.recirculationDelayS) / s.periodS);
        decay[h] = Math.exp(-s.periodS / dyn.timeConstantS);
        longest = Math.max(longest, recircSteps[h]);
        h++;
      }
    }
  }
  const historyLength = longest + 1;
  const horizon = historyLength + Math.ceil((4 * Math.max(...dynamics.map((x) => x.timeConstantS))) / s.periodS);
  const gain = new Float64Array(gains);
  const gainIn = new Float64Array(size);
  const logGain = new Float64Array(size);
  const delayS = new Float64Array(size);
  const forced = new Float64Array(size * horizon);
  for (let g = 0; g < gains; g++) {
    gain[g] = lo * Math.pow(hi / lo, g / (gains - 1));
    for (let h = 0; h < shapes; h++) {
      const i = g * shapes + h;
      gainIn[i] = (1 - decay[h]) * gain[g];
      logGain[i] = Math.log(gain[g]);
      delayS[i] = s.delaysS[Math.floor(h / (fractions * dynamics.length))];
      forcedResponse(forced.subarray(i * horizon, (i + 1) * horizon), gainIn[i], delaySteps[h], recirculation[h], recircSteps[h], decay[h], lineDecay);
    }
  }
  const rates = new Float64Array(size);
  // A slope fades by slopeFade per step: after k steps the baseline has risen by 1 + fade + ... + fade^(k-1) of it.
  const slopeFade = Math.exp(-s.periodS / s.baselineSlopeFadeS);
  const slopeSteps = new Float64Array(horizon);
  for (let k = 0, sum = 0, f = 1; k < horizon; k++, f *= slopeFade) slopeSteps[k] = sum += f;
  const logConfidenceOn = s.confidenceOn === 'gain' ? logGain : logGain.map((x, i) => x + Math.log(1 + recirculation[i % shapes]));
  let centre = 0;
  for (let i = 0; i < size; i++) centre += logConfidenceOn[i];
  centre /= size;
  let near = 0;
  for (let i = 0; i < size; i++) if (Math.abs(logConfidenceOn[i] - centre) < LOG_BAND) near++;
  return {
    size, shapes, historyLength, horizon, lineDecay,
    observationVar: s.observationSdMmHg ** 2, baselineStepVar: s.baselineStepSdMmHg ** 2, priorShare: near / size,
    slopeStepVar: ((s.baselineSlopeStepSdMmHgPerMin * s.periodS) / 60) ** 2, slopeFade, slopeSteps,
    gain, logGain, logConfidenceOn, delayS, gainIn, decay, decayOverHorizon: decay.map((x) => Math.pow(x, horizon)), recirculation, delaySteps, recircSteps, forced,
    arriving: new Float64Array(shapes), committed: new Float64Array(shapes * horizon), drained: new Float64Array(historyLength + horizon),
    weights: new Float64Array(size), rates, rateWords: new Uint32Array(rates.buffer), bucketCounts: new Int32Array(1024), order: new Int32Array(size),
  };
}

/** A candidate's drop per mL/h of a rate started now, at each step of the horizon (through the line first). */
function forcedResponse(out: Float64Array, gainIn: number, delaySteps: number, recirculation: number, recircSteps: number, decay: number, lineDecay: number): void {
  let drop = 0;
  for (let k = 1; k <= out.length; k++) {
    const u = throughLine(k - delaySteps, lineDecay) + recirculation * throughLine(k - recircSteps, lineDecay);
    drop = decay * drop + gainIn * u;
    out[k - 1] = drop;
  }
}

/** The share of a rate started j steps ago that leaves the line now. */
function throughLine(j: number, lineDecay: number): number {
  return j > 0 ? 1 - Math.pow(lineDecay, j) : 0;
}

export function adaptiveStart(s: Settings, runningRateMlPerH: number): AdaptiveState {
  const bank = buildBank(s);
  const n = bank.size;
  const values: number[] = [];
  // Bumpless: a rate already running is taken as having run long enough to reach its steady state in
  // every candidate; each candidate's baseline then starts from the first observation.
  for (let g = 0; g < bank.gain.length; g++) {
    for (let h = 0; h < bank.shapes; h++) values.push(bank.gain[g] * runningRateMlPerH * (1 + bank.recirculation[h]));
  }
  for (let i = 0; i < 3 * n; i++) values.push(0);
  for (let j = 0; j < bank.historyLength; j++) values.push(runningRateMlPerH);
  // A rate already running has taken up the slack.
  const slackLeftMl = runningRateMlPerH > 0 ? 0 : s.startupSlackMl;
  return { bank, values, baselineVar: null, slopeCov: null, lastUpdateMs: null, outputMlPerH: runningRateMlPerH, slackLeftMl, last: null };
}

function holding(state: AdaptiveState, why: string): ControllerDecision<AdaptiveState> {
  return {
    rateMlPerH: state.outputMlPerH, reason: `${why}: holding ${f1(state.outputMlPerH)} mL/h`,
    confidence: state.last?.confidence ?? 0,
    identified: state.last ? { gainMmHgPerMlPerH: state.last.gain, delayS: state.last.delayS } : undefined,
    state,
  };
}

// No closures in the loops below: the build's keepNames helper would wrap each one on every pass.

export function adaptiveStep(s: Settings, state: AdaptiveState, obs: BpObservation, nowMs: number): ControllerDecision<AdaptiveState> {
  if (state.lastUpdateMs !== null && nowMs - state.lastUpdateMs < s.periodS * 1000 * 0.9) return holding(state, 'between model updates');
  if (obs.cleanBeats === 0) return holding(state, obs.flaggedBeats > 0 ? `only flagged beats (quality ${obs.quality})` : 'no beats');
  const b = state.bank;
  const n = b.size;
  const shapes = b.shapes;
  const L = b.historyLength;
  const BASE = n;
  const LIK = 2 * n;
  const SLOPE = 3 * n;
  const HIST = 4 * n;
  const prev = state.values;
  const values = prev.slice();

  // 1. Every candidate predicts this period's pressure from the rates that were commanded; its baseline
  // filter scores the prediction. The rate leaves the line into the history.
  const lineDecay = b.lineDecay;
  for (let j = HIST; j < HIST + L - 1; j++) values[j] = prev[j + 1];
  let pushed = obs.infusedMlPerH;
  let slackLeftMl = state.slackLeftMl;
  if (slackLeftMl > 0) {
    // What went into the slack never reached the line.
    const pushedMl = (obs.infusedMlPerH * s.periodS) / 3600;
    pushed = (Math.max(0, pushedMl - slackLeftMl) * 3600) / s.periodS;
    slackLeftMl = Math.max(0, slackLeftMl - pushedMl);
  }
  values[HIST + L - 1] = lineDecay * prev[HIST + L - 1] + (1 - lineDecay) * pushed;
  const newest = HIST + L - 1;
  for (let h = 0; h < shapes; h++) b.arriving[h] = values[newest - b.delaySteps[h]] + b.recirculation[h] * values[newest - b.recircSteps[h]];
  const decay = b.decay;
  const r = b.observationVar;
  const mean = obs.meanMmHg;
  const first = state.baselineVar === null;
  const forgetting = s.forgetting;
  const gainIn = b.gainIn;
  const arriving = b.arriving;
  // Baseline and slope, (b, s) -> (b + s, fade * s); without a slope its variance stays 0 and this is the
  // baseline's random walk alone, to the last bit. Every candidate's filter has the same covariance, so the
  // gains and the innovation's variance are shared.
  const fade = b.slopeFade;
  const cov = state.slopeCov ?? { baselineSlope: 0, slope: 0 };
  const p00 = first ? 0 : state.baselineVar! + 2 * cov.baselineSlope + cov.slope + b.baselineStepVar;
  const p01 = first ? 0 : fade * (cov.baselineSlope + cov.slope);
  const p11 = first ? 0 : fade * fade * cov.slope + b.slopeStepVar;
  const innovationVar = p00 + r;
  const k0 = p00 / innovationVar;
  const k1 = p01 / innovationVar;
  const logInnovationVar = Math.log(innovationVar);
  for (let g = 0, i = 0; g < b.gain.length; g++) {
    for (let h = 0; h < shapes; h++, i++) {
      const drop = decay[h] * prev[i] + gainIn[i] * arriving[h];
      values[i] = drop;
      if (first) {
        // First observation: it sets the baseline and scores nothing.
        values[BASE + i] = mean + drop;
        continue;
      }
      const innovation = mean - (prev[BASE + i] + prev[SLOPE + i] - drop);
      values[BASE + i] = prev[BASE + i] + prev[SLOPE + i] + k0 * innovation;
      values[SLOPE + i] = fade * prev[SLOPE + i] + k1 * innovation;
      values[LIK + i] = forgetting * prev[LIK + i] - 0.5 * (innovation * innovation / innovationVar + logInnovationVar);
    }
  }
  const baselineVar = first ? r : (1 - k0) * p00;
  const slopeCov = first ? { baselineSlope: 0, slope: 0 } : { baselineSlope: (1 - k0) * p01, slope: p11 - k1 * p01 };

  // 2. The estimate, its spread and the confidence in it: weights from the log-likelihoods, floored and normalised.
  let top = -Infinity;
  for (let i = 0; i < n; i++) top = Math.max(top, values[LIK + i]);
  const w = b.weights;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += w[i] = Math.exp(values[LIK + i] - top);
  let total = 0;
  for (let i = 0; i < n; i++) total += w[i] = Math.max(s.weightFloor, w[i] / sum);
  for (let i = 0; i < n; i++) w[i] /= total;
  let meanLogGain = 0;
  let meanDelay = 0;
  for (let i = 0; i < n; i++) {
    meanLogGain += w[i] * b.logGain[i];
    meanDelay += w[i] * b.delayS[i];
  }
  let meanOn = meanLogGain;
  if (b.logConfidenceOn !== b.logGain) {
    meanOn = 0;
    for (let i = 0; i < n; i++) meanOn += w[i] * b.logConfidenceOn[i];
  }
  let share = 0;
  let baseline = 0;
  for (let i = 0; i < n; i++) {
    if (Math.abs(b.logConfidenceOn[i] - meanOn) < LOG_BAND) share += w[i];
    baseline += w[i] * values[BASE + i];
  }
  const gain = Math.exp(meanLogGain);
  // Confidence: how far the posterior has narrowed from the prior (0 before any evidence, 1 when all
  // weight lies within a factor 1.5 of the estimate of the gain, or of the steady gain).
  const confidence = Math.max(0, (share - b.priorShare) / (1 - b.priorShare));

  // 3. For each candidate, the highest constant rate from now on that brings its predicted pressure to
  // the target, counting the drug already on its way (committed by past rates). The commanded rate is a
  // low weighted quantile of these: one that most credible candidates say will not overshoot. The lower
  // the confidence, the lower the quantile, so the first doses are safe for the most sensitive patients
  // the bank still believes in (the transport delay hides the answer for up to a minute).
  // What leaves the line from now on with no new drug: the recorded past, then the line draining.
  const H = b.horizon;
  const drained = b.drained;
  for (let j = 0; j < L; j++) drained[j] = values[HIST + j];
  for (let j = L; j < drained.length; j++) drained[j] = drained[j - 1] * lineDecay;
  // The drug arriving at each future step from it, per shape (the same for every gain).
  for (let h = 0; h < shapes; h++) {
    const a0 = L - 1 - b.delaySteps[h];
    const b0 = L - 1 - b.recircSteps[h];
    const f = b.recirculation[h];
    const at = h * H - 1;
    for (let j = 1; j <= H; j++) b.committed[at + j] = drained[a0 + j] + f * drained[b0 + j];
  }
  const rates = b.rates;
  safeRates(s, b, values);
  const sorted = sortByRate(b);
  const quantile = s.quantileAtNoConfidence + (s.quantileAtFullConfidence - s.quantileAtNoConfidence) * confidence;
  let acc = 0;
  let raw = rates[sorted[n - 1]];
  for (let j = 0; j < n; j++) {
    const i = sorted[j];
    acc += w[i];
    if (acc >= quantile) {
      raw = rates[i];
      break;
    }
  }
  const wanted = Math.min(s.maxRateMlPerH, Math.max(s.minRateMlPerH, raw));
  // Slack left: pushed through in this period on top of the drug wanted, if any is.
  const rate = slackLeftMl > 0 && wanted > 0 ? Math.min(s.maxRateMlPerH, wanted + (slackLeftMl * 3600) / s.periodS) : wanted;
  const reason = `MAP ${f1(obs.meanMmHg)} vs ${f1(s.targetMmHg)}; patient: ${gain.toFixed(2)} mmHg per mL/h, delay ${meanDelay.toFixed(0)} s, baseline ${f1(baseline)}` +
    ` (confidence ${(confidence * 100).toFixed(0)}%); highest rate that keeps ${((1 - quantile) * 100).toFixed(0)}% of candidates above the target: ${f1(wanted)} mL/h` +
    (wanted !== raw ? ` (limited from ${f1(raw)})` : '') + (rate !== wanted ? `; ${f1(rate)} mL/h while the syringe's start-up slack is taken up` : '');
  // Keep the likelihoods from growing without bound: only their differences matter.
  for (let i = 0; i < n; i++) values[LIK + i] -= top;
  return {
    rateMlPerH: rate, reason, confidence,
    identified: { gainMmHgPerMlPerH: gain, delayS: meanDelay },
    state: { bank: b, values, baselineVar, slopeCov, lastUpdateMs: nowMs, outputMlPerH: rate, slackLeftMl, last: { reason, confidence, gain, delayS: meanDelay } },
  };
}

/**
 * For each candidate, the highest constant rate from now on that brings its predicted pressure to the
 * target at the end of the horizon without dipping more than the margin below it on the way. The
 * predicted drop is linear in that rate: free (from the drug already committed) plus forced (per mL/h of
 * the new rate), so each future step bounds the rate: room / forced. The answer is the lowest bound, or
 * zero when any bound is at or below zero or the committed drug alone leaves no room before the new rate
 * acts.
 *
 * The lowest bound is almost always the last step's (no margin there, and the most forced drop). So the
 * last bound is estimated first (lastBoundAbove), and while each candidate's free drop is predicted step
 * by step, one multiplication per step checks that the step's bound lies above that estimate (see
 * ABOVE); a step that fails the check is divided there and then. When the exact last bound comes out no
 * higher than the estimate, the lowest of it and the divided steps' bounds is the answer, exactly as if
 * every step had been divided (the others lie above the estimate); otherwise every step is divided
 * (everyBound). The free drops are predicted two candidates at a time, two gains of one shape sharing
 * the drug committed: each is a chain of dependent steps, and two side by side keep the processor busier.
 */
function safeRates(s: Settings, b: Bank, values: number[]): void {
  const H = b.horizon;
  const S = b.shapes;
  const G = b.gain.length;
  const n = b.size;
  const committed = b.committed;
  const gainIn = b.gainIn;
  const forced = b.forced;
  const rise = b.slopeSteps;
  const rates = b.rates;
  const target = s.targetMmHg;
  // On the way, a dip of up to the margin below the target is tolerated; none at the end.
  const margin = s.dipMarginMmHg;
  for (let h = 0; h < S; h++) {
    const at = h * H;
    const decay = b.decay[h];
    // The committed drug's share of the last step's free drop, summed in another order: an estimate only.
    let settled = 0;
    for (let k = 0; k < H; k++) settled = decay * settled + committed[at + k];
    for (let g = 0; g < G; g += 2) {
      const g1 = Math.min(g + 1, G - 1);
      const i0 = g * S + h;
      const i1 = g1 * S + h;
      const a0 = gainIn[i0];
      const a1 = gainIn[i1];
      const e0 = values[n + i0] - target;
      const e1 = values[n + i1] - target;
      const m0 = e0 + margin;
      const m1 = e1 + margin;
      let f0 = values[i0];
      let f1 = values[i1];
      // The baseline's slope, if any, counts as drop taken back: the room at a step is what is allowed less (free - slope * rise).
      const sl0 = values[3 * n + i0];
      const sl1 = values[3 * n + i1];
      const tau0 = lastBoundAbove(b, i0, e0 + sl0 * rise[H - 1], f0, a0 * settled);
      const tau1 = lastBoundAbove(b, i1, e1 + sl1 * rise[H - 1], f1, a1 * settled);
      const t0 = tau0 * ABOVE;
      const t1 = tau1 * ABOVE;
      const p0 = i0 * H;
      const p1 = i1 * H;
      // The lowest bound of the steps that failed the check (0 settles it).
      let low0 = Infinity;
      let low1 = Infinity;
      for (let k = 0; k < H - 1; k++) {
        const c = committed[at + k];
        f0 = decay * f0 + a0 * c;
        f1 = decay * f1 + a1 * c;
        const r0 = m0 - (f0 - sl0 * rise[k]);
        const r1 = m1 - (f1 - sl1 * rise[k]);
        if (!(r0 >= t0 * forced[p0 + k]) && low0 !== 0) low0 = boundAt(low0, r0, forced[p0 + k]);
        if (!(r1 >= t1 * forced[p1 + k]) && low1 !== 0) low1 = boundAt(low1, r1, forced[p1 + k]);
      }
      const c = committed[at + H - 1];
      rates[i0] = lowestBound(s, b, values, i0, (e0 + 0) - (decay * f0 + a0 * c - sl0 * rise[H - 1]), tau0, low0);
      rates[i1] = lowestBound(s, b, values, i1, (e1 + 0) - (decay * f1 + a1 * c - sl1 * rise[H - 1]), tau1, low1);
    }
  }
}

/**
 * Rounding guard for skipping divisions (each rounding within 2^-53 of the exact value): x >= fl(fl(tau *
 * (1 + 2^-50)) * f) means x > tau * f exactly, so x / f rounds to no less than tau and cannot lower a
 * bound at or below tau; where the forced drop f is at most 1e-9 (the new rate not acting yet), it also
 * means the room does not run out. It holds for tau between 1e-200 and 1e300, away from the subnormals
 * and infinity.
 */
const ABOVE = 1 + 2 ** -50;

/**
 * A value a little above candidate i's last bound; NaN when out of the range of ABOVE (then no step
 * passes the check, and every step is divided). The free drop is estimated from the drop now and the
 * committed drug's share (the last step's exact free drop comes only at the end of the prediction); the
 * room's estimate is raised by 1e-9 of the magnitudes, far beyond the estimate's rounding, so that it
 * lies above the exact one.
 */
function lastBoundAbove(b: Bank, i: number, allowed: number, dropMmHg: number, committedShare: number): number {
  const free = b.decayOverHorizon[i % b.shapes] * dropMmHg + committedShare;
  const tau = (allowed - free + 1e-9 * (Math.abs(allowed) + Math.abs(free))) / b.forced[(i + 1) * b.horizon - 1];
  return tau >= 1e-200 && tau <= 1e300 ? tau : NaN;
}

/**
 * Candidate i's lowest bound, given the room left at the last step of the horizon and the lowest bound
 * of the steps before that failed the check against tau (every step, if tau is NaN). When the last
 * step's bound is no higher than tau, the steps that passed cannot lower it; otherwise every step is
 * divided again.
 */
function lowestBound(s: Settings, b: Bank, values: number[], i: number, lastRoom: number, tau: number, low: number): number {
  if (low === 0) return 0;
  const last = boundAt(Infinity, lastRoom, b.forced[(i + 1) * b.horizon - 1]);
  if (last === 0) return 0;
  if (tau !== tau || last <= tau) {
    const best = boundAt(low, lastRoom, b.forced[(i + 1) * b.horizon - 1]);
    return best !== Infinity ? best : 0;
  }
  return everyBound(s, b, values, i, lastRoom);
}

/** Candidate i's lowest bound over every step, its free drops predicted again as safeRates does. */
function everyBound(s: Settings, b: Bank, values: number[], i: number, lastRoom: number): number {
  const H = b.horizon;
  const h = i % b.shapes;
  const decay = b.decay[h];
  const a = b.gainIn[i];
  const onTheWay = values[b.size + i] - s.targetMmHg + s.dipMarginMmHg;
  const slope = values[3 * b.size + i];
  let f = values[i];
  let best = boundAt(Infinity, lastRoom, b.forced[(i + 1) * H - 1]);
  for (let k = 0; k < H - 1 && best !== 0; k++) {
    f = decay * f + a * b.committed[h * H + k];
    best = boundAt(best, onTheWay - (f - slope * b.slopeSteps[k]), b.forced[i * H + k]);
  }
  return best !== Infinity ? best : 0;
}

/** best lowered to one step's bound room / forced; 0 once any bound is at or below zero, or room runs out before the new rate acts. */
function boundAt(best: number, room: number, forced: number): number {
  if (forced > 1e-9) {
    const r = room / forced;
    if (!(r < best)) return best;
    return r <= 0 ? 0 : r;
  }
  return room < 0 ? 0 : best;
}

/** Where the high 32 bits of a number sit in a pair of 32-bit words: second on little-endian platforms. */
const HIGH_WORD = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 1 : 0;

/**
 * The candidates in order of rate, ties in candidate order. Zeros first; the others are dealt into
 * buckets by their top bits (the bits of numbers that are never negative, NaN or -0 sort as the numbers
 * do), as many bits as keep the buckets within their table, in candidate order; then an insertion sort
 * puts each bucket in order, moving a candidate only past higher rates.
 */
function sortByRate(b: Bank): Int32Array {
  const n = b.size;
  const rates = b.rates;
  const words = b.rateWords;
  const order = b.order;
  const counts = b.bucketCounts;
  let zeros = 0;
  let low = 0xffffffff;
  let high = 0;
  for (let i = 0; i < n; i++) {
    if (rates[i] === 0) {
      zeros++;
      continue;
    }
    const key = words[(i << 1) | HIGH_WORD];
    if (key < low) low = key;
    if (key > high) high = key;
  }
  let shift = 0;
  while ((high >>> shift) - (low >>> shift) >= counts.length) shift++;
  low >>>= shift;
  high >>>= shift;
  counts.fill(0, 0, high - low + 1);
  for (let i = 0; i < n; i++) if (rates[i] !== 0) counts[(words[(i << 1) | HIGH_WORD] >>> shift) - low]++;
  let at = zeros;
  for (let v = 0; v <= high - low; v++) {
    const c = counts[v];
    counts[v] = at;
    at += c;
  }
  let z = 0;
  for (let i = 0; i < n; i++) {
    if (rates[i] === 0) order[z++] = i;
    else order[counts[(words[(i << 1) | HIGH_WORD] >>> shift) - low]++] = i;
  }
  for (let j = zeros + 1; j < n; j++) {
    const i = order[j];
    const r = rates[i];
    let k = j;
    while (k > zeros && rates[order[k - 1]] > r) {
      order[k] = order[k - 1];
      k--;
    }
    order[k] = i;
  }
  return order;
}

