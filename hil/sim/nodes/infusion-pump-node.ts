// The infusion-pump node's world: the syringe mechanism its step pulses drive, and the line to the patient.
import type { PumpBoardConfig } from '../../../firmware/src/board-config.ts';
import type { Clock } from '../../../protocols/clock/clock.ts';
import type { BoardEmulator } from '../../emulator/board-emulator.ts';
import type { LineModel } from '../syringe-mechanism.ts';
import { SyringeMechanism } from '../syringe-mechanism.ts';
import type { NodeModel } from '../engine/plant.ts';

export function syringeDrive(board: BoardEmulator, cfg: PumpBoardConfig, clock: Clock, line: LineModel): NodeModel & { mechanism: SyringeMechanism } {
  const mechanism = new SyringeMechanism(board, cfg, clock, line);
  // The motor driver's enable input is active low: 1 while the pump drives the plunger.
  return { mechanism, truth: () => ({ deliveredMl: mechanism.deliveredMl, pushedMl: mechanism.pushedMl, pumpDriving: board.pin(cfg.pins.enable).out === 0 ? 1 : 0 }) };
}
