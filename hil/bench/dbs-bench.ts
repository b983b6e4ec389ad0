// Adaptive-DBS figures for `npm run bench` (issue 13 goals in brackets): the Pavlides patient model's speed
// and accuracy for each integration scheme (simulated s per wall s; the chosen one well above the 50x the
// whole loop needs), the MIL loop's speed; each policy on held-out patients of the dbs cohort at rest and
// through a levodopa dose: beta suppression against no stimulation and against continuous DBS, TEED
// relative to continuous [an adaptive policy within 0.10 of continuous suppression at <= 50% of its TEED],
// duty, long bursts, latency; the neurostimulator bundle's memory on every board; and on the real
// interpreter the on-device beta estimator's cost per sample, FFT against biquad.
import { performance } from 'node:perf_hooks';
import type { NeurostimBoardConfig } from '../../firmware/src/board-config.ts';
import { loadBoards } from '../../firmware/build/boards.ts';
import { buildNode } from '../../firmware/build/firmware-build.ts';
import { measureFit } from '../espruino/measure-fit.ts';
import type { PolicyFile } from '../../host/control/dbs/policy-file.ts';
import { loadPolicyFile, policyFrom, SHIPPED_POLICIES, shippedPolicyPath } from '../../host/control/dbs/policy-file.ts';
import { MsgId } from '../../protocols/generated/wire-codec.ts';
import { emulatedNode } from '../emulator/emulated-node.ts';
import { benchOnEspruino } from '../espruino/bench-on-espruino.ts';
import { attachLfp, deliveredMa } from '../sim/nodes/neurostim-front-end.ts';
import type { DbsFigures } from '../reports/dbs-metrics.ts';
import { dbsFigures, dbsReferences, duty } from '../reports/dbs-metrics.ts';
import { deviceLimits, LFP_RATE_HZ, openLoopAmplitudes, runDbsMil, STEP_MS } from '../runner/dbs-mil-run.ts';
import type { DbsMilOptions } from '../runner/dbs-mil-run.ts';
import { loadDbsCohort } from '../sim/cohorts/cohort.ts';
import { loadDbsScenario } from '../sim/scenarios/dbs-scenario.ts';
import { readConfigFile } from '../../host/config/config-file.ts';
import { stimSupervisorConfigSchema } from '../../host/safety/stim-supervisor.ts';
import type { DbsRunSetup } from '../runner/dbs-run.ts';
import { neurostimConfig, runArm, runReference, stimDevice } from '../runner/dbs-run.ts';
import { loadPavlidesParams, patientParameters } from '../sim/patients/pavlides-params.ts';
import type { IntegrationScheme, PavlidesParameters } from '../sim/patients/pavlides-patient.ts';
import { PavlidesPatient } from '../sim/patients/pavlides-patient.ts';

const model = loadPavlidesParams();
const round = (x: number, digits = 3) => Number(x.toFixed(digits));

/** LFP of a run, 2 kHz. */
function lfp(p: PavlidesParameters, scheme: IntegrationScheme, durationS: number, seed = 1): { x: number[]; wallS: number } {
  const x: number[] = [];
  const pt = new PavlidesPatient(p, model.entrainment, { seed, outputRateHz: 2000, scheme, settleS: 0, onSample: (_t, v) => x.push(v) });
  const t0 = performance.now();
  pt.advanceTo(durationS * 1000);
  return { x, wallS: (performance.now() - t0) / 1000 };
}

const p2p = (x: number[]) => Math.max(...x) - Math.min(...x);
function upCrossingHz(x: number[], rateHz: number): number {
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  const ups: number[] = [];
  for (let i = 1; i < x.length; i++) if (x[i - 1] < mean && x[i] >= mean) ups.push(i - 1 + (mean - x[i - 1]) / (x[i] - x[i - 1]));
  return ((ups.length - 1) * rateHz) / (ups[ups.length - 1] - ups[0]);
}

