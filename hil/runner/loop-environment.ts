// What a patient run needs from the level it runs at (SIL: everything on one virtual clock; PIL: the
// plant in its own process behind pseudo-terminals, in real time): the host's clock and proxies, the
// links, ground truth for metrics, and a way to let simulated time pass.
import type { Clock } from '../../protocols/clock/clock.ts';
import type { InfusionPump } from '../../host/devices/infusion-pump.ts';
import type { PressureSensor } from '../../host/devices/pressure-sensor.ts';
import type { DeviceLink } from '../../host/link/device-link.ts';

export interface LoopEnvironment {
  level: 'sil' | 'pil';
  clock: Clock;
  sensor: PressureSensor;
  pump: InfusionPump;
  links: Record<string, DeviceLink>;
  /** Ground truth, for metrics only. */
  truthMapMmHg(): number;
  deliveredMl(): number;
  /** Lets this much simulated time pass (virtual: at once; PIL: in real time at the rig's speed). */
  run(ms: number): Promise<void>;
  close(): void;
}
