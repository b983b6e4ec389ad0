// Link faults on a FaultyLink: on an in-memory line, and under a host link to the real pump bundle in the
// board emulator (virtual clock).
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../protocols/clock/virtual-clock.ts';
import { advanceSettling, settleOn } from '../../protocols/testing/virtual-time.ts';
import { PumpState } from '../../protocols/generated/wire-codec.ts';
import type { PumpBoardConfig } from '../../firmware/src/board-config.ts';
import { memoryTransportPair } from '../../host/transport/memory-transport.ts';
import { DeviceLink } from '../../host/link/device-link.ts';
import { SIM_KEYRING } from '../emulator/sim-keys.ts';
import { InfusionPump } from '../../host/devices/infusion-pump.ts';
import { BoardEmulator } from '../emulator/board-emulator.ts';
import { boardById, builtProgram } from '../emulator/emulated-node.ts';
import { SyringeMechanism } from '../sim/syringe-mechanism.ts';
import { FaultyLink } from './faulty-link.ts';
import { applyLinkFault, linkFaultSchema } from './link-faults.ts';
import { readAtBaud } from './uart-resample.ts';

const fault = (raw: unknown) => linkFaultSchema.parse(raw);

function memoryLink() {
  const clock = new VirtualClock();
  let deviceEnd: { write(b: Uint8Array): void } | null = null;
  const got: number[][] = [];
  const link = new FaultyLink(async () => {
    const [host, device] = memoryTransportPair(clock, { latencyMs: 0, bytesPerSecond: 0 });
    device.onBytes((b) => got.push([...b]));
    deviceEnd = device;
    return host;
  }, { clock, seed: 3, name: 'dev' });
  return { clock, link, got, device: () => deviceEnd! };
}

async function pumpOnLink(seed = 5) {
  const boardConfig = boardById('pico');
  const clock = new VirtualClock();
  const board = new BoardEmulator({ clock, serial: 'pump-7' });
  board.load(await builtProgram('infusion-pump', boardConfig));
  const mech = new SyringeMechanism(board, boardConfig.nodes['infusion-pump'] as PumpBoardConfig, clock);
  const link = new FaultyLink(async () => board.port('USB'), { clock, seed, name: 'pump-7', path: '/dev/ttyACM0', serialNumber: 'PUMP7', lineBaud: 115200 });
  return { clock, board, mech, link };
}

const run = (clock: VirtualClock, ms: number) => advanceSettling(clock, ms);

async function until(clock: VirtualClock, cond: () => boolean, maxMs: number): Promise<void> {
  for (let t = 0; t < maxMs && !cond(); t += 10) await run(clock, 10);
}