/**
 * Each scheme against a fine Euler reference (0.005 ms): the published limit cycle's amplitude and
 * frequency, the ring-down rate at this project's operating point (how close to onset it sits, which sets
 * the bursts), and the speed with noise at 13 and 30 Hz (median of three runs of 20 s).
 */
function integration() {
  const quiet = { ...model.nominal, driveNoiseSpikesPerS: 0, recordingNoiseUv: 0, lfpUvPerSpikePerS: 1, lfpHighPassS: 1000, betaPeakHz: model.nominal.nativePeakHz };
  const measure = (scheme: IntegrationScheme, stepMs: number) => {
    const cycle = lfp({ ...quiet, integrationStepMs: stepMs, corticalDriveSpikesPerS: 172.18 }, scheme, 8).x.slice(4 * 2000);
    const ring = lfp({ ...quiet, integrationStepMs: stepMs }, scheme, 6).x;
    const decayPerS = Math.log(p2p(ring.slice(5 * 2000, 5.5 * 2000)) / p2p(ring.slice(2 * 2000, 2.5 * 2000))) / 3;
    const speed = (hz: number) => {
      const runs = [0, 1, 2].map(() => 20 / lfp({ ...model.nominal, integrationStepMs: stepMs, betaPeakHz: hz }, scheme, 20).wallS).sort((a, b) => a - b);
      return Math.round(runs[1]);
    };
    return { cycleP2p: p2p(cycle), cycleHz: upCrossingHz(cycle, 2000), decayPerS, at13Hz: speed(13), at30Hz: speed(30) };
  };
  const ref = measure('euler', 0.005);
  const rows = ([['euler', 0.05], ['euler', 0.1], ['rk4', 0.25], ['rk4', 0.5], ['exponential', 0.25], ['exponential', 0.5]] as [IntegrationScheme, number][])
    .map(([scheme, stepMs]) => {
      const m = measure(scheme, stepMs);
      return {
        scheme, stepMs, chosen: scheme === 'exponential' && stepMs === model.nominal.integrationStepMs,
        cycleAmplitudeErrorPct: round((100 * (m.cycleP2p - ref.cycleP2p)) / ref.cycleP2p, 2),
        cycleFrequencyErrorPct: round((100 * (m.cycleHz - ref.cycleHz)) / ref.cycleHz, 3),
        ringDownErrorPct: round((100 * (m.decayPerS - ref.decayPerS)) / ref.decayPerS, 2),
        simulatedSecondsPerWallSecond: { at13Hz: m.at13Hz, at30Hz: m.at30Hz },
      };
    });
  return { reference: { scheme: 'euler', stepMs: 0.005, cycleP2pSpikesPerS: round(ref.cycleP2p, 2), cycleHz: round(ref.cycleHz, 3), ringDownPerS: round(ref.decayPerS, 3) }, schemes: rows };
}

interface PolicyFigures extends DbsFigures {
  openLoopDuty: number;
}

const SKIP_S = 5;

/** Every shipped policy, with the no-stimulation and continuous references, on one patient in one scenario. */
function onePatient(base: Omit<DbsMilOptions, 'policy'>, files: PolicyFile[]) {
  const off = runDbsMil({ ...base, policy: null });
  const runs = files.map((f) => ({ f, r: runDbsMil({ ...base, policy: policyFrom(f), baselineBetaUv2: off.medianBetaUv2 }) }));
  const cont = runs.find((x) => x.f.kind === 'continuous')!;
  const basis = { peakHz: base.params.betaPeakHz, skipS: SKIP_S, lfpRateHz: LFP_RATE_HZ, ampStepMs: STEP_MS, floorMa: 0 };
  const ref = dbsReferences(off, cont.r, basis);
  const out: Record<string, PolicyFigures> = {};
  for (const { f, r } of runs) {
    out[f.kind] = {
      ...dbsFigures(r, ref, { ...basis, floorMa: f.windowMinMa }),
      openLoopDuty: duty(Float32Array.from(openLoopAmplitudes(policyFrom(f), off.betaReports, base.durationS, off.medianBetaUv2)), f.windowMinMa),
    };
  }
  const simulatedS = base.durationS * (files.length + 1);
  const wallS = (off.wallMs + runs.reduce((a, x) => a + x.r.wallMs, 0)) / 1000;
  return { policies: out, offLongBurstShare: ref.offLongBurstShare, simulatedS, wallS };
}

