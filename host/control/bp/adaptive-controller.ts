// A personalised controller for a vasodilator: a bank of candidate patient models identifies the patient's
// drug sensitivity, transport delay and recirculation online (multiple-model adaptive estimation, after
// the He, Kaufman & Roy model bank for nitroprusside), and the rate is chosen from the candidates'
// predictions, counting the drug already on its way.
//
// Each candidate is the Slate structure with one (gain, delay, recirculation) and the nominal lag. Its
// unknown baseline pressure is tracked by a scalar Kalman filter (a random walk, so slow disturbances are
// absorbed and act like integral action); the filter's innovations score the candidate, with forgetting
// so the bank follows a patient whose sensitivity changes. Confidence measures how far the posterior has
// narrowed from the prior. The commanded rate is a low weighted quantile of the candidates' own rates for
// the target; the lower the confidence, the lower the quantile, so an unidentified patient gets a rate
// safe for the most sensitive candidates still believed. It works from the rate actually commanded, so
// the supervisor's limits cause no windup.
import { z } from 'zod';
import type { BpController, BpObservation, ControllerDecision } from './bp-controller.ts';
import { controllerBaseSchema, f1 } from './bp-controller.ts';

export const adaptiveSettingsSchema = controllerBaseSchema.extend({
  kind: z.literal('adaptive').default('adaptive'),
  /** Candidate gains: a log-spaced grid. */
  gainGrid: z.strictObject({ minMmHgPerMlPerH: z.number().positive(), maxMmHgPerMlPerH: z.number().positive(), count: z.number().int().min(2).max(64) }),
  /** Candidate transport delays. */
  delaysS: z.array(z.number().min(0).max(300)).min(1).max(16),
  /** The candidates' shared lag and recirculation delay (clinical-models.md section 1 nominal values). */
  timeConstantS: z.number().min(1).max(600),
  /** Candidate recirculation fractions (the late share of the effect). */
  recirculationFractions: z.array(z.number().min(0).max(1)).min(1).max(8),
  recirculationDelayS: z.number().min(0).max(300),
  /** The infusion line between the pump and the patient (known from the set-up): commanded rates reach the patient through it. */
  lineTimeConstantS: z.number().min(0).max(600).default(0),
  /** The model bank's step; decisions closer together than this reuse the last update. */
  periodS: z.number().min(1).max(60),
  /** SD of one period's observed mean pressure around the model. */
  observationSdMmHg: z.number().positive().max(30),
  /** SD per step of the baseline's random walk: how fast disturbances are absorbed. */
  baselineStepSdMmHg: z.number().positive().max(30),
  /** Forgetting of old evidence per step (1: never forget). */
  forgetting: z.number().min(0.5).max(1),
  /** Least weight any candidate keeps, so the bank can move to it when the patient changes. */
  weightFloor: z.number().min(0).max(0.1),
  /** How far below the target a candidate's predicted pressure may dip on its way there. */
  dipMarginMmHg: z.number().min(0).max(20),
  /** The weighted quantile of the candidates' rates that is commanded, at zero and at full confidence (below 0.5: cautious). */
  quantileAtNoConfidence: z.number().min(0.001).max(0.5),
  quantileAtFullConfidence: z.number().min(0.001).max(0.5),
});

export type AdaptiveSettings = z.input<typeof adaptiveSettingsSchema>;
type Settings = z.output<typeof adaptiveSettingsSchema>;

/** One candidate patient model: fixed for the whole run. */
interface Candidate {
  gain: number;
  logGain: number;
  delayS: number;
  recirculation: number;
  delaySteps: number;
  recircSteps: number;
  /** Predicted drop per mL/h of a rate held from now on, step by step over the horizon. */
  forced: Float64Array;
}

