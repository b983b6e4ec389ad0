// The infusion-pump bundle for the `linux` board on the real Espruino interpreter behind a pseudo-terminal,
// driven by the host session through the real serialport package.
import { afterAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../../../host/clock/system-clock.ts';
import { hostSession } from '../../../../host/link/host-session.ts';
import { espruinoBin } from '../../../../hil/espruino/espruino-interpreter.ts';
import type { EspruinoOnPty } from '../../../../hil/espruino/espruino-on-pty.ts';
import { espruinoOnPty } from '../../../../hil/espruino/espruino-on-pty.ts';
import { boardById, builtProgram } from '../../../../hil/emulator/emulated-node.ts';
import { BoardId, MsgId, NackReason, PumpState, readPumpStatus, writePumpSetRate } from '../../../../protocols/generated/wire-codec.ts';

const bin = espruinoBin();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!bin)('infusion-pump on the real Espruino interpreter (set ESPRUINO_BIN to a Linux build to run)', () => {
  let board: EspruinoOnPty | null = null;
  afterAll(() => board?.stop());

  it('says hello over a pseudo-terminal, takes a leased rate, refuses one over its limit, and falls to the safe rate when the lease lapses', async () => {
    const program = await builtProgram('infusion-pump', boardById('linux'));
    board = await espruinoOnPty(bin!, program);
    expect(board.console()).not.toMatch(/Uncaught|ERROR/);
    const clock = new SystemClock();
    const statuses: { state: number; rateMlPerH: number; atMs: number }[] = [];
    const events: string[] = [];
    const host = hostSession(board.transport, clock, {
      message: (id, buf, s, e) => {
        if (id === MsgId.PumpStatus) {
          const v = readPumpStatus(buf, s, e)!;
          statuses.push({ state: v.state, rateMlPerH: v.rateMlPerH, atMs: clock.now() });
        }
      },
      ready: (p) => events.push(`ready ${p.boardId}`),
      lost: (why) => events.push(`lost ${why}`),
      refused: (why) => events.push(`refused ${why}`),
    });
    host.start();
    for (let i = 0; i < 200 && !host.ready; i++) await sleep(10);
    expect(events).toEqual([`ready ${BoardId.Linux}`]);
    const cmd = (rateMlPerH: number, leaseMs: number) =>
      new Promise<number>((resolve) => host.sendCommand(MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH, leaseMs }, resolve));
    expect(await cmd(900, 1000)).toBe(NackReason.HardLimit);
    const t0 = clock.now();
    expect(await cmd(50, 1500)).toBe(0);
    await sleep(2500);
    host.stop();
    const running = statuses.find((s) => s.state === PumpState.Running && s.rateMlPerH === 50);
    const safe = statuses.find((s) => s.state === PumpState.SafeRate);
    expect(running).toBeDefined();
    expect(safe).toBeDefined();
    // Real time: the safe state is reported after the lease, within the lease plus a tick and some slack.
    expect(safe!.atMs - t0).toBeGreaterThan(1400);
    expect(safe!.atMs - t0).toBeLessThan(1500 + 100 + 300);
    expect(host.counters().crcErrors).toBe(0);
    expect(board.console()).not.toMatch(/Uncaught/);
  }, 60_000);
});