function policies(device: NeurostimBoardConfig, patientsN: number) {
  const cohortPath = new URL('../sim/cohorts/dbs.cohort.json', import.meta.url).pathname;
  const heldOut = loadDbsCohort(cohortPath).patients.filter((p) => p.split === 'held-out').slice(0, patientsN);
  const files = SHIPPED_POLICIES.map((n) => loadPolicyFile(shippedPolicyPath(n), deviceLimits(device)));
  const scenarios: Record<string, { durationS: number; over?: Partial<PavlidesParameters>; scenario?: DbsMilOptions['scenario'] }> = {
    rest: { durationS: 60 },
    // A levodopa dose 40 s in, its effect reached over about 20 s (accelerated from tens of minutes).
    levodopa: { durationS: 120, over: { medicationTimeConstantS: 20 }, scenario: (t, p) => t === 40_000 && p.setMedication(1) },
  };
  const result: Record<string, unknown> = {};
  let simulatedS = 0;
  let wallS = 0;
  for (const [name, sc] of Object.entries(scenarios)) {
    const perPatient: Record<string, unknown> = {};
    const all: Record<string, PolicyFigures[]> = {};
    for (const p of heldOut) {
      const params = { ...patientParameters(model, p.params), ...sc.over };
      const r = onePatient({ params, entrainment: model.entrainment, seed: 100, device, durationS: sc.durationS, scenario: sc.scenario }, files);
      simulatedS += r.simulatedS;
      wallS += r.wallS;
      perPatient[p.id] = { subgroups: p.subgroups, betaPeakHz: round(params.betaPeakHz, 1), stimSensitivity: round(params.stimSensitivity, 2), offLongBurstShare: round(r.offLongBurstShare), ...roundAll(r.policies) };
      for (const [k, v] of Object.entries(r.policies)) (all[k] ??= []).push(v);
    }
    const mean = Object.fromEntries(Object.entries(all).map(([k, v]) => [k, roundAll({ x: average(v) }).x]));
    const goal = Object.entries(mean).filter(([k, m]) => k !== 'continuous' && (m.suppressionVsContinuous ?? -1) >= -0.1 && (m.teedRelative ?? 2) <= 0.5).map(([k]) => k);
    result[name] = { durationS: sc.durationS, patients: heldOut.length, mean, adaptivePoliciesMeetingGoal: goal, perPatient };
  }
  return { ...result, milLoopSimulatedSecondsPerWallSecond: Math.round(simulatedS / wallS) };
}

function average(v: PolicyFigures[]): PolicyFigures {
  const keys = Object.keys(v[0]) as (keyof PolicyFigures)[];
  return Object.fromEntries(keys.map((k) => {
    const xs = v.map((x) => x[k]).filter((x) => !Number.isNaN(x));
    return [k, xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN];
  })) as unknown as PolicyFigures;
}

function roundAll<T extends Record<string, PolicyFigures>>(o: T): Record<string, Record<string, number | null>> {
  return Object.fromEntries(Object.entries(o).map(([k, f]) => [k, Object.fromEntries(Object.entries(f).map(([m, x]) => [m, Number.isNaN(x) ? null : round(x)]))]));
}

/**
 * The neurostimulator bundle on every board. Boards with no neurostimulator section are measured with the
 * Pico's section at their smallest settings (250 Hz, 64-sample FFT), to show what they lack.
 */
