// The patient models a cohort can name, each with what physics asks of its parameters and how one is made
// from a drawn patient. Stated once: cohorts validate against it, the plant builds from it.
import type { Physics } from './patient-params.ts';
import type { NorepinephrineParameters } from './norepinephrine-patient.ts';
import { NorepinephrinePatient } from './norepinephrine-patient.ts';
import type { SlateParameters } from './slate-patient.ts';
import { SlatePatient } from './slate-patient.ts';

/** A drug-response model the scenario can steer: its sensitivity factor and its mean pressure. */
export interface SteerablePatient {
  sensitivity: number;
  step(deliveredRateMlPerH: number): number;
  readonly mapMmHg: number;
}

export interface PatientModel {
  /** What the drug does to the pressure. */
  drugEffect: 'lowers' | 'raises';
  physics: Record<string, Physics>;
  create(params: Record<string, number>, o: { baselineMapMmHg: number; weightKg: number; concentrationUgPerMl: number; stepS: number }): SteerablePatient;
}

export const PATIENT_MODELS = {
  /** Slate & Sheppard, nitroprusside (a vasodilator). */
  'slate-vasodilator': {
    drugEffect: 'lowers',
    physics: { gainMmHgPerMlPerH: 'positive', transportDelayS: 'non-negative', recirculationDelayS: 'non-negative', recirculationFraction: 'fraction', timeConstantS: 'positive' },
    create: (p, o) => new SlatePatient(p as unknown as SlateParameters, o.baselineMapMmHg, o.stepS),
  },
  /** One-compartment PK with a Hill effect, norepinephrine (a vasopressor). */
  'norepinephrine-pk-hill': {
    drugEffect: 'raises',
    physics: { volumeL: 'positive', clearanceLPerMin: 'positive', emaxMmHg: 'positive', hillGamma: 'positive', c50NgPerMl: 'positive' },
    create: (p, o) => new NorepinephrinePatient({ ...(p as unknown as NorepinephrineParameters), weightKg: o.weightKg }, o.concentrationUgPerMl, o.baselineMapMmHg, o.stepS),
  },
} as const satisfies Record<string, PatientModel>;

export type PatientModelName = keyof typeof PATIENT_MODELS;
