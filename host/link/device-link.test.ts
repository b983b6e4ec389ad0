// DeviceLink and the device proxies against the real pump firmware in the board emulator (virtual clock).
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../protocols/clock/virtual-clock.ts';
import { advanceSettling, settleOn } from '../../protocols/testing/virtual-time.ts';
import { ProtocolError } from '../../protocols/host/protocol-error.ts';
import { PumpState } from '../../protocols/generated/wire-codec.ts';
import { BoardEmulator } from '../../hil/emulator/board-emulator.ts';
import { boardById, builtProgram } from '../../hil/emulator/emulated-node.ts';
import { Unpluggable } from '../../hil/faults/unpluggable.ts';
import { SyringeMechanism } from '../../hil/sim/syringe-mechanism.ts';
import { SIM_KEYRING } from '../../hil/emulator/sim-keys.ts';
import { buildNode } from '../../firmware/build/firmware-build.ts';
import { memoryKeyring } from './keyring.ts';
import type { PumpBoardConfig } from '../../firmware/src/board-config.ts';
import { DeviceCommandError } from '../devices/device-command.ts';
import { InfusionPump } from '../devices/infusion-pump.ts';
import { memoryTransportPair } from '../transport/memory-transport.ts';
import { DeviceLink } from './device-link.ts';

async function rig() {
  const boardConfig = boardById('pico');
  const clock = new VirtualClock();
  const board = new BoardEmulator({ clock, serial: 'pump-1' });
  board.load(await builtProgram('infusion-pump', boardConfig));
  const mech = new SyringeMechanism(board, boardConfig.nodes['infusion-pump'] as PumpBoardConfig, clock);
  const device = new Unpluggable(async () => board.port('USB'), 'pump-1');
  const link = new DeviceLink({ name: 'pump-1', open: device.open, clock, sessionIdSeed: 5, keyring: SIM_KEYRING });
  const states: string[] = [];
  link.on({ state: (s, d) => states.push(`${s}: ${d}`) });
  const pump = new InfusionPump(link, clock);
  link.start();
  return { clock, board, mech, device, link, states, pump };
}

const run = (clock: VirtualClock, ms: number) => advanceSettling(clock, ms);
const settle = <T>(clock: VirtualClock, p: Promise<T>) => settleOn(clock, p, 5000);

async function ready(r: Awaited<ReturnType<typeof rig>>, withinMs = 2000) {
  for (let i = 0; i < withinMs / 10 && !r.link.ready; i++) await run(r.clock, 10);
  expect(r.link.state).toBe('ready');
}

