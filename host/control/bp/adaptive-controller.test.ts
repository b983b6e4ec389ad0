// The adaptive controller in closed loop with a small Slate-structure patient written here (no firmware,
// no simulator: what the controller decides, and nothing else). Its decisions are held against a golden
// file made with the straightforward implementation the fast one replaced (every candidate's every
// step divided, an array sort; as of commit feaba0a): the fast one must decide exactly the same, number
// for number and word for word. The runs span the corners that take its less common paths: a patient
// whose lowest bound is not at the end of the horizon, an odd number of gains, no line lag, a margin of
// zero, flagged periods, a bumpless start from a running rate, a sensitivity rising fourfold.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../protocols/testing/seeded-random.ts';
import type { AdaptiveSettings } from './adaptive-controller.ts';
import { adaptiveController } from './adaptive-controller.ts';
import { loadControllerFile, shippedControllerPath } from './controller-file.ts';

const shipped = loadControllerFile(shippedControllerPath('adaptive')) as AdaptiveSettings;

/** The shipped settings as they were when the golden file was made (pinned: a retuned file must not change this test). */
const pinned: AdaptiveSettings = {
  targetMmHg: 85, minRateMlPerH: 0, maxRateMlPerH: 150,
  gainGrid: { minMmHgPerMlPerH: 0.25, maxMmHgPerMlPerH: 9.5, count: 16 },
  delaysS: [20, 35, 50, 65, 80, 100, 120], recirculationFractions: [0, 0.5, 1],
  timeConstantS: 40, recirculationDelayS: 45, lineTimeConstantS: 5, periodS: 5,
  observationSdMmHg: 2, baselineStepSdMmHg: 0.6, forgetting: 0.99, weightFloor: 0.0001, dipMarginMmHg: 5,
  quantileAtNoConfidence: 0.05, quantileAtFullConfidence: 0.5,
};

/** Another bank: an odd number of gains, no line lag, no dip allowed, fewer delays. */
const odd: AdaptiveSettings = {
  ...pinned, gainGrid: { minMmHgPerMlPerH: 0.3, maxMmHgPerMlPerH: 8, count: 7 }, delaysS: [25, 60, 95], recirculationFractions: [0.2, 0.8],
  lineTimeConstantS: 0, dipMarginMmHg: 0, forgetting: 0.97, weightFloor: 0.001,
};

interface Patient {
  gain: number;
  delayS: number;
  recircDelayS: number;
  recirc: number;
  tauS: number;
  baselineMmHg: number;
  /** Sensitivity multiplied by this from minute 10 on. */
  laterFactor?: number;
  /** A disturbance rising at this rate from minute 8 for 4 minutes (surgical stimulation), mmHg/min. */
  rampMmHgPerMin?: number;
  /** Slack in the syringe's drive: the first this much pushed reaches no one. */
  slackMl?: number;
}

/**
 * The Slate model (docs/clinical-basis.md#blood-pressure-under-a-vasodilator) at 1 s steps, fed the commanded rate; every 5 s the
 * controller sees the mean of five noisy beats, or (one period in 37) only flagged beats. Rate changes
 * are limited to 20 mL/h per decision, as the supervisor does, and the controller is told what ran.
 */
