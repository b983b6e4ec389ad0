// The neurostimulator's analog front end in simulation: the sensing amplifier puts a potential (µV, a
// function of time: a patient's LFP or a synthetic one) on the board's LFP pin with the board's
// calibration, and the output stage turns the amplitude pin's level (PWM duty or DAC) into delivered mA.
import type { NeurostimBoardConfig } from '../../../firmware/src/board-config.ts';
import type { BoardEmulator } from '../../emulator/board-emulator.ts';

export function attachLfp(board: BoardEmulator, cfg: NeurostimBoardConfig, lfpUvAt: (tMs: number) => number): void {
  const cal = cfg.lfpCalibration;
  board.analogSource(cfg.pins.lfp, (tMs) => cal.zeroFraction + lfpUvAt(tMs) / cal.uvPerFraction);
}

/** The amplitude the output stage delivers now, mA. */
export function deliveredMa(board: BoardEmulator, cfg: NeurostimBoardConfig): number {
  return board.pin(cfg.pins.amplitude).duty * cfg.amplitudeOutput.fullScaleMa;
}
