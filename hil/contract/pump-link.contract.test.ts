// One contract for the host's link to a pump, run on every binding: the firmware in the emulator over the
// in-memory line (virtual time), the firmware in an emulator process behind a pseudo-terminal (PIL, real
// time), and the firmware on the real Espruino interpreter behind a pseudo-terminal (when ESPRUINO_BIN is
// set), each with its device key provisioned in the board's Storage and the host's keyring holding it.
// Then what a host must refuse: a node of protocol version 1, a node without a key, a sensor where a
// pump was expected.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../protocols/clock/clock.ts';
import { VirtualClock } from '../../protocols/clock/virtual-clock.ts';
import { advanceSettling } from '../../protocols/testing/virtual-time.ts';
import { NodeRole, PumpState } from '../../protocols/generated/wire-codec.ts';
import { SystemClock } from '../../host/clock/system-clock.ts';
import { DeviceCommandError } from '../../host/devices/device-command.ts';
import { InfusionPump } from '../../host/devices/infusion-pump.ts';
import { DeviceLink } from '../../host/link/device-link.ts';
import type { Keyring } from '../../host/link/keyring.ts';
import { keyFromHex, keyStorageStatement } from '../../host/link/keyring.ts';
import type { Transport } from '../../host/transport/transport.ts';
import { SerialTransport } from '../../host/transport/serial-transport.ts';
import { BoardEmulator } from '../emulator/board-emulator.ts';
import { boardById, builtProgram } from '../emulator/emulated-node.ts';
import { SIM_KEYRING } from '../emulator/sim-keys.ts';
import { espruinoBin } from '../espruino/espruino-interpreter.ts';
import { espruinoOnPty } from '../espruino/espruino-on-pty.ts';
import { startPilBoard } from '../pil/pil-rig.ts';

interface Binding {
  clock: Clock;
  open: () => Promise<Transport>;
  keyring: Keyring;
  /** Lets time pass: virtual time on the in-memory binding, real time otherwise. */
  wait(ms: number): Promise<void>;
  stop(): void;
}

async function until(b: Binding, done: () => boolean, steps = 300): Promise<void> {
  for (let i = 0; i < steps && !done(); i++) await b.wait(10);
}

async function settle<T>(b: Binding, p: Promise<T>): Promise<T> {
  let done = false;
  p.then(() => (done = true), () => (done = true));
  await until(b, () => done);
  return p;
}

function contract(name: string, make: () => Promise<Binding>, enabled = true, title = name) {
  describe.skipIf(!enabled)(`pump link contract: ${title}`, () => {
    it('handshakes with authentication, takes a leased rate, reports it, refuses one over the limit with its reason, and stops', async () => {
      const b = await make();
      try {
        const link = new DeviceLink({ name, open: b.open, clock: b.clock, keyring: b.keyring });
        const pump = new InfusionPump(link, b.clock);
        link.start();
        await until(b, () => link.ready);
        expect(link.state, link.lastProblem).toBe('ready');
        expect(link.session.authenticated).toBe(true);
        expect(link.benchModeWarning).toBe('');
        expect(link.peer!.nodeRole).toBe(NodeRole.InfusionPump);
        await until(b, () => pump.limits !== null);
        expect(pump.limits!.maxRateMlPerH).toBe(600);
        expect(await settle(b, pump.setRate(30, 3000))).toBe(3000);
        await until(b, () => pump.status !== null && pump.status.state === PumpState.Running);
        expect(pump.status!.rateMlPerH).toBe(30);
        const err = await settle(b, pump.setRate(900, 3000)).catch((e) => e);
        expect(err).toBeInstanceOf(DeviceCommandError);
        expect((err as DeviceCommandError).reason).toBe('hard-limit');
        await settle(b, pump.stop());
        await until(b, () => pump.status!.state === PumpState.Stopped);
        expect(pump.status!.state).toBe(PumpState.Stopped);
        expect(link.session.counters.crcErrors).toBe(0);
        expect(link.session.counters.authErrors).toBe(0);
        link.close();
      } finally {
        b.stop();
      }
    }, 60_000);
  });
}

/** A pump bundle (or any program) on the emulator, in memory, on virtual time. */
function inMemory(program: () => Promise<string>, options: { storage?: Record<string, string>; serial?: string } = {}): () => Promise<Binding> {
  return async () => {
    const clock = new VirtualClock();
    const board = new BoardEmulator({ clock, serial: options.serial ?? 'memory-pump', storage: options.storage });
    board.load(await program());
    return { clock, open: async () => board.port('USB'), keyring: SIM_KEYRING, wait: (ms) => advanceSettling(clock, ms, ms), stop: () => undefined };
  };
}

contract('in-memory', inMemory(() => builtProgram('infusion-pump', boardById('pico'))));

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

contract('PIL', async () => {
  const board = await startPilBoard('infusion-pump', 'pico');
  return { clock: new SystemClock(), open: () => SerialTransport.open(board.path, 115200), keyring: SIM_KEYRING, wait: sleep, stop: board.stop };
});

const bin = espruinoBin();
const INTERPRETER_KEY = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
contract('real interpreter', async () => {
  // Provisioned as `homeostat flash --key-file` does: the key into the board's Storage before the firmware runs.
  const program = keyStorageStatement(INTERPRETER_KEY) + '\n' + await builtProgram('infusion-pump', boardById('linux'));
  const board = await espruinoOnPty(bin!, program);
  const key = keyFromHex(INTERPRETER_KEY);
  return { clock: new SystemClock(), open: async () => board.transport, keyring: { keyFor: () => key, describe: () => 'test' }, wait: sleep, stop: board.stop };
}, !!bin, 'real interpreter (set ESPRUINO_BIN to a Linux build to run)');

describe('what a host refuses', () => {
  async function refusal(b: Binding, o: { expectRole?: number } = {}): Promise<string> {
    const link = new DeviceLink({ name: 'port', open: b.open, clock: b.clock, keyring: b.keyring, expectRole: o.expectRole, helloTimeoutMs: 10_000 });
    link.start();
    await until(b, () => link.state === 'refused' || link.state === 'ready', 600);
    const outcome = `${link.state}: ${link.lastProblem}`;
    link.close();
    return outcome;
  }

  it('a node of protocol version 1 (its real firmware), saying what to rebuild and flash', async () => {
    const v1 = readFileSync(new URL('./fixtures/infusion-pump.pico.protocol-v1.js', import.meta.url), 'utf8');
    const why = await refusal(await inMemory(async () => v1)());
    expect(why).toMatch(/^refused: peer 'memory-pump' \(infusion-pump on pico, firmware 0\.1\.0\) speaks protocol version 1, this host 2: rebuild its firmware from this homeostat version and flash it with its key \(homeostat flash --node infusion-pump --board pico --port <port> --key-file <its key file>\)/);
  });

  it('a node without a key, which stays stopped', async () => {
    const b = await inMemory(() => builtProgram('infusion-pump', boardById('pico')), { storage: {} })();
    expect(await refusal(b)).toMatch(/^refused: peer 'memory-pump' \(infusion-pump on pico.*has no device key, so it refuses to actuate/);
  });

  it('a sensor on the port a pump was expected on', async () => {
    const b = await inMemory(() => builtProgram('bp-sensor', boardById('pico')), { serial: 'a-sensor' })();
    expect(await refusal(b, { expectRole: NodeRole.InfusionPump })).toMatch(/^refused: peer 'a-sensor' \(bp-sensor on pico.*is not the infusion-pump this link was opened for: check which port/);
  });
});
