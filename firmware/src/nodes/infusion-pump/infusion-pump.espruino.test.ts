// The infusion-pump bundle for the `linux` board on the real Espruino interpreter behind a pseudo-terminal,
// its key provisioned in Storage, driven by the host session through the real serialport package: the
// authenticated session, the lease, forged and replayed frames, and a run of commands long enough to
// show the MAC's allocations do not wear the interpreter's memory down.
import { afterAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../../../host/clock/system-clock.ts';
import { keyStorageStatement } from '../../../../host/link/keyring.ts';
import { espruinoBin } from '../../../../hil/espruino/espruino-interpreter.ts';
import { keyedHost } from '../../../../hil/espruino/keyed-host.testing.ts';
import type { EspruinoOnPty } from '../../../../hil/espruino/espruino-on-pty.ts';
import { espruinoOnPty } from '../../../../hil/espruino/espruino-on-pty.ts';
import { boardById, builtProgram } from '../../../../hil/emulator/emulated-node.ts';
import { crc32Range } from '../../../../protocols/framing/crc32.ts';
import { HEADER_BYTES, TRAILER_BYTES } from '../../../../protocols/framing/frame-format.ts';
import { FrameEncoder } from '../../../../protocols/framing/framer.ts';
import { BoardId, MsgId, NackReason, NodeRole, PumpState, readPumpStatus, writePumpSetRate } from '../../../../protocols/generated/wire-codec.ts';

const bin = espruinoBin();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const KEY = '0123456789abcdef0123456789abcdef';

describe.skipIf(!bin)('infusion-pump on the real Espruino interpreter (set ESPRUINO_BIN to a Linux build to run)', () => {
  let board: EspruinoOnPty | null = null;
  afterAll(() => board?.stop());

  it('opens an authenticated session, takes a leased rate, refuses one over its limit, ignores forged and replayed frames, and falls to the safe rate when the lease lapses', async () => {
    const program = keyStorageStatement(KEY) + '\n' + await builtProgram('infusion-pump', boardById('linux'));
    board = await espruinoOnPty(bin!, program);
    expect(board.console()).not.toMatch(/Uncaught|ERROR/);
    const clock = new SystemClock();
    const statuses: { state: number; rateMlPerH: number; atMs: number }[] = [];
    const sent: Uint8Array[] = [];
    const transport = board.transport;
    // The host's own frames are kept, to replay them as an attacker on the line would.
    const recording = { write: (b: Uint8Array) => (sent.push(Uint8Array.from(b)), transport.write(b)), onBytes: transport.onBytes.bind(transport), close: () => transport.close() };
    const { host, events } = await keyedHost(recording, clock, KEY, (id, buf, s, e) => {
      if (id === MsgId.PumpStatus) {
        const v = readPumpStatus(buf, s, e)!;
        statuses.push({ state: v.state, rateMlPerH: v.rateMlPerH, atMs: clock.now() });
      }
    }, 3000);
    expect(events).toEqual([`ready ${NodeRole.InfusionPump} ${BoardId.Linux}`]);
    expect(host.authenticated).toBe(true);
    const cmd = (rateMlPerH: number, leaseMs: number) =>
      new Promise<number>((resolve) => host.sendCommand(MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH, leaseMs }, resolve));
    expect(await cmd(900, 1000)).toBe(NackReason.HardLimit);

    // A forged rate (a good CRC, no key) and every frame the host sent so far, replayed: none moves the pump.
    const enc = new FrameEncoder(crc32Range, 2);
    const end = writePumpSetRate(enc.raw, HEADER_BYTES, { rateMlPerH: 77, leaseMs: 30_000 });
    enc.raw.fill(0x5a, end, end + TRAILER_BYTES);
    transport.write(enc.encode(200, MsgId.PumpSetRate, end + TRAILER_BYTES - HEADER_BYTES));
    for (const f of sent.slice()) transport.write(f);
    await sleep(500);
    expect(statuses.every((s) => s.rateMlPerH === 0)).toBe(true);

    // A run of renewals, as a host holding a rate sends them (faster here): the node keeps up, in memory.
    for (let i = 0; i < 60; i++) expect(await cmd(20, 5000)).toBe(0);
    const t0 = clock.now();
    expect(await cmd(50, 1500)).toBe(0);
    await sleep(2500);
    host.stop();
    const running = statuses.find((s) => s.state === PumpState.Running && s.rateMlPerH === 50);
    const safe = statuses.find((s) => s.state === PumpState.SafeRate);
    expect(running).toBeDefined();
    expect(safe).toBeDefined();
    // Real time: the safe state comes before the lease the host believes in ends (t0 + 1500 ms at the
    // latest, plus the status's way back), and not much earlier.
    expect(safe!.atMs - t0).toBeGreaterThan(1000);
    expect(safe!.atMs - t0).toBeLessThan(1500 + 300);
    expect(host.counters.crcErrors).toBe(0);
    // (The Linux build has no ADC: its "Analog is not supported" for the force input is expected.)
    expect(board.console()).not.toMatch(/Uncaught|OUT OF MEMORY|Not enough memory/);
  }, 60_000);
});
