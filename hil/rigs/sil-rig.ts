// The SIL binding: the plant (boards running their bundles, node models, patient) in this process, its
// boards' ports opened by the host on the same virtual clock. Time passes in slices, with the host's
// promises (a port opening, a command's answer) settling between them.
import { advanceSettling } from '../../protocols/testing/virtual-time.ts';
import type { NodeName } from '../../firmware/build/firmware-build.ts';
import { SIM_KEYRING } from '../emulator/sim-keys.ts';
import type { Plant } from '../sim/engine/plant.ts';
import type { RigSession } from './rig.ts';
import { catalogueRole } from './rig.ts';

/** Slices of virtual time between which the host's promises settle. */
const SLICE_MS = 500;

export function silSession(plant: Plant, roles: NodeName[], seed: number): RigSession {
  return {
    level: 'sil',
    clock: plant.clock,
    nodes: roles.map((role, i) => ({ role: catalogueRole(role), where: `the emulated ${role}`, open: async () => plant.port(role), sessionIdSeed: seed * 2 + 1 + i, keyring: SIM_KEYRING })),
    // Bringing the links up takes a second of the plant's time: boot, Hello and its answer.
    wait: () => advanceSettling(plant.clock, 1000, SLICE_MS),
    probe: () => plant.probe(),
    run: (ms) => advanceSettling(plant.clock, ms, SLICE_MS),
    close: () => undefined,
  };
}
