// The blood-pressure composition root with a pump built in unauthenticated bench mode: the run says so and
// records it at the first start and at every later one.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../protocols/clock/virtual-clock.ts';
import { advanceSettling } from '../../protocols/testing/virtual-time.ts';
import { buildNode } from '../../firmware/build/firmware-build.ts';
import { BoardEmulator } from '../../hil/emulator/board-emulator.ts';
import { boardById, builtProgram } from '../../hil/emulator/emulated-node.ts';
import { SIM_KEYRING } from '../../hil/emulator/sim-keys.ts';
import { Unpluggable } from '../../hil/faults/unpluggable.ts';
import { memoryKeyring } from '../link/keyring.ts';
import { connectBp } from './bp-app.ts';
import { warnUnauthenticated } from './connect-devices.ts';
import { loadSupervisorFile } from '../safety/infusion-supervisor.ts';

describe('blood-pressure app with an unauthenticated pump', () => {
  it('warns and records at every start of the bench-mode session, and not for the authenticated sensor', async () => {
    const pico = boardById('pico');
    const clock = new VirtualClock();
    const sensor = new BoardEmulator({ clock, serial: 'bp-1' });
    sensor.load(await builtProgram('bp-sensor', pico));
    const pump = new BoardEmulator({ clock, serial: 'bench-pump' });
    pump.load((await buildNode('infusion-pump', pico, { unauthenticatedBenchMode: true })).program.code);
    const cable = new Unpluggable(async () => pump.port(pico.uart.port), 'bench-pump');
    const c = await connectBp(clock, [
      { role: 'bp-sensor', where: 'emulated', open: async () => sensor.port(pico.uart.port), keyring: SIM_KEYRING },
      { role: 'infusion-pump', where: 'emulated', open: cable.open, keyring: memoryKeyring({}) },
    ], () => advanceSettling(clock, 100));
    const record: { kind: string; data: object }[] = [];
    const said: string[] = [];
    warnUnauthenticated(c, clock, { record: (kind, _t, data) => record.push({ kind, data }) }, (l) => said.push(l));
    expect(said).toEqual([expect.stringMatching(/^WARNING: UNAUTHENTICATED BENCH MODE: 'bench-pump' \(infusion-pump on pico/)]);
    expect(record).toEqual([{ kind: 'warning', data: { device: 'bench-pump', text: expect.stringMatching(/^UNAUTHENTICATED BENCH MODE/) } }]);
    cable.unplug();
    await advanceSettling(clock, 3000);
    cable.plugIn();
    for (let i = 0; i < 100 && !c.links[1].ready; i++) await advanceSettling(clock, 100);
    expect(c.links[1].ready).toBe(true);
    expect(record).toHaveLength(2);
    expect(said).toHaveLength(2);
    c.close();
  });
});

describe('blood-pressure app and the drug\'s state on host loss', () => {
  const repo = (p: string) => new URL(`../../${p}`, import.meta.url).pathname;
  /** A sensor and a pump on the Pico, the pump built with this most it may hold when its lease lapses. */
  async function connect(maxLapseRateMlPerH: number, supervisor: string) {
    const pico = boardById('pico');
    const pumpNode = pico.nodes['infusion-pump']!;
    const board = { ...pico, nodes: { ...pico.nodes, 'infusion-pump': { ...pumpNode, limits: { ...pumpNode.limits, maxLapseRateMlPerH } } } };
    const clock = new VirtualClock();
    const sensor = new BoardEmulator({ clock, serial: 'bp-1' });
    sensor.load(await builtProgram('bp-sensor', pico));
    const pump = new BoardEmulator({ clock, serial: 'pump-1' });
    pump.load(maxLapseRateMlPerH === pumpNode.limits.maxLapseRateMlPerH ? await builtProgram('infusion-pump', pico) : (await buildNode('infusion-pump', board)).program.code);
    return connectBp(clock, [
      { role: 'bp-sensor', where: 'emulated', open: async () => sensor.port(pico.uart.port), keyring: SIM_KEYRING },
      { role: 'infusion-pump', where: '/dev/ttyACM1', open: async () => pump.port(pico.uart.port), keyring: SIM_KEYRING },
    ], () => advanceSettling(clock, 100), loadSupervisorFile(repo(`host/safety/${supervisor}.supervisor.json`)));
  }

  it('refuses a drug that must keep running on a pump that cannot hold a rate, naming the drug, the pump and the file; takes it on one that can', async () => {
    await expect(connect(0, 'norepinephrine')).rejects.toThrow(
      /norepinephrine must keep running when the host is lost .*norepinephrine\.drug\.json.*'pump-1' \(infusion-pump on pico.* on \/dev\/ttyACM1 cannot hold a rate \(its PumpLimits say maxLapseRateMlPerH 0\).*firmware\/boards\/pico\.board\.json/);
    const held = await connect(150, 'norepinephrine');
    expect(held.pump.limits!.maxLapseRateMlPerH).toBe(150);
    held.close();
    // A drug that stops on host loss runs on either pump.
    (await connect(0, 'nitroprusside')).close();
  }, 60_000);
});
