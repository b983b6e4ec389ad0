// Faults of a board, injected on the emulated board itself (its reset line, its power, its oscillator,
// its CPU stuck in a loop), never inside the firmware:
//   reset         the reset pin: the firmware restarts from flash, its state lost;
//   brown-out     power gone for durationS: no code runs, nothing in or out, then a fresh boot;
//   firmware-hang the event loop stuck (an endless loop): hardware goes on, the watchdog reboots the board
//                 unless the hang ends first (durationS);
//   clock-drift   the board's oscillator ppm fast (+) or slow (-) against the plant: every timer, pulse
//                 train and sample of the firmware follows it.
import { z } from 'zod';
import type { BoardEmulator } from '../emulator/board-emulator.ts';
import { activeFault, atMin, nodeName, optionalDurationS } from './fault-timing.ts';
import type { ActiveFault } from './fault-timing.ts';

export const deviceFaultSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('reset'), atMin, node: nodeName }),
  z.strictObject({ kind: z.literal('brown-out'), atMin, node: nodeName, durationS: z.number().min(0.001).max(3600) }),
  z.strictObject({ kind: z.literal('firmware-hang'), atMin, node: nodeName, durationS: optionalDurationS }),
  z.strictObject({
    kind: z.literal('clock-drift'), atMin, node: nodeName, durationS: optionalDurationS,
    // A crystal is off by tens of ppm, an RC oscillator by up to a few percent.
    ppm: z.number().min(-100_000).max(100_000),
  }),
]);

export type DeviceFault = z.infer<typeof deviceFaultSchema>;

/** What a device fault acts on: the emulated board, or at the HIL level a real board's reset line and power switch. */
export type DeviceFaultTarget = Pick<BoardEmulator, 'reset' | 'powerOff' | 'powerOn' | 'hang' | 'unhang' | 'setClockDriftPpm' | 'boots'>;

/** Puts a device fault on a board now; remove() ends it (the scheduler calls it after durationS). */
export function applyDeviceFault(board: DeviceFaultTarget, f: DeviceFault): ActiveFault {
  switch (f.kind) {
    case 'reset':
      board.reset();
      return activeFault(() => undefined);
    case 'brown-out':
      board.powerOff();
      return activeFault(() => board.powerOn());
    case 'firmware-hang': {
      board.hang();
      const bootsAtHang = board.boots;
      // Ending the hang after a watchdog reboot must not touch the new boot.
      return activeFault(() => {
        if (board.boots === bootsAtHang) board.unhang();
      });
    }
    case 'clock-drift':
      board.setClockDriftPpm(f.ppm);
      return activeFault(() => board.setClockDriftPpm(0));
  }
}