async function bundles(pico: NeurostimBoardConfig) {
  const rows = [];
  for (const board of loadBoards()) {
    const configured = !!board.nodes.neurostimulator;
    const pins = Object.values(board.nodes).flatMap((n) => (n ? Object.values(n.pins) : []));
    const trial = configured ? board : {
      ...board,
      nodes: { ...board.nodes, neurostimulator: { ...pico, pins: { lfp: pins[0], amplitude: pins[1] }, sampleRateHz: 250, beta: { ...pico.beta, fftSize: 64, reportEveryMs: 40 } } },
    };
    const built = await buildNode('neurostimulator', trial);
    const fit = await measureFit(built.program.code, trial);
    rows.push({
      board: board.id, configured, bytes: built.bytes, variablesUsed: fit.usedVariables, budget: fit.budget, freePercent: fit.freePercent,
      fits30PercentFree: fit.fits, method: fit.method,
    });
  }
  return rows;
}

/**
 * The neurostimulator bundle in the board emulator sensing a patient (its amplitude output driving the
 * patient back), with a host session but no policy: the SIL plant the loop will add a policy to.
 */
async function bundleInEmulator() {
  const n = await emulatedNode('neurostimulator', 'pico');
  const cfg = n.boardConfig.nodes.neurostimulator as NeurostimBoardConfig;
  const patient = new PavlidesPatient(model.nominal, model.entrainment, { seed: 1, outputRateHz: 1000 });
  attachLfp(n.board, cfg, (tMs) => {
    patient.advanceTo(tMs);
    return patient.lfpUvAt(tMs);
  });
  n.clock.every(10, () => (patient.stimulationMa = deliveredMa(n.board, cfg)));
  const simulatedS = 120;
  const t0 = performance.now();
  n.clock.advance(simulatedS * 1000);
  const wallS = (performance.now() - t0) / 1000;
  return {
    simulatedS, wallS: round(wallS), simulatedSecondsPerWallSecond: Math.round(simulatedS / wallS),
    betaReports: n.received.filter((r) => r.id === MsgId.BetaPower).length, errors: n.board.errors.length,
  };
}

/**
 * The whole aDBS loop on one held-out patient at rest for a minute, dual threshold, at MIL and at SIL (the
 * bundle sensing the LFP through its pin, the host's loop shell, policy and supervisor over the link):
 * simulated seconds per wall second of the closed-loop run, its figures against the patient's references.
 */
export async function dbsLoopBench() {
  const cfg = neurostimConfig('pico');
  const supervisor = readConfigFile(new URL('../../host/safety/dbs.supervisor.json', import.meta.url).pathname, 'the aDBS supervisor', stimSupervisorConfigSchema);
  const patient = loadDbsCohort(new URL('../sim/cohorts/dbs.cohort.json', import.meta.url).pathname).patients.find((p) => p.split === 'held-out')!;
  const scenario = loadDbsScenario(new URL('../sim/scenarios/rest.scenario.json', import.meta.url).pathname);
  const dual = loadPolicyFile(shippedPolicyPath('dual-threshold'), deviceLimits(cfg));
  const out: Record<string, unknown> = {};
  for (const level of ['mil', 'sil'] as const) {
    const setup: DbsRunSetup = { scenario, files: { supervisor, advisory: null, drift: null, device: stimDevice(cfg) }, seed: 1, board: 'pico', level, recordDir: null };
    const off = await runReference(setup, patient);
    const run = await runArm(setup, patient, dual, off.baselineBetaUv2);
    out[level] = { patient: patient.id, simulatedS: run.simulatedS, wallS: round(run.wallMs / 1000), simulatedSecondsPerWallSecond: Math.round(run.simulatedS / (run.wallMs / 1000)), decisions: run.decisions.length, error: run.error };
  }
  return out;
}

export async function dbsBench() {
  const pico = loadBoards().find((b) => b.id === 'pico')!.nodes.neurostimulator!;
  return {
    model: integration(),
    neurostimulatorWithPatientInEmulator: await bundleInEmulator(),
    loop: await dbsLoopBench(),
    policies: policies(pico, Number(process.env.DBS_BENCH_PATIENTS ?? 5)),
    neurostimulatorBundles: await bundles(pico),
    betaEstimatorOnInterpreter: await benchOnEspruino(new URL('../../firmware/bench/espruino-beta-bench.ts', import.meta.url), 'BETA-BENCH '),
  };
}