describe('link faults', () => {
  it('damage is on the line: duplication doubles every chunk on each transport opened, across a reconnection, until removed', async () => {
    const { clock, link, got } = memoryLink();
    const dup = applyLinkFault(link, fault({ kind: 'duplication', atMin: 0, node: 'dev', duplicateRate: 1 }));
    const first = await link.open();
    first.write(Uint8Array.of(1));
    clock.advance(1);
    link.unplug();
    link.plugIn();
    const second = await link.open();
    second.write(Uint8Array.of(2));
    clock.advance(1);
    expect(got).toEqual([[1], [1], [2], [2]]);
    dup.remove();
    second.write(Uint8Array.of(3));
    clock.advance(1);
    expect(got.at(-1)).toEqual([3]);
    expect(got.length).toBe(5);
    expect(link.injected.duplicates).toBe(2);
  });

  it('drops, bit errors, garbage and delays combine while more than one is in force', async () => {
    const { clock, link, got } = memoryLink();
    const t = await link.open();
    const drops = applyLinkFault(link, fault({ kind: 'drops', atMin: 0, node: 'dev', dropRate: 0.5 }));
    const d1 = applyLinkFault(link, fault({ kind: 'delay', atMin: 0, node: 'dev', delayMs: 30 }));
    applyLinkFault(link, fault({ kind: 'delay', atMin: 0, node: 'dev', delayMs: 20 }));
    for (let i = 0; i < 200; i++) t.write(Uint8Array.of(i));
    clock.advance(49);
    expect(got).toEqual([]);
    clock.advance(1);
    expect(got.length).toBe(200 - link.injected.drops);
    expect(link.injected.drops).toBeGreaterThan(70);
    drops.remove();
    d1.remove();
    applyLinkFault(link, fault({ kind: 'bit-errors', atMin: 0, node: 'dev', bitErrorRate: 0.05 }));
    applyLinkFault(link, fault({ kind: 'garbage', atMin: 0, node: 'dev', garbageRate: 0.2 }));
    const before = got.length;
    for (let i = 0; i < 200; i++) t.write(new Uint8Array(4));
    clock.advance(20);
    expect(link.injected.bitFlips).toBeGreaterThan(100);
    expect(link.injected.garbageBursts).toBeGreaterThan(20);
    expect(got.length - before).toBe(200 + link.injected.garbageBursts);
  });

  it('a link cut longer than the lease: the pump falls to its safe rate; plugged back, the host reconnects and finds the pump at its safe rate', async () => {
    const { clock, link, mech } = await pumpOnLink();
    const host = new DeviceLink({ name: 'pump-7', open: link.open, clock, sessionIdSeed: 9, keyring: SIM_KEYRING });
    const pump = new InfusionPump(host, clock);
    host.start();
    await until(clock, () => host.ready, 2000);
    await settleOn(clock, pump.holdRate(60, 3000), 5000);
    const cut = applyLinkFault(link, fault({ kind: 'disconnect', atMin: 0, node: 'pump-7', durationS: 10 }));
    await run(clock, 1000);
    expect(host.state).toBe('reconnecting');
    const ml = mech.deliveredMl;
    await run(clock, 9000);
    // The lease (3 s) ran out after the cut: safe rate 0 on this pump, so at most 3 s more at 60 mL/h.
    expect(mech.deliveredMl - ml).toBeLessThan((60 * 3.2) / 3600);
    cut.remove();
    await until(clock, () => host.ready, 8000);
    expect(host.state).toBe('ready');
    await run(clock, 2000);
    expect(pump.status!.state).toBe(PumpState.SafeRate);
  });

  it('re-enumeration: the port comes back at another path with the same serial number; only a host that looks the serial number up finds it', async () => {
    const { clock, link } = await pumpOnLink();
    const byPath = new DeviceLink({ name: 'by-path', open: () => link.openPath('/dev/ttyACM0'), clock, sessionIdSeed: 1, backoffMs: [200], keyring: SIM_KEYRING });
    const bySerial = new DeviceLink({
      keyring: SIM_KEYRING,
      name: 'by-serial', clock, sessionIdSeed: 2, backoffMs: [200],
      open: () => {
        const hit = link.ports().find((p) => p.serialNumber === 'PUMP7');
        return hit ? link.openPath(hit.path) : Promise.reject(new Error('PUMP7 not listed'));
      },
    });
    byPath.start();
    await until(clock, () => byPath.ready, 2000);
    byPath.close(); // one host at a time holds the port
    bySerial.start();
    await until(clock, () => bySerial.ready, 2000);
    const away = applyLinkFault(link, fault({ kind: 're-enumeration', atMin: 0, node: 'pump-7' }));
    expect(link.ports()).toEqual([]);
    await run(clock, 1000);
    away.remove();
    expect(link.ports()).toEqual([{ path: '/dev/ttyACM1', serialNumber: 'PUMP7' }]);
    await until(clock, () => bySerial.ready, 3000);
    expect(bySerial.state).toBe('ready');
    bySerial.close();
    const stale = new DeviceLink({ name: 'by-path', open: () => link.openPath('/dev/ttyACM0'), clock, sessionIdSeed: 3, backoffMs: [200], keyring: SIM_KEYRING });
    stale.start();
    await run(clock, 3000);
    expect(stale.state).toBe('reconnecting');
    expect(stale.lastProblem).toMatch(/cannot open \/dev\/ttyACM0: no such device/);
  });

  it('wrong baud: a UART read at the wrong rate garbles what it reads, deterministically; within tolerance it reads right', () => {
    const bytes = Uint8Array.from({ length: 64 }, (_, i) => (i * 37) & 0xff);
    expect([...readAtBaud(bytes, 115200, 115200, 0)]).toEqual([...bytes]);
    // 2% off is within a UART's tolerance (the stop bit's middle moves by 0.19 of a bit).
    expect([...readAtBaud(bytes, 115200, 112900, 0)]).toEqual([...bytes]);
    const slow = readAtBaud(bytes, 115200, 9600, 0);
    expect(slow.length).toBeLessThan(bytes.length / 4);
    const fast = readAtBaud(bytes, 9600, 115200, 0);
    expect(fast.filter((b) => b === 0).length).toBeGreaterThan(fast.length / 3); // framing errors
    expect([...readAtBaud(bytes, 115200, 9600, 0)]).toEqual([...slow]);
    // By hand: 0x01 sent at 9600 and read at 19200 samples the sender's bits 0,1,1,2,2,3,3,4 (start, d0, d0,
    // d1, d1, d2, d2, d3) = 0b00000110, and its stop bit in d3 (0): a framing error, 0x00 on a Linux tty.
    expect([...readAtBaud(Uint8Array.of(1), 9600, 19200, null)]).toEqual([6]);
    expect([...readAtBaud(Uint8Array.of(1), 9600, 19200, 0)]).toEqual([0]);
  });

  it('wrong baud on the host\'s side: no session, and the link says to check the baud rate; set right, the session comes up', async () => {
    const { clock, link } = await pumpOnLink();
    const wrong = applyLinkFault(link, fault({ kind: 'wrong-baud', atMin: 0, node: 'pump-7', hostBaud: 9600 }));
    const host = new DeviceLink({ name: 'pump-7', open: link.open, clock, sessionIdSeed: 4, helloTimeoutMs: 1500, keyring: SIM_KEYRING });
    host.start();
    await run(clock, 3000);
    expect(host.state).toBe('handshaking');
    expect(host.lastProblem).toMatch(/baud rate/);
    wrong.remove();
    await until(clock, () => host.ready, 3000);
    expect(host.state).toBe('ready');
  });
});