describe('DeviceLink with the pump firmware', () => {
  it('goes opening -> handshaking -> ready and reports each step', async () => {
    const r = await rig();
    await ready(r);
    expect(r.states.map((s) => s.split(':')[0])).toEqual(['opening', 'handshaking', 'ready']);
    expect(r.link.peer!.uniqueId).toBe('pump-1');
  });

  it('holds a rate by renewing its lease, and stops renewing on release: the pump then falls to its safe rate', async () => {
    const r = await rig();
    await ready(r);
    await settle(r.clock, r.pump.holdRate(30, 3000));
    await run(r.clock, 30_000);
    expect(r.pump.status!.state).toBe(PumpState.Running);
    r.pump.release();
    await run(r.clock, 5000);
    expect(r.pump.status!.state).toBe(PumpState.SafeRate);
    const expectedMl = (30 * 33) / 3600; // about 30 s plus the last lease
    expect(Math.abs(r.mech.deliveredMl - expectedMl) / expectedMl).toBeLessThan(0.05);
  });

  it('rejects commands with the reason: refused on the host before sending, or by the device', async () => {
    const r = await rig();
    await ready(r);
    await expect(settle(r.clock, r.pump.setRate(2500, 1000))).rejects.toBeInstanceOf(ProtocolError);
    const err = await settle(r.clock, r.pump.setRate(700, 1000)).catch((e) => e);
    expect(err).toBeInstanceOf(DeviceCommandError);
    expect(err.reason).toBe('hard-limit');
    expect(err.message).toMatch(/PumpSetRate to pump-1 refused: hard-limit/);
  });

  it('reconnects with back-off when the device vanishes and comes back, and does not resume therapy silently', async () => {
    const r = await rig();
    await ready(r);
    await settle(r.clock, r.pump.holdRate(20, 3000));
    r.device.unplug();
    await run(r.clock, 2000);
    expect(r.link.state).toBe('reconnecting');
    expect(r.link.lastProblem).toMatch(/unplugged|disconnected/);
    const waits = r.states.filter((s) => s.startsWith('reconnecting')).map((s) => Number(/again in (\d+) ms/.exec(s)![1]));
    expect(waits.slice(0, 4)).toEqual([100, 250, 500, 1000]);
    // The pump, cut off from the host, falls back by itself within its lease.
    await run(r.clock, 2000);
    r.device.plugIn();
    await ready(r, 6000); // the next attempt comes at most 5 s (the longest back-off) later
    await run(r.clock, 2000);
    expect(r.pump.status!.state).toBe(PumpState.SafeRate);
    expect(r.device.opens).toBe(2);
    // The session's counters carry over the reconnection.
    expect(r.link.session.counters.framesRx).toBeGreaterThan(10);
  });

  it('says what it heard when the device speaks text instead of frames (an Espruino REPL)', async () => {
    const clock = new VirtualClock();
    const [host, device] = memoryTransportPair(clock);
    device.onBytes(() => undefined);
    const link = new DeviceLink({ name: '/dev/ttyACM0', open: async () => host, clock, helloTimeoutMs: 2000 });
    link.start();
    await run(clock, 10);
    device.write(Buffer.from(' ____                 _ \r\n|  __|___ ___ ___ _ _|_|___ ___ \r\n 2v29 (c) 2026 G.Williams\r\n>\r\n'));
    await run(clock, 2500);
    expect(link.state).toBe('handshaking');
    expect(link.lastProblem).toMatch(/answers with text \(".*"\), not homeostat frames.*homeostat flash/);
  });

  it('keeps up with a device flooding garbage without unbounded buffering, and still handshakes after it', async () => {
    const clock = new VirtualClock();
    const boardConfig = boardById('pico');
    const board = new BoardEmulator({ clock, serial: 'pump-2' });
    board.load(await builtProgram('infusion-pump', boardConfig));
    const port = board.port('USB');
    let flood = true;
    const noisy = {
      write: (b: Uint8Array) => port.write(b),
      onBytes: (h: (b: Uint8Array) => void) => {
        port.onBytes(h);
        clock.every(1, () => {
          if (flood) h(new Uint8Array(500).fill(0x41)); // 500 kB/s of junk, no delimiter
        });
      },
      close: () => port.close(),
    };
    const link = new DeviceLink({ name: 'noisy', open: async () => noisy, clock, keyring: SIM_KEYRING });
    link.start();
    await run(clock, 3000);
    // The device's own frames end runs of junk: each such run is dropped whole, never buffered.
    expect(link.session.counters.oversize).toBeGreaterThan(0);
    flood = false;
    await run(clock, 3000);
    expect(link.state).toBe('ready');
  });

  it('warns at every start of a session with a node built in unauthenticated bench mode, and flags it', async () => {
    const clock = new VirtualClock();
    const board = new BoardEmulator({ clock, serial: 'bench-pump' });
    board.load((await buildNode('infusion-pump', boardById('pico'), { unauthenticatedBenchMode: true })).program.code);
    const device = new Unpluggable(async () => board.port('USB'), 'bench-pump');
    const link = new DeviceLink({ name: 'bench-pump', open: device.open, clock, keyring: memoryKeyring({}) });
    const warnings: string[] = [];
    link.on({ warning: (w) => warnings.push(w) });
    const pump = new InfusionPump(link, clock);
    link.start();
    for (let i = 0; i < 200 && !link.ready; i++) await run(clock, 10);
    expect(link.session.authenticated).toBe(false);
    expect(link.benchModeWarning).toMatch(/^UNAUTHENTICATED BENCH MODE: 'bench-pump' \(infusion-pump on pico/);
    expect(await settle(clock, pump.setRate(10, 3000))).toBe(3000);
    // Again at the next start: after the device comes back.
    device.unplug();
    await run(clock, 1000);
    expect(link.benchModeWarning).toBe('');
    device.plugIn();
    for (let i = 0; i < 800 && !link.ready; i++) await run(clock, 10);
    expect(warnings).toHaveLength(2);
  });

  it('says so when the board was flashed with another key than the keyring holds', async () => {
    const clock = new VirtualClock();
    const board = new BoardEmulator({ clock, serial: 'pump-9' });
    board.load(await builtProgram('infusion-pump', boardById('pico')));
    const link = new DeviceLink({
      name: 'pump-9', open: async () => board.port('USB'), clock, helloTimeoutMs: 2000, keyring: memoryKeyring({ 'pump-9': new Uint8Array(16).fill(1) }),
    });
    link.start();
    await run(clock, 2500);
    expect(link.state).toBe('handshaking');
    expect(link.lastProblem).toMatch(/the Hello of 'pump-9' fails authentication: the keyring's key for it is not the one it was flashed with/);
  });
});