function closedLoop(settings: AdaptiveSettings, p: Patient, minutes: number, seed: number, startRateMlPerH = 0) {
  const controller = adaptiveController(settings);
  const random = seededRandom(seed);
  const noise = () => (random() + random() + random() - 1.5) * 3;
  let state = controller.start(startRateMlPerH);
  let rate = startRateMlPerH;
  const inputs: number[] = new Array(200).fill(startRateMlPerH);
  const decay = Math.exp(-1 / p.tauS);
  let drop = p.gain * startRateMlPerH * (1 + p.recirc);
  let slackMl = startRateMlPerH > 0 ? 0 : p.slackMl ?? 0;
  const decisions: { rate: number; reason: string; confidence: number; gain: number | null; mapMmHg: number }[] = [];
  let beats: number[] = [];
  for (let tS = 1; tS <= minutes * 60; tS++) {
    const taken = Math.min(slackMl, rate / 3600);
    slackMl -= taken;
    inputs.push(rate - taken * 3600);
    inputs.shift();
    const gain = p.gain * (p.laterFactor && tS >= 600 ? p.laterFactor : 1);
    const u = inputs[inputs.length - 1 - p.delayS] + p.recirc * inputs[inputs.length - 1 - p.delayS - p.recircDelayS];
    drop = decay * drop + (1 - decay) * gain * u;
    const ramp = p.rampMmHgPerMin ? p.rampMmHgPerMin * Math.min(4, Math.max(0, tS / 60 - 8)) : 0;
    beats.push(p.baselineMmHg + ramp - drop + noise());
    if (tS % 5 !== 0) continue;
    const flagged = tS % 185 === 0;
    const obs = {
      tMs: tS * 1000, meanMmHg: flagged ? NaN : beats.reduce((a, b) => a + b, 0) / beats.length,
      cleanBeats: flagged ? 0 : beats.length, flaggedBeats: flagged ? beats.length : 0, quality: flagged ? 4 : 0, infusedMlPerH: rate,
    };
    beats = [];
    const d = controller.step(state, obs, tS * 1000);
    state = d.state;
    rate = Math.min(d.rateMlPerH, rate + 20);
    decisions.push({ rate: d.rateMlPerH, reason: d.reason, confidence: d.confidence, gain: d.identified?.gainMmHgPerMlPerH ?? null, mapMmHg: p.baselineMmHg + ramp - drop });
  }
  return decisions;
}

const nominal: Patient = { gain: 0.72, delayS: 30, recircDelayS: 45, recirc: 0.4, tauS: 40, baselineMmHg: 110 };
const runs: { name: string; settings: AdaptiveSettings; patient: Patient; seed: number; start?: number }[] = [
  { name: 'nominal', settings: pinned, patient: nominal, seed: 1 },
  { name: 'most sensitive, longest delays', settings: pinned, patient: { gain: 9.5, delayS: 60, recircDelayS: 75, recirc: 1, tauS: 60, baselineMmHg: 125 }, seed: 2 },
  { name: 'least sensitive, long lag, from a running rate', settings: pinned, patient: { gain: 0.25, delayS: 45, recircDelayS: 60, recirc: 0.1, tauS: 60, baselineMmHg: 130 }, seed: 3, start: 40 },
  { name: 'sensitivity rising fourfold', settings: pinned, patient: { ...nominal, gain: 1.5, laterFactor: 4 }, seed: 4 },
  { name: 'another bank', settings: odd, patient: { ...nominal, gain: 3, delayS: 50 }, seed: 5 },
];

