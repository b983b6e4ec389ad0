// The blood-pressure plant: both boards running their bundles (bp-sensor, infusion-pump), the syringe
// mechanism and line on the pump's pins, the arterial line on the sensor's ADC, and the patient stepped at
// a fixed step on the drug the mechanism actually delivered. Built the same for the SIL rig (in this
// process) and the PIL rig (in the plant's own process).
import type { BpSensorBoardConfig, PumpBoardConfig } from '../../../firmware/src/board-config.ts';
import { boardById } from '../../emulator/emulated-node.ts';
import type { Artifact } from '../arterial-waveform.ts';
import { arterialLine } from '../nodes/bp-sensor-node.ts';
import { syringeDrive } from '../nodes/infusion-pump-node.ts';
import type { SyringeMechanism } from '../syringe-mechanism.ts';
import { PATIENT_LINE } from '../syringe-mechanism.ts';
import { Plant } from './plant.ts';

/** Any patient model driven by the infusion rate actually delivered. */
export interface DrugResponsePatient {
  step(deliveredRateMlPerH: number): number;
  readonly mapMmHg: number;
}

export interface BpPlantOptions {
  patient: DrugResponsePatient;
  /** Integration step of the patient, s (it must match the patient's own). */
  patientStepS: number;
  heartRateBpm: number;
  pulsePressureMmHg: number;
  noiseMmHg: number;
  /** White noise on each beat's mean pressure (physiological variation the controller must filter). */
  beatNoiseMmHg?: number;
  seed: number;
  board?: string;
  /** Arterial-line artifacts (flush, over-damping, offset, dropout, frozen). */
  artifacts?: Artifact[];
}

export interface BpPlant {
  plant: Plant;
  mechanism: SyringeMechanism;
}

export async function bpPlant(o: BpPlantOptions, plant = new Plant()): Promise<BpPlant> {
  const config = boardById(o.board ?? 'pico');
  const sensorBoard = await plant.addBoard('bp-sensor', config);
  const pumpBoard = await plant.addBoard('infusion-pump', config);
  const pump = syringeDrive(pumpBoard, config.nodes['infusion-pump'] as PumpBoardConfig, plant.clock, PATIENT_LINE);
  plant.attach('infusion-pump', pump);
  // The patient, stepped on the drug delivered during each step.
  let lastDelivered = 0;
  plant.every(o.patientStepS * 1000, () => {
    const delivered = pump.mechanism.deliveredMl;
    o.patient.step(((delivered - lastDelivered) * 3600) / o.patientStepS);
    lastDelivered = delivered;
  });
  plant.addTruth(() => ({ mapMmHg: o.patient.mapMmHg }));
  plant.attach('bp-sensor', arterialLine(sensorBoard, config.nodes['bp-sensor'] as BpSensorBoardConfig, {
    mapMmHg: () => o.patient.mapMmHg, heartRateBpm: o.heartRateBpm, pulsePressureMmHg: o.pulsePressureMmHg,
    noiseMmHg: o.noiseMmHg, beatNoiseMmHg: o.beatNoiseMmHg, seed: o.seed, artifacts: o.artifacts,
  }));
  return { plant, mechanism: pump.mechanism };
}
