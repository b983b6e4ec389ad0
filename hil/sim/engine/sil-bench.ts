// The SIL bench of the blood-pressure loop, for tests and tools that drive the devices themselves: the
// blood-pressure plant (bp-plant.ts) in this process, its SIL session, and the host's proxies connected and
// checked through the same composition root as every run (host/app/bp-app.ts), all on one virtual clock.
import type { VirtualClock } from '../../../protocols/clock/virtual-clock.ts';
import { settleOn } from '../../../protocols/testing/virtual-time.ts';
import type { InfusionPump } from '../../../host/devices/infusion-pump.ts';
import type { PressureSensor } from '../../../host/devices/pressure-sensor.ts';
import type { DeviceLink } from '../../../host/link/device-link.ts';
import { connectBp } from '../../../host/app/bp-app.ts';
import { silSession } from '../../rigs/sil-rig.ts';
import type { SyringeMechanism } from '../syringe-mechanism.ts';
import type { BpPlantOptions } from './bp-plant.ts';
import { bpPlant } from './bp-plant.ts';
import type { Plant } from './plant.ts';

export type { BpPlantOptions as SilBenchOptions } from './bp-plant.ts';

export interface SilBench {
  clock: VirtualClock;
  plant: Plant;
  sensor: PressureSensor;
  pump: InfusionPump;
  sensorLink: DeviceLink;
  pumpLink: DeviceLink;
  mechanism: SyringeMechanism;
  /** Ground truth, for metrics only. */
  truthMapMmHg(): number;
  /** Runs virtual time in slices, letting the host's promises settle between them. */
  run(ms: number): Promise<void>;
  /** Runs virtual time until a host promise (a command) settles, at most 10 s of it. */
  settle<T>(p: Promise<T>): Promise<T>;
}

export async function silBench(o: BpPlantOptions): Promise<SilBench> {
  const { plant, mechanism } = await bpPlant(o);
  const session = silSession(plant, ['bp-sensor', 'infusion-pump'], o.seed);
  let c;
  try {
    c = await connectBp(plant.clock, session.nodes, session.wait);
  } catch (e) {
    throw new Error(`the SIL bench did not come up: ${(e as Error).message}`);
  }
  return {
    clock: plant.clock, plant, sensor: c.sensor, pump: c.pump, sensorLink: c.links[0], pumpLink: c.links[1], mechanism,
    truthMapMmHg: () => plant.probe().mapMmHg, run: session.run, settle: (p) => settleOn(plant.clock, p, 10_000),
  };
}
