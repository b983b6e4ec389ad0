// Levels are rig bindings (docs/architecture.md#levels): what a loop needs from where its devices run is the same
// at every level, and only the binding differs.
//  - mil: no firmware and no framing; the devices are ideal models behind the proxies' interfaces;
//  - sil: the built bundles in board emulators in this process, on one virtual clock;
//  - pil: the bundles in the plant's own process behind socat pseudo-terminals, opened with serialport, in
//    real time (or a stated multiple of it);
//  - hil: real boards on real ports (rig files, hil/rigs/*.rig.yaml), a patient-emulator board playing the
//    patient the host steps (hil-bp.ts); or the same rig's boards emulated on the fake bench, for CI.
// The host side is the same composition root at every level (host/app): it connects the devices a session
// offers, checks them, and runs the loop on the session's clock.
import type { Clock } from '../../protocols/clock/clock.ts';
import type { DeviceSpec } from '../../host/app/connect-devices.ts';
import type { Truth } from '../sim/engine/plant.ts';
import type { NodeName } from '../../firmware/build/firmware-build.ts';

export type Level = 'mil' | 'sil' | 'pil' | 'hil';

export const LEVELS: readonly Level[] = ['mil', 'sil', 'pil', 'hil'];

/** One run's use of a rig. */
export interface RigSession<Ideal = never> {
  level: Level;
  /** The clock the host loop runs on (virtual at MIL and SIL; real, maybe sped up, at PIL and HIL). */
  clock: Clock;
  /** How the host reaches each node, by its role; empty at MIL. */
  nodes: DeviceSpec[];
  /** At MIL: the ideal devices themselves. */
  ideal?: Ideal;
  /** Lets simulated time pass while the host connects (virtual clocks need driving; real time passes by itself). */
  wait?: () => Promise<void>;
  /** Ground truth now, for metrics only. */
  probe(): Truth;
  /** Lets this much time pass (virtual: at once; real: at the rig's speed). Rejects when the plant is gone. */
  run(ms: number): Promise<void>;
  close(): void;
}

/** A node's role as the catalogue names it in Hello (NodeRole), where the build names it otherwise. */
export function catalogueRole(kind: NodeName): string {
  return kind === 'neurostimulator' ? 'neurostim' : kind;
}
