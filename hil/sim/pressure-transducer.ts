// The arterial-line transducer and its amplifier: pressure in mmHg to the ADC's 0..1, with the board's
// calibration (zero offset and span) and the ADC's end stops. A dropout reads as the bottom rail.
import type { BpSensorBoardConfig } from '../../firmware/src/board-config.ts';
import type { BoardEmulator } from '../emulator/board-emulator.ts';
import type { ArterialWaveform } from './arterial-waveform.ts';

export function attachTransducer(board: BoardEmulator, cfg: BpSensorBoardConfig, wave: ArterialWaveform): void {
  const cal = cfg.calibration;
  board.analogSource(cfg.pins.pressure, (tMs) => {
    const s = wave.sample(tMs / 1000);
    return s.dropout ? 0 : cal.zeroFraction + s.pressureMmHg / cal.mmHgPerFraction;
  });
}