export interface AdaptiveState {
  /** The candidate models (shared, never changed after start). */
  bank: readonly Candidate[];
  /** Per candidate, by index: the predicted drug effect, the baseline estimate and its variance, the log-likelihood. */
  dropMmHg: Float64Array;
  baselineMmHg: Float64Array;
  baselineVar: Float64Array;
  logLik: Float64Array;
  /** Rates that reached the patient's side of the line in past steps, newest last, as long as the longest delay needs. */
  history: number[];
  lastUpdateMs: number | null;
  outputMlPerH: number;
  /** The prior's share within a factor 1.5 of its own centre: the zero of confidence. */
  priorShare: number;
  /** The last decision, for decisions that fall between model updates. */
  last: { reason: string; confidence: number; gain: number; delayS: number } | null;
}

export function adaptiveController(raw: AdaptiveSettings): BpController<AdaptiveState> {
  const s = adaptiveSettingsSchema.parse(raw);
  if (s.drugEffect === 'raises') throw new Error('the adaptive controller models a vasodilator (the Slate structure) only; use the pid controller for a vasopressor');
  return { name: 'adaptive', settings: s, start: (rate) => adaptiveStart(s, rate), step: (state, obs, now) => adaptiveStep(s, state, obs, now) };
}

function gains(s: Settings): number[] {
  const { minMmHgPerMlPerH: lo, maxMmHgPerMlPerH: hi, count } = s.gainGrid;
  return Array.from({ length: count }, (_, i) => lo * Math.pow(hi / lo, i / (count - 1)));
}

export function adaptiveStart(s: Settings, runningRateMlPerH: number): AdaptiveState {
  const decay = Math.exp(-s.periodS / s.timeConstantS);
  const shapes: Omit<Candidate, 'forced'>[] = [];
  for (const gain of gains(s)) {
    for (const delayS of s.delaysS) {
      for (const recirculation of s.recirculationFractions) {
        shapes.push({
          gain, logGain: Math.log(gain), delayS, recirculation,
          delaySteps: Math.round(delayS / s.periodS),
          recircSteps: Math.round((delayS + s.recirculationDelayS) / s.periodS),
        });
      }
    }
  }
  const longest = Math.max(...shapes.map((c) => c.recircSteps)) + 1;
  const horizon = longest + Math.ceil((4 * s.timeConstantS) / s.periodS);
  const lineDecay = s.lineTimeConstantS > 0 ? Math.exp(-s.periodS / s.lineTimeConstantS) : 0;
  const bank = shapes.map((c) => ({ ...c, forced: forcedResponse(c, horizon, decay, lineDecay) }));
  const n = bank.length;
  // Bumpless: a rate already running is taken as having run long enough to reach its steady state in
  // every candidate; each candidate's baseline then starts from the first observation.
  const history = new Array<number>(longest).fill(runningRateMlPerH);
  const dropMmHg = Float64Array.from(bank, (c) => c.gain * runningRateMlPerH * (1 + c.recirculation));
  const centre = bank.reduce((a, c) => a + c.logGain, 0) / n;
  const priorShare = bank.filter((c) => Math.abs(c.logGain - centre) < Math.log(1.5)).length / n;
  return {
    bank, dropMmHg, baselineMmHg: new Float64Array(n).fill(NaN), baselineVar: new Float64Array(n), logLik: new Float64Array(n),
    history, lastUpdateMs: null, outputMlPerH: runningRateMlPerH, priorShare, last: null,
  };
}

/** Weights of the candidates from their log-likelihoods, floored and normalised. */
function weights(s: Settings, logLik: Float64Array): Float64Array {
  let top = -Infinity;
  for (const l of logLik) top = Math.max(top, l);
  const w = new Float64Array(logLik.length);
  let sum = 0;
  for (let i = 0; i < w.length; i++) sum += w[i] = Math.exp(logLik[i] - top);
  let total = 0;
  for (let i = 0; i < w.length; i++) total += w[i] = Math.max(s.weightFloor, w[i] / sum);
  for (let i = 0; i < w.length; i++) w[i] /= total;
  return w;
}

