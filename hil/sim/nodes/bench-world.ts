// A node's world on a bench with no patient: the pump's syringe pushing into an ideal open line, the
// sensor's arterial line at a steady 120/80 mmHg. The one wiring for every single-board tool (the PIL
// board process, the pump demo, the firmware bench); loops with a patient wire the same node models
// through the plant (hil/sim/engine/bp-plant.ts).
import type { BpSensorBoardConfig, PumpBoardConfig } from '../../../firmware/src/board-config.ts';
import type { Board } from '../../../firmware/build/board-schema.ts';
import type { NodeName } from '../../../firmware/build/firmware-build.ts';
import type { Clock } from '../../../protocols/clock/clock.ts';
import type { BoardEmulator } from '../../emulator/board-emulator.ts';
import type { NodeModel } from '../engine/plant.ts';
import { DEFAULT_LINE } from '../syringe-mechanism.ts';
import { shapeMeanFraction } from '../arterial-waveform.ts';
import { arterialLine } from './bp-sensor-node.ts';
import { syringeDrive } from './infusion-pump-node.ts';

/** The steady pressure of the bench's line: 120/80 at 72 beats a minute, little noise. */
export const BENCH_LINE = { systolicMmHg: 120, diastolicMmHg: 80, heartRateBpm: 72, noiseMmHg: 0.5 } as const;

/** Wires the bench's model for a node kind to its board; null for a kind with nothing on its pins here. */
export function benchWorld(kind: NodeName, board: BoardEmulator, config: Board, clock: Clock, seed = 1): NodeModel | null {
  if (kind === 'infusion-pump') return syringeDrive(board, config.nodes['infusion-pump'] as PumpBoardConfig, clock, DEFAULT_LINE);
  if (kind === 'bp-sensor') {
    const pulsePressureMmHg = BENCH_LINE.systolicMmHg - BENCH_LINE.diastolicMmHg;
    // The mean of a 120/80 beat of this shape, so each beat reads 120/80 (no beat-to-beat noise on a bench).
    const meanMmHg = BENCH_LINE.diastolicMmHg + pulsePressureMmHg * shapeMeanFraction(BENCH_LINE.heartRateBpm);
    return arterialLine(board, config.nodes['bp-sensor'] as BpSensorBoardConfig, {
      mapMmHg: () => meanMmHg, heartRateBpm: BENCH_LINE.heartRateBpm, pulsePressureMmHg, noiseMmHg: BENCH_LINE.noiseMmHg, seed,
    });
  }
  return null;
}
