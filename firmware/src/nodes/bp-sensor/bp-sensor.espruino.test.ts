// The bp-sensor bundle for the `linux` board on the real Espruino interpreter behind a pseudo-terminal.
// The Linux build has no ADC behind Waveform, so this tier checks loading, the handshake and command
// handling; beat detection is checked in the emulator and on the detector itself.
import { afterAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../../../host/clock/system-clock.ts';
import { keyStorageStatement } from '../../../../host/link/keyring.ts';
import { espruinoBin } from '../../../../hil/espruino/espruino-interpreter.ts';
import { keyedHost } from '../../../../hil/espruino/keyed-host.testing.ts';
import type { EspruinoOnPty } from '../../../../hil/espruino/espruino-on-pty.ts';
import { espruinoOnPty } from '../../../../hil/espruino/espruino-on-pty.ts';
import { boardById, builtProgram } from '../../../../hil/emulator/emulated-node.ts';
import { BoardId, MsgId, NackReason, NodeRole, writePressureWaveformRequest } from '../../../../protocols/generated/wire-codec.ts';

const KEY = '5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a';
const bin = espruinoBin();

describe.skipIf(!bin)('bp-sensor on the real Espruino interpreter (set ESPRUINO_BIN to a Linux build to run)', () => {
  let board: EspruinoOnPty | null = null;
  afterAll(() => board?.stop());

  it('says hello over a pseudo-terminal and answers a waveform request, in range and out of it', async () => {
    // Its key provisioned in Storage first, as `homeostat flash --key-file` does.
    board = await espruinoOnPty(bin!, keyStorageStatement(KEY) + '\n' + await builtProgram('bp-sensor', boardById('linux')));
    const { host, events } = await keyedHost(board.transport, new SystemClock(), KEY);
    expect(events).toEqual([`ready ${NodeRole.BpSensor} ${BoardId.Linux}`]);
    const request = (sampleCount: number) =>
      new Promise<number>((resolve) => host.sendCommand(MsgId.PressureWaveformRequest, writePressureWaveformRequest, { sampleCount }, resolve));
    expect(await request(100)).toBe(0);
    expect(await request(0)).toBe(NackReason.OutOfRange);
    host.stop();
    expect(board.console()).not.toMatch(/Uncaught/);
  }, 60_000);
});
