// The patient-emulator bundle for the `linux` board on the real Espruino interpreter behind a
// pseudo-terminal, driven by a host session through the real serialport package. The Linux build has no
// GPIO to pulse, so step counting is shown in the emulator (patient-emulator.test.ts); here: the link, the
// command and its checks, and a status stream that keeps its pace while the output loop runs at 250 Hz.
import { afterAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../../../host/clock/system-clock.ts';
import { keyStorageStatement } from '../../../../host/link/keyring.ts';
import { espruinoBin } from '../../../../hil/espruino/espruino-interpreter.ts';
import { keyedHost } from '../../../../hil/espruino/keyed-host.testing.ts';
import type { EspruinoOnPty } from '../../../../hil/espruino/espruino-on-pty.ts';
import { espruinoOnPty } from '../../../../hil/espruino/espruino-on-pty.ts';
import { boardById, builtProgram } from '../../../../hil/emulator/emulated-node.ts';
import type { PatientStatusValues } from '../../../../protocols/generated/wire-codec.ts';
import { BoardId, MsgId, NackReason, NodeRole, readPatientStatus, writePatientSetWaveform } from '../../../../protocols/generated/wire-codec.ts';

const KEY = '3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c';
const bin = espruinoBin();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!bin)('patient-emulator on the real Espruino interpreter (set ESPRUINO_BIN to a Linux build to run)', () => {
  let board: EspruinoOnPty | null = null;
  afterAll(() => board?.stop());

  it('says hello as the patient emulator, plays the beats it is sent, refuses a peak under the foot, and reports every 250 ms', async () => {
    const program = await builtProgram('patient-emulator', boardById('linux'));
    // Its key provisioned in Storage first, as `homeostat flash --key-file` does.
    board = await espruinoOnPty(bin!, keyStorageStatement(KEY) + '\n' + program);
    expect(board.console()).not.toMatch(/Uncaught|ERROR/);
    const clock = new SystemClock();
    const statuses: (PatientStatusValues & { atMs: number })[] = [];
    const { host, events } = await keyedHost(board.transport, clock, KEY, (id, buf, s, e) => {
      if (id === MsgId.PatientStatus) statuses.push({ ...readPatientStatus(buf, s, e)!, atMs: clock.now() });
    });
    expect(events).toEqual([`ready ${NodeRole.PatientEmulator} ${BoardId.Linux}`]);
    const play = (systolicMmHg: number, diastolicMmHg: number, heartRateBpm: number) =>
      new Promise<number>((resolve) => host.sendCommand(MsgId.PatientSetWaveform, writePatientSetWaveform, { systolicMmHg, diastolicMmHg, heartRateBpm }, resolve));
    expect(await play(70, 110, 60)).toBe(NackReason.OutOfRange);
    expect(await play(118, 72.5, 120)).toBe(0);
    const t0 = clock.now();
    await sleep(2600);
    host.stop();
    const after = statuses.filter((s) => s.atMs > t0 + 600);
    // Taken up at the next foot: within one beat (0.5 s at 120/min) of the command.
    expect(after.length).toBeGreaterThan(0);
    for (const s of after) expect(s).toMatchObject({ systolicMmHg: 118, diastolicMmHg: 72.5, heartRateBpm: 120, stepCount: 0 });
    // About ten reports in 2.6 s: the 250 Hz output loop leaves the link its time.
    expect(statuses.filter((s) => s.atMs > t0).length).toBeGreaterThanOrEqual(8);
    expect(host.counters.crcErrors).toBe(0);
    expect(board.console()).not.toMatch(/Uncaught/);
  }, 180_000);
});
