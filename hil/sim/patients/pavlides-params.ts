// The Pavlides model's parameter file, read and checked as physics: what each parameter must be on its own
// (patient-params.ts holds every value of its range to it: a time constant, delay or rate above 0, a share of
// the coupling within 0..1, a noise not negative), then what they must be together: each population's rate
// at zero input below its maximum, the integration step well under every delay and time constant, the beta
// band, and the entrainment curve a rising share. Errors name the file, the parameter and the limit.
import { fileURLToPath } from 'node:url';
import type { ParamsFile, Physics } from './patient-params.ts';
import { loadParams, nominal } from './patient-params.ts';
import type { Curve, PavlidesParameters } from './pavlides-patient.ts';

/** Every parameter the model reads, with what physics asks of it. */
export const PAVLIDES_PHYSICS: Record<keyof PavlidesParameters, Physics> = {
  tauStnMs: 'positive', tauGpeMs: 'positive', tauExcMs: 'positive', tauInhMs: 'positive',
  delayStnToGpeMs: 'positive', delayGpeToStnMs: 'positive', delayGpeToGpeMs: 'positive', delayCtxToStnMs: 'positive',
  delayStnToCtxMs: 'positive', delayCtxToCtxMs: 'positive',
  maxStnSpikesPerS: 'positive', maxGpeSpikesPerS: 'positive', maxExcSpikesPerS: 'positive', maxInhSpikesPerS: 'positive',
  baseStnSpikesPerS: 'positive', baseGpeSpikesPerS: 'positive', baseExcSpikesPerS: 'positive', baseInhSpikesPerS: 'positive',
  wGpeToStn: 'non-negative', wStnToGpe: 'non-negative', wGpeToGpe: 'non-negative', wCtxToStn: 'non-negative',
  wStnToCtx: 'non-negative', wCtxToCtx: 'non-negative',
  corticalDriveSpikesPerS: 'non-negative', striatalInputSpikesPerS: 'non-negative', loopCoupling: 'positive',
  driveNoiseSpikesPerS: 'non-negative', driveNoiseCorrelationMs: 'positive', nativePeakHz: 'positive', betaPeakHz: 'positive',
  lfpUvPerSpikePerS: 'positive', lfpHighPassS: 'positive', recordingNoiseUv: 'non-negative',
  medicationCouplingDrop: 'fraction', medicationTimeConstantS: 'positive', movementCouplingDrop: 'fraction',
  movementTimeConstantMs: 'positive', stimSensitivity: 'positive', stimOnsetMs: 'positive', stimOffsetMs: 'positive',
  stimArtifactUvPerMa: 'non-negative', stimArtifactDecayMs: 'positive', integrationStepMs: 'positive',
};

export const PAVLIDES_MODEL = 'pavlides-hogan-bogacz';

export const defaultPavlidesParamsPath = fileURLToPath(new URL('./pavlides-dbs.params.json', import.meta.url));

export interface PavlidesModel {
  file: ParamsFile;
  nominal: PavlidesParameters;
  entrainment: Curve;
}

/** Reads and checks a Pavlides params file. */
export function loadPavlidesParams(path = defaultPavlidesParamsPath): PavlidesModel {
  const file = loadParams(path, PAVLIDES_PHYSICS, PAVLIDES_MODEL);
  const problems = pavlidesProblems(file);
  if (problems.length > 0) throw new Error(`${path}: ${problems.join('; ')}`);
  const c = file.curves!.gpeEntrainment;
  return { file, nominal: nominal(file) as unknown as PavlidesParameters, entrainment: { x: c.x, y: c.y } };
}

/** What is physically wrong with a Pavlides params file, one sentence each; empty when nothing is. */
export function pavlidesProblems(file: ParamsFile): string[] {
  const out: string[] = [];
  const p = file.parameters;
  const range = (k: string) => p[k];
  for (const pop of ['Stn', 'Gpe', 'Exc', 'Inh']) {
    const base = range(`base${pop}SpikesPerS`);
    const max = range(`max${pop}SpikesPerS`);
    if (base.max >= max.min) out.push(`base${pop}SpikesPerS (up to ${base.max}) must stay below max${pop}SpikesPerS (from ${max.min}): the sigmoid needs B < M`);
  }
  const step = range('integrationStepMs').max;
  const shortest = ['delayStnToGpeMs', 'delayGpeToStnMs', 'delayGpeToGpeMs', 'delayCtxToStnMs', 'delayStnToCtxMs', 'delayCtxToCtxMs']
    .reduce((a, k) => (range(k).min < range(a).min ? k : a));
  if (step > range(shortest).min / 4) out.push(`integrationStepMs ${step} must be at most a quarter of the shortest delay (${shortest} ${range(shortest).min} ms)`);
  const fastest = ['tauStnMs', 'tauGpeMs', 'tauExcMs', 'tauInhMs'].reduce((a, k) => (range(k).min < range(a).min ? k : a));
  if (step > range(fastest).min / 10) out.push(`integrationStepMs ${step} must be at most a tenth of the fastest time constant (${fastest} ${range(fastest).min} ms)`);
  for (const k of ['medicationCouplingDrop', 'movementCouplingDrop']) {
    if (range(k).max >= 1) out.push(`${k} is the share of the coupling removed: under 1 leaves a loop, got up to ${range(k).max}`);
  }
  const beta = range('betaPeakHz');
  if (beta.min < 13 || beta.max > 30) out.push(`betaPeakHz must lie in the beta band 13..30 Hz, got ${beta.min}..${beta.max}`);
  const curve = file.curves?.gpeEntrainment;
  if (!curve) out.push('curves.gpeEntrainment (share of GPe entrained vs amplitude) is missing');
  else {
    if (curve.x[0] < 0) out.push(`curves.gpeEntrainment: amplitudes must not be negative, the first is ${curve.x[0]} ${curve.xUnit}`);
    const bad = curve.y.findIndex((y, i) => y < 0 || y > 1 || (i > 0 && y < curve.y[i - 1]));
    if (bad >= 0) out.push(`curves.gpeEntrainment: share ${curve.y[bad]} at ${curve.x[bad]} ${curve.xUnit} must lie in 0..1 and not fall as amplitude rises`);
  }
  return out;
}

/** A patient's parameters: the file's nominal values with a cohort draw laid over them. */
export function patientParameters(model: PavlidesModel, drawn: Record<string, number>): PavlidesParameters {
  return { ...model.nominal, ...drawn } as PavlidesParameters;
}
