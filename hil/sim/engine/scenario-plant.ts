// A cohort's patient in a scenario, as the options of the blood-pressure plant (bp-plant.ts): the same
// patient, line and noise at every level (the plan is data, so it crosses into the PIL plant's process).
import type { CohortFile, VirtualPatient } from '../cohorts/cohort.ts';
import type { SteerablePatient } from '../patients/patient-models.ts';
import { PATIENT_MODELS } from '../patients/patient-models.ts';
import type { Scenario } from '../scenarios/scenario.ts';
import { lineArtifacts } from '../scenarios/scenario.ts';
import { ScenarioPatient } from './scenario-patient.ts';
import type { BpPlantOptions } from './bp-plant.ts';

export interface ScenarioPlant {
  scenario: Scenario;
  patient: VirtualPatient;
  model: CohortFile['model'];
  /** Of the drug in the syringe; the vasopressor's model doses from it. */
  concentrationUgPerMl: number;
  seed: number;
  board: string;
  patientStepS: number;
}

/** The model a cohort's patient runs on: Slate for a vasodilator, PK with a Hill effect for norepinephrine. */
export function patientModel(model: CohortFile['model'], p: VirtualPatient, concentrationUgPerMl: number, stepS: number): SteerablePatient {
  return PATIENT_MODELS[model].create(p.params, { baselineMapMmHg: p.baselineMapMmHg, weightKg: p.weightKg, concentrationUgPerMl, stepS });
}

export function scenarioPlantOptions(o: ScenarioPlant): BpPlantOptions {
  const s = o.scenario;
  return {
    patient: new ScenarioPatient(patientModel(o.model, o.patient, o.concentrationUgPerMl, o.patientStepS), s, o.patientStepS),
    patientStepS: o.patientStepS, heartRateBpm: s.heartRateBpm, pulsePressureMmHg: s.pulsePressureMmHg,
    noiseMmHg: s.sensorNoiseMmHg, beatNoiseMmHg: s.beatNoiseMmHg, seed: o.seed, board: o.board, artifacts: lineArtifacts(s),
  };
}
