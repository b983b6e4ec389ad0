// The aDBS plant: a Pavlides patient steered by an aDBS scenario, its local field potential on the
// neurostimulator's LFP pin (the bundle samples it with its buffered ADC and computes beta itself), and the
// amplitude the board's output stage delivers fed back to the patient every 10 ms. The same patient and
// scenario sit behind the MIL rig's ideal stimulator (hil/rigs/mil-dbs.ts). Ground truth (the LFP at 1 kHz
// and the delivered amplitude) is kept for the metrics only.
import type { NeurostimBoardConfig } from '../../../firmware/src/board-config.ts';
import type { Clock } from '../../../protocols/clock/clock.ts';
import { boardById } from '../../emulator/emulated-node.ts';
import type { CohortPatient } from '../cohorts/cohort.ts';
import { attachLfp, deliveredMa } from '../nodes/neurostim-front-end.ts';
import { loadPavlidesParams, patientParameters } from '../patients/pavlides-params.ts';
import { PavlidesPatient } from '../patients/pavlides-patient.ts';
import type { DbsScenario } from '../scenarios/dbs-scenario.ts';
import { scenarioParameters, scenarioSteering } from '../scenarios/dbs-scenario.ts';
import { Plant } from './plant.ts';

/** The patient's stimulation input and the amplitude trace are updated this often. */
export const DBS_STEP_MS = 10;
/** The ground-truth LFP's rate. */
export const DBS_LFP_RATE_HZ = 1000;

/** What a run's plant is made of (data, so it can cross into another process). */
export interface DbsPlan {
  scenario: DbsScenario;
  patient: CohortPatient;
  seed: number;
  board: string;
  /** false: the lead delivers nothing (the unstimulated reference, and the calibration of the policy's baseline). */
  stimulate: boolean;
}

/** The patient in its scenario, and the ground truth the metrics read. */
export interface DbsWorld {
  patient: PavlidesPatient;
  peakHz: number;
  /** The patient's LFP, µV, every 1/DBS_LFP_RATE_HZ s from time 0. */
  lfpUv: number[];
  /** The amplitude that reached the patient, mA, every DBS_STEP_MS. */
  ampMa: number[];
  /** The LFP at a time (the patient is advanced to it first): what a sensing amplifier sees. */
  lfpUvAt(tMs: number): number;
  /** Brings the record up to now (the patient advances lazily, as its LFP is read). */
  finish(nowMs: number): void;
}

/** What the metrics read of a run: the patient's peak, its LFP and the amplitude that reached it. */
export type DbsRecord = Pick<DbsWorld, 'peakHz' | 'lfpUv' | 'ampMa' | 'finish'>;

/** The part of the traces recorded since the last drain. */
export interface DbsTrace {
  lfpUv: number[];
  ampMa: number[];
}

/** Drains a world's traces as they grow (the PIL plant sends them to the host this way). */
export function dbsTraceDrain(world: DbsWorld): () => DbsTrace {
  let lfpAt = 0;
  let ampAt = 0;
  return () => {
    const t = { lfpUv: world.lfpUv.slice(lfpAt), ampMa: world.ampMa.slice(ampAt) };
    lfpAt += t.lfpUv.length;
    ampAt += t.ampMa.length;
    return t;
  };
}

/**
 * The record of a plan's run in another process, put together from its drained traces, cut at the
 * scenario's duration as MIL and SIL runs are (the plant starts before the host's link comes up).
 */
export function dbsRemoteRecord(plan: DbsPlan): DbsRecord & { add(trace: DbsTrace): void } {
  const params = scenarioParameters(plan.scenario, patientParameters(loadPavlidesParams(), plan.patient.params));
  const lfpUv: number[] = [];
  const ampMa: number[] = [];
  const lfpN = plan.scenario.durationS * DBS_LFP_RATE_HZ;
  const ampN = (plan.scenario.durationS * 1000) / DBS_STEP_MS;
  return {
    peakHz: params.betaPeakHz, lfpUv, ampMa, finish: () => undefined,
    add: (t) => {
      for (const x of t.lfpUv) if (lfpUv.length < lfpN) lfpUv.push(x);
      for (const x of t.ampMa) if (ampMa.length < ampN) ampMa.push(x);
    },
  };
}

/** The patient, steered by the scenario, taking `delivered()` as its stimulation every DBS_STEP_MS. */
export function dbsWorld(plan: DbsPlan, clock: Pick<Clock, 'every'>, delivered: () => number): DbsWorld {
  const model = loadPavlidesParams();
  const params = scenarioParameters(plan.scenario, patientParameters(model, plan.patient.params));
  const lfpUv: number[] = [];
  const ampMa: number[] = [];
  const patient = new PavlidesPatient(params, model.entrainment, { seed: plan.seed, outputRateHz: DBS_LFP_RATE_HZ, onSample: (_t, v) => lfpUv.push(v) });
  const steer = scenarioSteering(plan.scenario);
  let tMs = 0;
  clock.every(DBS_STEP_MS, () => {
    tMs += DBS_STEP_MS;
    // The patient lives up to now under the old amplitude first. Left to advance only when the stimulator
    // reads its LFP (every 50 ms report), it put each change at the next read: the stimulation artifact
    // then stepped at 20 Hz, inside the beta band, and beta measured on adaptive runs rose above the
    // unstimulated patient's.
    patient.advanceTo(tMs);
    steer(tMs, patient);
    patient.stimulationMa = plan.stimulate ? delivered() : 0;
    ampMa.push(patient.stimulationMa);
  });
  const lfpUvAt = (t: number) => {
    patient.advanceTo(t);
    return patient.lfpUvAt(t);
  };
  return { patient, peakHz: params.betaPeakHz, lfpUv, ampMa, lfpUvAt, finish: (now) => patient.advanceTo(now) };
}

export interface DbsPlant {
  plant: Plant;
  world: DbsWorld;
  config: NeurostimBoardConfig;
}

/** The neurostimulator's bundle on its board in the emulator, its lead in the patient. */
export async function dbsPlant(plan: DbsPlan, plant = new Plant()): Promise<DbsPlant> {
  const board = boardById(plan.board);
  const config = board.nodes.neurostimulator as NeurostimBoardConfig | undefined;
  if (!config) throw new Error(`the ${plan.board} board has no neurostimulator section: give a board that has one (pico)`);
  const emulated = await plant.addBoard('neurostimulator', board);
  const world = dbsWorld(plan, plant.clock, () => deliveredMa(emulated, config));
  attachLfp(emulated, config, world.lfpUvAt);
  plant.attach('neurostimulator', { truth: () => ({ deliveredMa: deliveredMa(emulated, config) }) });
  plant.addTruth(() => {
    const t = world.patient.truth();
    return { entrainedShare: t.entrainedShare, medication: t.medication, movement: t.movement };
  });
  return { plant, world, config };
}
