// The plant's side of the fault library for a blood-pressure plant: actuator faults act on the syringe
// mechanism and device faults on the emulated boards, where they would happen, on the plant's clock; and
// the pump's drive (its step pin's frequency times the volume per step) is sampled for the safety
// invariants. The same code runs where the plant runs: in this process at SIL, in the plant's own process
// at PIL (its events and samples then cross the IPC channel).
import type { PumpBoardConfig } from '../../firmware/src/board-config.ts';
import { boardById } from '../emulator/emulated-node.ts';
import type { Fault, FaultEvent, NotInjectable } from '../faults/fault-schedule.ts';
import { injectableFaults, scheduleFaults } from '../faults/fault-schedule.ts';
import type { BpPlant } from '../sim/engine/bp-plant.ts';

/** How often the drive is sampled for the invariants. */
export const DRIVE_SAMPLE_MS = 250;

/** The pump's limits the invariants are judged against, from its board file. */
export function pumpLimits(board: string): { safeRateMlPerH: number; maxLapseRateMlPerH: number; maxLeaseMs: number } {
  const cfg = boardById(board).nodes['infusion-pump'] as PumpBoardConfig;
  return { safeRateMlPerH: cfg.limits.safeRateMlPerH, maxLapseRateMlPerH: cfg.limits.maxLapseRateMlPerH, maxLeaseMs: cfg.limits.maxLeaseMs };
}

export interface PlantFaults {
  notInjectable: NotInjectable[];
  cancel(): void;
}

/** Schedules the plant-side faults (minutes from the plant clock's now) and samples the pump's drive. */
export function plantFaults(bp: BpPlant, board: string, faults: Fault[], level: string, onEvent: (e: FaultEvent) => void, onDrive: (tMs: number, rateMlPerH: number) => void): PlantFaults {
  const { plant, mechanism } = bp;
  const clock = plant.clock;
  const cfg = boardById(board).nodes['infusion-pump'] as PumpBoardConfig;
  const pumpBoard = plant.node('infusion-pump').board;
  const targets = {
    board: (node: string) => (node === 'infusion-pump' || node === 'bp-sensor' ? plant.node(node).board : undefined),
    mechanism: (node: string) => (node === 'infusion-pump' ? mechanism : undefined),
  };
  const sampler = clock.every(DRIVE_SAMPLE_MS, () => onDrive(clock.now(), pumpBoard.pin(cfg.pins.step).pwmHz * mechanism.mlPerStep * 3600));
  const { injectable, notInjectable } = injectableFaults(faults, targets, clock, level);
  const schedule = scheduleFaults(clock, injectable, targets, onEvent);
  return {
    notInjectable,
    cancel: () => {
      sampler.cancel();
      schedule.cancel();
    },
  };
}
