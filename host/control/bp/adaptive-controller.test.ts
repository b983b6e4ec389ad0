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
}

/**
 * The Slate model (clinical-models.md section 1) at 1 s steps, fed the commanded rate; every 5 s the
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
  const decisions: { rate: number; reason: string; confidence: number; gain: number | null; mapMmHg: number }[] = [];
  let beats: number[] = [];
  for (let tS = 1; tS <= minutes * 60; tS++) {
    inputs.push(rate);
    inputs.shift();
    const gain = p.gain * (p.laterFactor && tS >= 600 ? p.laterFactor : 1);
    const u = inputs[inputs.length - 1 - p.delayS] + p.recirc * inputs[inputs.length - 1 - p.delayS - p.recircDelayS];
    drop = decay * drop + (1 - decay) * gain * u;
    beats.push(p.baselineMmHg - drop + noise());
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
    decisions.push({ rate: d.rateMlPerH, reason: d.reason, confidence: d.confidence, gain: d.identified?.gainMmHgPerMlPerH ?? null, mapMmHg: p.baselineMmHg - drop });
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

  it('brings a nominal and the most sensitive long-delay patient to target and holds it there, never far below it', () => {
    for (const r of runs.slice(0, 2)) {
      const d = closedLoop(r.settings, r.patient, 20, r.seed);
      const lastFive = d.slice(-60).map((x) => x.mapMmHg);
      expect(Math.min(...lastFive), `${r.name}: last five minutes`).toBeGreaterThan(82);
      expect(Math.max(...lastFive), `${r.name}: last five minutes`).toBeLessThan(88);
      expect(Math.min(...d.map((x) => x.mapMmHg)), `${r.name}: lowest`).toBeGreaterThan(65);
    }
  });

  it('holds its rate on a period of flagged beats and says why', () => {
    const d = closedLoop(pinned, nominal, 4, 1);
    const i = 185 / 5 - 1;
    expect(d[i].reason).toMatch(/^only flagged beats \(quality 4\): holding/);
    expect(d[i].rate).toBe(d[i - 1].rate);
  });
});