describe('adaptive controller', () => {
  it('decides exactly as the straightforward implementation did, number for number and word for word', async () => {
    const golden: Record<string, { rates: number[]; confidences: number[]; reasonsSha256: string; firstReasons: string[] }> = {};
    for (const r of runs) {
      const d = closedLoop(r.settings, r.patient, 20, r.seed, r.start);
      golden[r.name] = {
        rates: d.map((x) => x.rate),
        confidences: d.map((x) => x.confidence),
        reasonsSha256: createHash('sha256').update(d.map((x) => x.reason).join('\n')).digest('hex'),
        firstReasons: d.slice(0, 3).map((x) => x.reason),
      };
    }
    await expect(JSON.stringify(golden, null, 1)).toMatchFileSnapshot('./adaptive-controller.golden.json');
  });

  it('with the shipped settings, brings a nominal and the most sensitive long-delay patient to target and holds it there, never far below it', () => {
    const sensitive: Patient = { gain: 9.5, delayS: 60, recircDelayS: 75, recirc: 1, tauS: 60, baselineMmHg: 125, slackMl: 0.02 };
    for (const [name, p] of [['nominal', { ...nominal, slackMl: 0.02 }], ['most sensitive, longest delays', sensitive]] as const) {
      const d = closedLoop(shipped, p, 20, 7);
      const lastFive = d.slice(-60).map((x) => x.mapMmHg);
      expect(Math.min(...lastFive), `${name}: last five minutes`).toBeGreaterThan(82);
      expect(Math.max(...lastFive), `${name}: last five minutes`).toBeLessThan(88);
      expect(Math.min(...d.map((x) => x.mapMmHg)), `${name}: lowest`).toBeGreaterThan(75);
      // From 8 minutes on, within 5 mmHg of the target.
      for (const x of d.slice(96)) expect(Math.abs(x.mapMmHg - 85), `${name} after 8 min`).toBeLessThan(5);
    }
  });

  it('candidates with slower dynamics keep a slow, very sensitive patient from being overdosed', () => {
    const slow: Patient = { gain: 9.5, delayS: 60, recircDelayS: 75, recirc: 1, tauS: 60, baselineMmHg: 125, slackMl: 0.02 };
    const lowest = (s: AdaptiveSettings) => Math.min(...closedLoop(s, slow, 12, 7).map((x) => x.mapMmHg));
    const without = lowest({ ...shipped, slowDynamics: undefined });
    expect(lowest(shipped)).toBeGreaterThan(without + 3);
  });

  it('a baseline slope follows a disturbance that keeps rising, and keeps the pressure nearer the target through it', () => {
    const ramped: Patient = { ...nominal, delayS: 50, tauS: 55, rampMmHgPerMin: 2.5, slackMl: 0.02 };
    const flat = { ...shipped, baselineSlopeStepSdMmHgPerMin: 0 };
    let above = 0;
    let aboveFlat = 0;
    for (const seed of [1, 2, 3, 4, 5]) {
      // From minute 8, when the disturbance starts rising.
      const withSlope = closedLoop(shipped, ramped, 16, seed).slice(96).map((x) => x.mapMmHg);
      const without = closedLoop(flat, ramped, 16, seed).slice(96).map((x) => x.mapMmHg);
      expect(Math.max(...withSlope), `seed ${seed}: highest`).toBeLessThan(Math.max(...without) - 0.2);
      above += withSlope.filter((x) => x > 90).length;
      aboveFlat += without.filter((x) => x > 90).length;
    }
    expect(above).toBeLessThan(aboveFlat);
  });

  it('takes up a fresh syringe\'s slack in the first period that gives drug, counts none of it as drug, and none from a running rate', () => {
    const observe = (tS: number) => ({ tMs: tS * 1000, meanMmHg: 110, cleanBeats: 6, flaggedBeats: 0, quality: 0, infusedMlPerH: 0 });
    const c = adaptiveController(shipped);
    const first = c.step(c.start(0), observe(5), 5000);
    const slackRate = (0.02 * 3600) / 5;
    expect(first.reason).toMatch(/while the syringe's start-up slack is taken up/);
    const wanted = Number(/above the target: ([\d.]+) mL\/h/.exec(first.reason)![1]);
    expect(first.rateMlPerH).toBeCloseTo(wanted + slackRate, 0);
    // That rate ran for a period: the slack is gone, and what went into it was no drug.
    const second = c.step(first.state, { ...observe(10), infusedMlPerH: first.rateMlPerH }, 10_000);
    expect(second.reason).not.toMatch(/slack/);
    expect(second.state.slackLeftMl).toBe(0);
    const counted = c.step(c.start(0), observe(5), 5000).state.values;
    expect(second.state.values.at(-1)).toBeCloseTo((1 - Math.exp(-1)) * (first.rateMlPerH - slackRate), 6);
    expect(counted.length).toBe(second.state.values.length);
    // A rate already running has taken it up.
    expect(c.step(c.start(5), { ...observe(5), infusedMlPerH: 5 }, 5000).reason).not.toMatch(/slack/);
  });

  it('confidence on the steady gain is confidence on the gain when no candidate has recirculation, and differs when some do', () => {
    const p: Patient = { gain: 3, delayS: 30, recircDelayS: 45, recirc: 0.5, tauS: 35, baselineMmHg: 120 };
    const confidences = (s: AdaptiveSettings) => closedLoop({ ...s, startupSlackMl: 0 }, p, 4, 3).map((x) => x.confidence);
    const none = { ...shipped, recirculationFractions: [0] };
    expect(confidences({ ...none, confidenceOn: 'steady-gain' })).toEqual(confidences({ ...none, confidenceOn: 'gain' }));
    expect(confidences({ ...shipped, confidenceOn: 'steady-gain' })).not.toEqual(confidences({ ...shipped, confidenceOn: 'gain' }));
  });

  it('holds its rate on a period of flagged beats and says why', () => {
    const d = closedLoop(pinned, nominal, 4, 1);
    const i = 185 / 5 - 1;
    expect(d[i].reason).toMatch(/^only flagged beats \(quality 4\): holding/);
    expect(d[i].rate).toBe(d[i - 1].rate);
  });
});
