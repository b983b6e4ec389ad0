// One contract for the host's link to a pump, run on every binding: the firmware in the emulator over the
// in-memory line (virtual time), the firmware in an emulator process behind a pseudo-terminal (PIL, real
// time), and the firmware on the real Espruino interpreter behind a pseudo-terminal (when ESPRUINO_BIN is set).
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../protocols/clock/clock.ts';
import { VirtualClock } from '../../protocols/clock/virtual-clock.ts';
import { advanceSettling } from '../../protocols/testing/virtual-time.ts';
import { NodeRole, PumpState } from '../../protocols/generated/wire-codec.ts';
import { SystemClock } from '../../host/clock/system-clock.ts';
import { DeviceCommandError } from '../../host/devices/device-command.ts';
import { InfusionPump } from '../../host/devices/infusion-pump.ts';
import { DeviceLink } from '../../host/link/device-link.ts';
import type { Transport } from '../../host/transport/transport.ts';
import { SerialTransport } from '../../host/transport/serial-transport.ts';
import { BoardEmulator } from '../emulator/board-emulator.ts';
import { boardById, builtProgram } from '../emulator/emulated-node.ts';
import { espruinoBin } from '../espruino/espruino-interpreter.ts';
import { espruinoOnPty } from '../espruino/espruino-on-pty.ts';
import { startPilBoard } from '../pil/pil-rig.ts';

interface Binding {
  clock: Clock;
  open: () => Promise<Transport>;
  /** Lets time pass: virtual time on the in-memory binding, real time otherwise. */
  wait(ms: number): Promise<void>;
  stop(): void;
}

function contract(name: string, make: () => Promise<Binding>, enabled = true, title = name) {
  describe.skipIf(!enabled)(`pump link contract: ${title}`, () => {
    it('handshakes, takes a leased rate, reports it, refuses one over the limit with its reason, and stops', async () => {
      const b = await make();
      try {
        const link = new DeviceLink({ name, open: b.open, clock: b.clock });
        const pump = new InfusionPump(link, b.clock);
        link.start();
        for (let i = 0; i < 300 && !link.ready; i++) await b.wait(10);
        expect(link.state).toBe('ready');
        expect(link.peer!.nodeRole).toBe(NodeRole.InfusionPump);
        const settle = async (p: Promise<void>) => {
          let done = false;
          p.then(() => (done = true), () => (done = true));
          for (let i = 0; i < 300 && !done; i++) await b.wait(10);
          return p;
        };
        await settle(pump.setRate(30, 3000));
        for (let i = 0; i < 200 && !(pump.status && pump.status.state === PumpState.Running); i++) await b.wait(10);
        expect(pump.status!.rateMlPerH).toBe(30);
        const err = await settle(pump.setRate(900, 3000)).catch((e) => e);
        expect(err).toBeInstanceOf(DeviceCommandError);
        expect((err as DeviceCommandError).reason).toBe('hard-limit');
        await settle(pump.stop());
        for (let i = 0; i < 200 && pump.status!.state !== PumpState.Stopped; i++) await b.wait(10);
        expect(pump.status!.state).toBe(PumpState.Stopped);
        expect(link.session.counters().crcErrors).toBe(0);
        link.close();
      } finally {
        b.stop();
      }
    }, 60_000);
  });
}

contract('in-memory', async () => {
  const clock = new VirtualClock();
  const board = new BoardEmulator({ clock, serial: 'memory-pump' });
  board.load(await builtProgram('infusion-pump', boardById('pico')));
  return {
    clock,
    open: async () => board.port('USB'),
    wait: (ms) => advanceSettling(clock, ms, ms),
    stop: () => undefined,
  };
});

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

contract('PIL', async () => {
  const board = await startPilBoard('infusion-pump', 'pico');
  return { clock: new SystemClock(), open: () => SerialTransport.open(board.path, 115200), wait: sleep, stop: board.stop };
});

const bin = espruinoBin();
contract('real interpreter', async () => {
  const board = await espruinoOnPty(bin!, await builtProgram('infusion-pump', boardById('linux')));
  return { clock: new SystemClock(), open: async () => board.transport, wait: sleep, stop: board.stop };
}, !!bin, 'real interpreter (set ESPRUINO_BIN to a Linux build to run)');
