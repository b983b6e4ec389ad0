// One aDBS run at MIL: a Pavlides patient, the neurostimulator as an ideal model (its firmware cores in
// Node), and a policy deciding from the beta the device reports, all on one time base stepped every 10 ms.
// The policy sees only BetaPower-like reports; the patient gets the amplitude the device delivers. With no
// policy the patient is left unstimulated (the reference, and the calibration of the policies' baseline).
import type { NeurostimBoardConfig } from '../../firmware/src/board-config.ts';
import type { BetaObservation, DbsPolicy } from '../../host/control/dbs/dbs-policy.ts';
import { MilNeurostimulator } from '../sim/nodes/mil-neurostimulator.ts';
import type { Curve, PavlidesParameters } from '../sim/patients/pavlides-patient.ts';
import { PavlidesPatient } from '../sim/patients/pavlides-patient.ts';
import { percentile } from '../reports/beta-bursts.ts';

// The same time base as the loop's plant (hil/sim/engine/dbs-plant.ts).
export { DBS_LFP_RATE_HZ as LFP_RATE_HZ, DBS_STEP_MS as STEP_MS } from '../sim/engine/dbs-plant.ts';
import { DBS_LFP_RATE_HZ as LFP_RATE_HZ, DBS_STEP_MS as STEP_MS } from '../sim/engine/dbs-plant.ts';

export interface DbsMilOptions {
  params: PavlidesParameters;
  entrainment: Curve;
  seed: number;
  device: NeurostimBoardConfig;
  /** null: no stimulation at all (the reference). */
  policy: DbsPolicy<unknown> | null;
  durationS: number;
  /** The patient's beta off stimulation as the device reports it (median), for the policy's thresholds. */
  baselineBetaUv2?: number;
  /** Lease on each amplitude command. */
  leaseMs?: number;
  /** Changes to the patient over time (levodopa, movement), called every step. */
  scenario?: (tMs: number, patient: PavlidesPatient) => void;
}

export interface DbsMilRun {
  /** Ground truth, 1 kHz. */
  lfpUv: Float32Array;
  /** Delivered amplitude every STEP_MS. */
  ampMa: Float32Array;
  betaReports: { tMs: number; betaPowerUv2: number }[];
  decisions: { tMs: number; amplitudeMa: number; reason: string }[];
  /** Median of the device's beta reports. */
  medianBetaUv2: number;
  wallMs: number;
}

export function runDbsMil(o: DbsMilOptions): DbsMilRun {
  const started = performance.now();
  const steps = Math.round((o.durationS * 1000) / STEP_MS);
  const lfpUv = new Float32Array(o.durationS * LFP_RATE_HZ);
  let n = 0;
  const patient = new PavlidesPatient(o.params, o.entrainment, {
    seed: o.seed, outputRateHz: LFP_RATE_HZ, onSample: (_t, v) => {
      if (n < lfpUv.length) lfpUv[n++] = v;
    },
  });
  const device = new MilNeurostimulator(o.device);
  const ampMa = new Float32Array(steps);
  const betaReports: DbsMilRun['betaReports'] = [];
  const decisions: DbsMilRun['decisions'] = [];
  const report = o.device.beta.reportEveryMs;
  const tick = o.device.controlTickMs;
  const decide = o.policy ? (o.policy.settings as { decisionEveryMs: number }).decisionEveryMs : Infinity;
  if (report % STEP_MS || tick % STEP_MS || (o.policy && decide % STEP_MS)) throw new Error(`report, tick and decision periods must be multiples of ${STEP_MS} ms`);
  let state = o.policy ? o.policy.start(0, o.baselineBetaUv2 ?? NaN) : null;
  let sum = 0;
  let count = 0;
  let lastReportMs = 0;
  for (let k = 1; k <= steps; k++) {
    const t = k * STEP_MS;
    if (o.scenario) o.scenario(t, patient);
    patient.advanceTo(t);
    device.tMs = t;
    if (t % tick === 0) {
      device.core.tick();
      if (o.policy) patient.stimulationMa = device.deliveredMa;
    }
    if (t % report === 0) {
      const p = device.sense((x) => patient.lfpUvAt(x));
      if (p !== null) {
        betaReports.push({ tMs: t, betaPowerUv2: p });
        sum += p;
        count++;
        lastReportMs = t;
      }
    }
    if (o.policy && t % decide === 0) {
      const obs: BetaObservation = { tMs: lastReportMs, betaPowerUv2: count ? sum / count : NaN, reports: count };
      const d = o.policy.step(state, obs, t);
      state = d.state;
      decisions.push({ tMs: t, amplitudeMa: d.amplitudeMa, reason: d.reason });
      device.core.setAmplitude(Math.round(d.amplitudeMa * 1000) / 1000, o.leaseMs ?? 2000, t);
      sum = 0;
      count = 0;
    }
    ampMa[k - 1] = patient.stimulationMa;
  }
  const betas = betaReports.map((b) => b.betaPowerUv2);
  return {
    lfpUv, ampMa, betaReports, decisions, medianBetaUv2: betas.length ? percentile(betas, 0.5) : NaN, wallMs: performance.now() - started,
  };
}

/** The limits a policy is checked against, from the stimulator's board section. */
export function deviceLimits(cfg: NeurostimBoardConfig) {
  const l = cfg.limits;
  return { windowMinMa: l.windowMinMa, windowMaxMa: l.windowMaxMa, rampUpMaPerS: l.rampUpMaPerS, rampDownMaPerS: l.rampDownMaPerS, reportEveryMs: cfg.beta.reportEveryMs };
}

/**
 * The policy open loop: its decisions on beta reports recorded without stimulation (the patient does not
 * respond). Returns the amplitudes it would have asked for, one per decision.
 */
export function openLoopAmplitudes(policy: DbsPolicy<unknown>, reports: DbsMilRun['betaReports'], durationS: number, baselineBetaUv2: number): number[] {
  const every = (policy.settings as { decisionEveryMs: number }).decisionEveryMs;
  let state = policy.start(0, baselineBetaUv2);
  const out: number[] = [];
  let i = 0;
  for (let t = every; t <= durationS * 1000; t += every) {
    let sum = 0;
    let count = 0;
    let last = 0;
    for (; i < reports.length && reports[i].tMs <= t; i++) {
      sum += reports[i].betaPowerUv2;
      count++;
      last = reports[i].tMs;
    }
    const d = policy.step(state, { tMs: last, betaPowerUv2: count ? sum / count : NaN, reports: count }, t);
    state = d.state;
    out.push(d.amplitudeMa);
  }
  return out;
}