export function adaptiveStep(s: Settings, state: AdaptiveState, obs: BpObservation, nowMs: number): ControllerDecision<AdaptiveState> {
  const hold = (why: string): ControllerDecision<AdaptiveState> => ({
    rateMlPerH: state.outputMlPerH, reason: `${why}: holding ${f1(state.outputMlPerH)} mL/h`,
    confidence: state.last?.confidence ?? 0,
    identified: state.last ? { gainMmHgPerMlPerH: state.last.gain, delayS: state.last.delayS } : undefined,
    state,
  });
  if (state.lastUpdateMs !== null && nowMs - state.lastUpdateMs < s.periodS * 1000 * 0.9) return hold('between model updates');
  if (obs.cleanBeats === 0) return hold(obs.flaggedBeats > 0 ? `only flagged beats (quality ${obs.quality})` : 'no beats');

  // 1. Every candidate predicts this period's pressure from the rates that were commanded; its baseline
  // filter scores the prediction.
  const lineDecay = s.lineTimeConstantS > 0 ? Math.exp(-s.periodS / s.lineTimeConstantS) : 0;
  const lineOut = lineDecay * state.history[state.history.length - 1] + (1 - lineDecay) * obs.infusedMlPerH;
  const history = [...state.history.slice(1), lineOut];
  const n = history.length;
  const decay = Math.exp(-s.periodS / s.timeConstantS);
  const r = s.observationSdMmHg ** 2;
  const q = s.baselineStepSdMmHg ** 2;
  const bank = state.bank;
  const dropMmHg = state.dropMmHg.slice();
  const baselineMmHg = state.baselineMmHg.slice();
  const baselineVar = state.baselineVar.slice();
  const logLik = state.logLik.slice();
  for (let i = 0; i < bank.length; i++) {
    const c = bank[i];
    const u = history[n - 1 - c.delaySteps] + c.recirculation * history[n - 1 - c.recircSteps];
    const drop = decay * dropMmHg[i] + (1 - decay) * c.gain * u;
    dropMmHg[i] = drop;
    if (Number.isNaN(baselineMmHg[i])) {
      // First observation: it sets the baseline and scores nothing.
      baselineMmHg[i] = obs.meanMmHg + drop;
      baselineVar[i] = r;
      continue;
    }
    const priorVar = baselineVar[i] + q;
    const innovation = obs.meanMmHg - (baselineMmHg[i] - drop);
    const innovationVar = priorVar + r;
    const k = priorVar / innovationVar;
    baselineMmHg[i] += k * innovation;
    baselineVar[i] = (1 - k) * priorVar;
    logLik[i] = s.forgetting * logLik[i] - 0.5 * (innovation * innovation / innovationVar + Math.log(innovationVar));
  }

  // 2. The estimate, its spread and the confidence in it.
  const w = weights(s, logLik);
  let meanLogGain = 0;
  let meanDelay = 0;
  for (let i = 0; i < bank.length; i++) {
    meanLogGain += w[i] * bank[i].logGain;
    meanDelay += w[i] * bank[i].delayS;
  }
  let share = 0;
  let baseline = 0;
  for (let i = 0; i < bank.length; i++) {
    if (Math.abs(bank[i].logGain - meanLogGain) < Math.log(1.5)) share += w[i];
    baseline += w[i] * baselineMmHg[i];
  }
  const gain = Math.exp(meanLogGain);
  // Confidence: how far the posterior has narrowed from the prior (0 before any evidence, 1 when all
  // weight lies within a factor 1.5 of the estimate).
  const confidence = Math.max(0, (share - state.priorShare) / (1 - state.priorShare));

  // 3. For each candidate, the highest constant rate from now on that brings its predicted pressure to
  // the target, counting the drug already on its way (committed by past rates). The commanded rate is a
  // low weighted quantile of these: one that most credible candidates say will not overshoot. The lower
  // the confidence, the lower the quantile, so the first doses are safe for the most sensitive patients
  // the bank still believes in (the transport delay hides the answer for up to a minute).
  // What leaves the line from now on with no new drug: the recorded past, then the line draining.
  const horizon = bank[0].forced.length;
  const drained = new Float64Array(n + horizon);
  drained.set(history);
  for (let j = n; j < drained.length; j++) drained[j] = drained[j - 1] * lineDecay;
  const rates = new Float64Array(bank.length);
  const order: number[] = new Array(bank.length);
  for (let i = 0; i < bank.length; i++) {
    rates[i] = safeRate(s, bank[i], dropMmHg[i], baselineMmHg[i], drained, n - 1, decay);
    order[i] = i;
  }
  order.sort((a, b) => rates[a] - rates[b]);
  const quantile = s.quantileAtNoConfidence + (s.quantileAtFullConfidence - s.quantileAtNoConfidence) * confidence;
  let acc = 0;
  let raw = rates[order[order.length - 1]];
  for (const i of order) {
    acc += w[i];
    if (acc >= quantile) {
      raw = rates[i];
      break;
    }
  }
  const rate = Math.min(s.maxRateMlPerH, Math.max(s.minRateMlPerH, raw));
  const reason = `MAP ${f1(obs.meanMmHg)} vs ${f1(s.targetMmHg)}; patient: ${gain.toFixed(2)} mmHg per mL/h, delay ${meanDelay.toFixed(0)} s, baseline ${f1(baseline)}` +
    ` (confidence ${(confidence * 100).toFixed(0)}%); highest rate that keeps ${((1 - quantile) * 100).toFixed(0)}% of candidates above the target: ${f1(rate)} mL/h` +
    (rate !== raw ? ` (limited from ${f1(raw)})` : '');
  // Keep the likelihoods from growing without bound: only their differences matter.
  let top = -Infinity;
  for (const l of logLik) top = Math.max(top, l);
  for (let i = 0; i < logLik.length; i++) logLik[i] -= top;
  return {
    rateMlPerH: rate, reason, confidence,
    identified: { gainMmHgPerMlPerH: gain, delayS: meanDelay },
    state: {
      bank, dropMmHg, baselineMmHg, baselineVar, logLik, history, lastUpdateMs: nowMs, outputMlPerH: rate, priorShare: state.priorShare,
      last: { reason, confidence, gain, delayS: meanDelay },
    },
  };
}

