// The PIL level's board: one built firmware bundle in the board emulator as its own process, in real
// time, on one end of a pseudo-terminal pair; the host opens the other end with the serialport package.
// The emulator's clock follows the wall clock, and its port paces bytes to the board's baud rate (a
// pseudo-terminal does not). --wrong-baud garbles every byte, as a mismatched baud rate would.
//   node --import tsx hil/pil/pil-board.ts --node infusion-pump --board pico --tty <path> [--wrong-baud]
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { VirtualClock } from '../../protocols/clock/virtual-clock.ts';
import { SerialTransport } from '../../host/transport/serial-transport.ts';
import { BoardEmulator } from '../emulator/board-emulator.ts';
import { boardById, builtProgram } from '../emulator/emulated-node.ts';
import { benchWorld } from '../sim/nodes/bench-world.ts';
import { seededRandom } from '../../protocols/testing/seeded-random.ts';
import { ResponderSession } from '../../protocols/session/responder-session.ts';
import { randomBytes } from 'node:crypto';
import { nodeSha256 } from '../../host/link/host-session.ts';
import { keyFromHex } from '../../host/link/keyring.ts';
import { simKeyHex } from '../emulator/sim-keys.ts';
import { LINK_TIMINGS } from '../../protocols/session/session-config.ts';
import { crc32Range } from '../../protocols/framing/crc32.ts';
import { BoardId, MsgId, NodeRole, isCommandId, writePressureWaveform } from '../../protocols/generated/wire-codec.ts';
import type { NodeName } from '../../firmware/build/firmware-build.ts';

const { values } = parseArgs({
  options: {
    node: { type: 'string' },
    board: { type: 'string', default: 'pico' },
    tty: { type: 'string' },
    'wrong-baud': { type: 'boolean', default: false },
  },
});
if (!values.node || !values.tty) {
  console.error('usage: pil-board --node <infusion-pump|bp-sensor> --board <id> --tty <pseudo-terminal path> [--wrong-baud]');
  process.exit(2);
}
const boardConfig = boardById(values.board!);
const clock = new VirtualClock();
const board = new BoardEmulator({ clock, serial: `pil-${values.node}`, variables: boardConfig.variables, nativeSha256: boardConfig.nativeSha256 });
const flood = values.node === 'telemetry-flood';
if (!flood) board.load(await builtProgram(values.node as NodeName, boardConfig));
const port = board.port(boardConfig.uart.port, 0);
if (flood) {
  // Not firmware: a bench source that keeps the line full of 100-sample PressureWaveform frames.
  const samples = Array.from({ length: 100 }, (_, i) => 80 + 40 * Math.sin(i / 8));
  const device = board.deviceSide(boardConfig.uart.port);
  const session = new ResponderSession(
    {
      clock, crc: crc32Range, sha256: nodeSha256, timings: LINK_TIMINGS, isCommand: isCommandId, bench: false,
      deviceKey: keyFromHex(simKeyHex('flood')), random: () => randomBytes(4).readUInt32LE(0),
      identity: { nodeRole: NodeRole.BpSensor, boardId: BoardId.Emulator, firmwareMajor: 0, firmwareMinor: 1, firmwarePatch: 0, uniqueId: 'flood' },
    },
    { output: (b) => device.write(b), command: () => 0 },
  );
  device.onData((b) => session.receive(b));
  clock.every(5, () => {
    while (session.state === 'ready' && port.backlogMs() < 40) {
      session.send(MsgId.PressureWaveform, writePressureWaveform, { tMs: Math.round(clock.now()), samplePeriodUs: 8000, samplesMmHg: samples });
    }
  });
  session.start();
} else {
  const model = benchWorld(values.node as NodeName, board, boardConfig, clock);
  // What was delivered, for the host-fault tests that read it beside the host's own account.
  const truth = model?.truth;
  if (truth && values.node === 'infusion-pump') clock.every(1000, () => console.log(`PIL delivered ${truth().deliveredMl.toFixed(4)} mL at ${clock.now().toFixed(0)} ms`));
}
const tty = await SerialTransport.open(values.tty!, boardConfig.uart.baud);
// Read at the wrong rate, a byte comes out as another, often 0x00 (a start bit taken for data): random
// bytes, one in eight of them zero.
const random = seededRandom(7);
const garble = (b: Uint8Array) =>
  values['wrong-baud'] ? b.map(() => (random() < 0.125 ? 0 : 1 + Math.floor(random() * 255))) : b;
tty.onBytes((b) => port.write(garble(b)));
port.onBytes((b) => tty.write(garble(b)));
// Real time: the emulator's clock catches up with the wall clock every millisecond.
const t0 = performance.now();
setInterval(() => clock.runUntil(performance.now() - t0), 1);
console.log(`PIL ready ${values.node} on ${values.tty}`);
