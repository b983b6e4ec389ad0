// Host faults on an in-process host (virtual time) holding a rate on the real pump bundle: the pump's
// mechanism shows what reached the patient.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../protocols/clock/virtual-clock.ts';
import { advanceSettling, settleOn } from '../../protocols/testing/virtual-time.ts';
import { PumpState } from '../../protocols/generated/wire-codec.ts';
import type { PumpStatusValues } from '../../protocols/generated/wire-codec.ts';
import type { PumpBoardConfig } from '../../firmware/src/board-config.ts';
import { DeviceLink } from '../../host/link/device-link.ts';
import { SIM_KEYRING } from '../emulator/sim-keys.ts';
import { InfusionPump } from '../../host/devices/infusion-pump.ts';
import { BoardEmulator } from '../emulator/board-emulator.ts';
import { boardById, builtProgram } from '../emulator/emulated-node.ts';
import { SyringeMechanism } from '../sim/syringe-mechanism.ts';
import { InProcessHost } from './in-process-host.ts';
import { applyHostFault, hostFaultSchema } from './host-faults.ts';

const LEASE_MS = 3000;
const mlIn = (s: number) => (60 * s) / 3600;

async function hostHoldingRate() {
  const boardConfig = boardById('pico');
  const clock = new VirtualClock();
  const board = new BoardEmulator({ clock, serial: 'pump-h' });
  board.load(await builtProgram('infusion-pump', boardConfig));
  const mech = new SyringeMechanism(board, boardConfig.nodes['infusion-pump'] as PumpBoardConfig, clock);
  const hosts: { link: DeviceLink; pump: InfusionPump; first?: PumpStatusValues }[] = [];
  const host = new InProcessHost(clock, (edges) => {
    const link = new DeviceLink({ name: 'pump-h', open: edges.opener(async () => board.port('USB')), clock: edges.clock, sessionIdSeed: 40 + hosts.length, keyring: SIM_KEYRING });
    const pump = new InfusionPump(link, edges.clock);
    const h: (typeof hosts)[number] = { link, pump };
    pump.onStatus((st) => (h.first ??= st));
    link.on({ ready: () => void pump.holdRate(60, LEASE_MS).catch(() => undefined) });
    link.start();
    hosts.push(h);
  });
  const run = (ms: number) => advanceSettling(clock, ms);
  await run(3000);
  expect(hosts[0].pump.status!.state).toBe(PumpState.Running);
  return { clock, mech, host, hosts, run };
}

const fault = (raw: unknown) => hostFaultSchema.parse(raw);

describe('host faults on an in-process host', () => {
  it('hang longer than the lease: the pump falls to its safe rate during it; the freed host reconnects and the rate resumes', async () => {
    const { mech, host, run } = await hostHoldingRate();
    const ml = mech.deliveredMl;
    const hang = applyHostFault(host, fault({ kind: 'host-hang', atMin: 0, durationS: 8 }));
    await run(8000);
    // At most the rest of the lease (<= 3 s) was delivered during the 8 s hang.
    expect(mech.deliveredMl - ml).toBeLessThan(mlIn(3.2));
    hang.remove();
    // The node dropped the silent session meanwhile: the host handshakes again and, on ready, holds the rate.
    await run(3000);
    const resumed = mech.deliveredMl;
    await run(10_000);
    expect(mech.deliveredMl - resumed).toBeCloseTo(mlIn(10), 2);
  });

  it('slow host: every answer reaches it delayMs late, and the rate is still held', async () => {
    const { clock, mech, host, hosts, run } = await hostHoldingRate();
    applyHostFault(host, fault({ kind: 'slow-host', atMin: 0, delayMs: 700 }));
    const sent = clock.now();
    await settleOn(clock, hosts[0].pump.setRate(60, LEASE_MS), 5000);
    expect(clock.now() - sent).toBeGreaterThanOrEqual(700);
    const ml = mech.deliveredMl;
    await run(20_000);
    expect(mech.deliveredMl - ml).toBeCloseTo(mlIn(20), 2);
  });

  it('killed: the pump falls to its safe rate within the lease; restarted, the new host finds the pump with what it delivered and holds the rate again', async () => {
    const { mech, host, hosts, run } = await hostHoldingRate();
    const ml = mech.deliveredMl;
    const kill = applyHostFault(host, fault({ kind: 'host-kill', atMin: 0, durationS: 10 }));
    await run(10_000);
    expect(mech.deliveredMl - ml).toBeLessThan(mlIn(LEASE_MS / 1000 + 0.2));
    const afterKill = mech.deliveredMl;
    kill.remove();
    await run(3000);
    expect(host.starts).toBe(2);
    const next = hosts[1];
    expect(next.link.state).toBe('ready');
    // What the pump delivered under the first host, read back by the second in the first status it got.
    expect(next.first!.deliveredMl).toBeCloseTo(afterKill, 2);
    await run(10_000);
    expect(next.pump.status!.state).toBe(PumpState.Running);
    expect(mech.deliveredMl - afterKill).toBeGreaterThan(mlIn(9));
  });
});
