// The neurostimulator bundle for the `linux` board on the real Espruino interpreter behind a pseudo-terminal,
// its key provisioned in Storage, driven by the authenticated host session through the real serialport package. The Linux build has no ADC behind
// Waveform, so beta sensing is checked in the emulator and, for the native FFT it rests on, by
// beta-estimator-on-espruino.test.ts; this tier checks loading, the handshake, the window, the lease and the
// ramp to the fallback amplitude on the interpreter itself.
import { afterAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../../../host/clock/system-clock.ts';
import { keyStorageStatement } from '../../../../host/link/keyring.ts';
import { espruinoBin } from '../../../../hil/espruino/espruino-interpreter.ts';
import { keyedHost } from '../../../../hil/espruino/keyed-host.testing.ts';
import type { EspruinoOnPty } from '../../../../hil/espruino/espruino-on-pty.ts';
import { espruinoOnPty } from '../../../../hil/espruino/espruino-on-pty.ts';
import { boardById, builtProgram } from '../../../../hil/emulator/emulated-node.ts';
import {
  AlarmCode, BoardId, MsgId, NackReason, NodeRole, StimAlarmFlags, StimState, readAlarm, readStimStatus, writeStimSetAmplitude,
} from '../../../../protocols/generated/wire-codec.ts';
import type { NeurostimBoardConfig } from '../../board-config.ts';

const bin = espruinoBin();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const KEY = '00112233445566778899aabbccddeeff';

describe.skipIf(!bin)('neurostimulator on the real Espruino interpreter (set ESPRUINO_BIN to a Linux build to run)', () => {
  let board: EspruinoOnPty | null = null;
  afterAll(() => board?.stop());

  it('says hello, ramps to its fallback from boot, takes a leased amplitude, refuses one outside its window, and ramps back to the fallback when the lease lapses', async () => {
    const linux = boardById('linux');
    const l = (linux.nodes.neurostimulator as NeurostimBoardConfig).limits;
    // Its key provisioned in Storage first, as `homeostat flash --key-file` does.
    board = await espruinoOnPty(bin!, keyStorageStatement(KEY) + '\n' + await builtProgram('neurostimulator', linux));
    expect(board.console()).not.toMatch(/Uncaught/);
    const clock = new SystemClock();
    const statuses: { tMs: number; state: number; amplitudeMa: number; targetAmplitudeMa: number; alarms: number; atMs: number }[] = [];
    const alarms: number[][] = [];
    const { host, events } = await keyedHost(board.transport, clock, KEY, (id, buf, s, e) => {
      if (id === MsgId.StimStatus) statuses.push({ ...readStimStatus(buf, s, e)!, atMs: clock.now() });
      if (id === MsgId.Alarm) {
        const a = readAlarm(buf, s, e)!;
        alarms.push([a.code, a.state]);
      }
    });
    expect(events).toEqual([`ready ${NodeRole.Neurostim} ${BoardId.Linux}`]);
    await sleep(1200);
    const boot = statuses.at(-1)!;
    expect(boot.state).toBe(StimState.AwaitingHost);
    expect(boot.amplitudeMa).toBeCloseTo(l.fallbackMa, 3);
    let appliedMs = -1;
    const cmd = (amplitudeMa: number, leaseMs: number) => new Promise<number>((resolve) =>
      host.sendCommand(MsgId.StimSetAmplitude, writeStimSetAmplitude, { amplitudeMa, leaseMs }, (r, lease) => resolve((appliedMs = lease, r))));
    expect(await cmd(l.windowMaxMa + 0.5, 1000)).toBe(NackReason.HardLimit);
    const t0 = clock.now();
    expect(await cmd(1, 1500)).toBe(0);
    expect(appliedMs).toBe(1500); // the Ack says the lease applied
    await sleep(700);
    const held = statuses.filter((s) => s.atMs > t0 && s.state === StimState.Stimulating);
    expect(held.at(-1)!.targetAmplitudeMa).toBe(1);
    await sleep(1800);
    host.stop();
    const lapsed = statuses.find((s) => s.state === StimState.RampingDown)!;
    expect(lapsed.alarms & StimAlarmFlags.LeaseExpired).toBe(StimAlarmFlags.LeaseExpired);
    expect(lapsed.targetAmplitudeMa).toBe(l.fallbackMa);
    // Real time: the lapse is reported after the lease, within a control tick and some slack.
    expect(lapsed.atMs - t0).toBeGreaterThan(1400);
    expect(lapsed.atMs - t0).toBeLessThan(1500 + 300);
    expect(statuses.at(-1)!.amplitudeMa).toBeCloseTo(l.fallbackMa, 3);
    // Every pair of reports (by the node's own clock) moved the amplitude no faster than the ramp limits allow, plus a tick.
    for (let i = 1; i < statuses.length; i++) {
      const dtS = (statuses[i].tMs - statuses[i - 1].tMs + 20) / 1000;
      const d = statuses[i].amplitudeMa - statuses[i - 1].amplitudeMa;
      expect(d).toBeLessThanOrEqual(l.rampUpMaPerS * dtS + 0.001);
      expect(-d).toBeLessThanOrEqual(l.rampDownMaPerS * dtS + 0.001);
    }
    expect(alarms).toContainEqual([AlarmCode.HardLimitClamped, 1]);
    expect(alarms).toContainEqual([AlarmCode.LeaseExpired, 1]);
    expect(host.counters.crcErrors).toBe(0);
    expect(board.console()).not.toMatch(/Uncaught/);
  }, 60_000);
});