/** A candidate's drop per mL/h of a rate started now, at each step of the horizon (through the line first). */
function forcedResponse(c: Omit<Candidate, 'forced'>, horizon: number, decay: number, lineDecay: number): Float64Array {
  const out = new Float64Array(horizon);
  let drop = 0;
  const through = (j: number) => (j > 0 ? 1 - Math.pow(lineDecay, j) : 0);
  for (let k = 1; k <= horizon; k++) {
    const u = through(k - c.delaySteps) + c.recirculation * through(k - c.recircSteps);
    drop = decay * drop + (1 - decay) * c.gain * u;
    out[k - 1] = drop;
  }
  return out;
}

// No closures in the loops below: the build's keepNames helper would wrap each one on every pass.

/**
 * The highest constant rate from now on that brings candidate c's predicted pressure to the target at
 * the end of the horizon without dipping more than the margin below it on the way. The predicted drop is
 * linear in that rate: free (from the drug already committed) plus forced (per mL/h of the new rate), so
 * each future step bounds the rate directly.
 */
function safeRate(s: Settings, c: Candidate, dropMmHg: number, baselineMmHg: number, drained: Float64Array, last: number, decay: number): number {
  const allowed = baselineMmHg - s.targetMmHg;
  const margin = s.dipMarginMmHg;
  const forcedDrop = c.forced;
  const horizon = forcedDrop.length;
  const gainIn = (1 - decay) * c.gain;
  const recirculation = c.recirculation;
  const a0 = last - c.delaySteps;
  const b0 = last - c.recircSteps;
  let free = dropMmHg;
  let best = Infinity;
  for (let k = 1; k <= horizon; k++) {
    // Past rates still on their way and what drains from the line; new ones are the forced response.
    free = decay * free + gainIn * (drained[a0 + k] + recirculation * drained[b0 + k]);
    // On the way, a dip of up to the margin below the target is tolerated; none at the end.
    const room = allowed + (k < horizon ? margin : 0) - free;
    const forced = forcedDrop[k - 1];
    if (forced > 1e-9) {
      const r = room / forced;
      if (r < best) best = r;
    } else if (room < 0) {
      best = 0;
    }
  }
  return best > 0 && best !== Infinity ? best : 0;
}
