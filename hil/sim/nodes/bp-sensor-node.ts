// The bp-sensor node's world: an arterial line whose pressure follows the patient beat by beat (with
// physiological beat-to-beat noise, the line's artifacts and the transducer's noise), read by the board's
// ADC through the transducer's calibration.
import type { BpSensorBoardConfig } from '../../../firmware/src/board-config.ts';
import type { BoardEmulator } from '../../emulator/board-emulator.ts';
import { seededRandom } from '../../../protocols/testing/seeded-random.ts';
import type { Artifact } from '../arterial-waveform.ts';
import { ArterialWaveform, shapeMeanFraction } from '../arterial-waveform.ts';
import { gaussian } from '../gaussian.ts';
import { attachTransducer } from '../pressure-transducer.ts';
import type { NodeModel } from '../engine/plant.ts';

export interface ArterialLineOptions {
  /** The patient's mean pressure now. */
  mapMmHg: () => number;
  heartRateBpm: number;
  pulsePressureMmHg: number;
  /** White noise on each sample of the line (transducer and amplifier). */
  noiseMmHg: number;
  /** White noise on each beat's mean pressure (physiological variation the controller must filter). */
  beatNoiseMmHg?: number;
  seed: number;
  artifacts?: Artifact[];
}

export function arterialLine(board: BoardEmulator, cfg: BpSensorBoardConfig, o: ArterialLineOptions): NodeModel & { wave: ArterialWaveform } {
  const meanShare = shapeMeanFraction(o.heartRateBpm);
  const beatRandom = seededRandom(o.seed + 7919);
  const wave = new ArterialWaveform({
    systolicMmHg: 0, diastolicMmHg: 0, heartRateBpm: o.heartRateBpm, noiseMmHg: o.noiseMmHg, rrJitter: 0.03, seed: o.seed,
    beatPressures: () => {
      const beatMean = o.mapMmHg() + (o.beatNoiseMmHg ?? 0) * gaussian(beatRandom);
      const diastolic = beatMean - o.pulsePressureMmHg * meanShare;
      return { systolicMmHg: diastolic + o.pulsePressureMmHg, diastolicMmHg: diastolic };
    },
  }, o.artifacts ?? []);
  attachTransducer(board, cfg, wave);
  return { wave };
}
