// `homeostat monitor` against a PIL pump: the command as a user runs it, on a real pseudo-terminal.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { PilBoard } from '../../../hil/pil/pil-rig.ts';
import { startPilBoard } from '../../../hil/pil/pil-rig.ts';
import { simKeyHex } from '../../../hil/emulator/sim-keys.ts';
import { addToKeyring } from '../../link/keyring.ts';
import { startCli } from '../testing/run-cli.ts';

const bin = fileURLToPath(new URL('../bin.js', import.meta.url));
let board: PilBoard | null = null;
// The user's keyring, as `homeostat flash --key-file` leaves it: here with the PIL board's key.
const keyringDir = mkdtempSync(join(tmpdir(), 'homeostat-keyring-'));
const keyring = join(keyringDir, 'keyring.json');
addToKeyring(keyring, 'pil-infusion-pump', simKeyHex('pil-infusion-pump'));
afterAll(() => {
  board?.stop();
  rmSync(keyringDir, { recursive: true, force: true });
});

describe('homeostat monitor', () => {
  it('prints the peer and its telemetry with codes by name, sends PumpStop on `stop`, logs to a file, and ends with 0 on Ctrl-C', async () => {
    board = await startPilBoard('infusion-pump', 'pico');
    const log = join(mkdtempSync(join(tmpdir(), 'monitor-')), 'monitor.log');
    const run = startCli(['monitor', '--port', board.path, '--hex', '--log', log], { ...process.env, HOMEOSTAT_KEYRING: keyring });
    await run.waitFor(/link ready/);
    run.child.stdin!.write('stop\n');
    await run.waitFor(/PumpStop acknowledged/);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
    const out = run.stdout();
    expect(out).toMatch(/link ready: session up with pil-infusion-pump/);
    expect(out).toMatch(/peer 'pil-infusion-pump' \(infusion-pump on pico/);
    expect(out).toMatch(/PumpStatus \{"tMs":\d+,"state":"stopped",.*"alarms":\[\]/);
    // Hex mode: the Hello we sent and the frames received, as bytes a user can paste into `decode`.
    expect(out).toMatch(/tx [0-9a-f]+00\n/);
    expect(out).toMatch(/rx [0-9a-f]+00\n/);
    expect(out).toMatch(/counters \{"framesRx":\d+,"crcErrors":0/);
    expect(readFileSync(log, 'utf8')).toContain('PumpStop acknowledged');
    expect(await run.leftBehind()).toEqual([]);
  }, 30_000);

  it('exits 1 saying why when no session ever came up, and 143 on SIGTERM', async () => {
    const timed = spawnSync(process.execPath, [bin, 'monitor', '--port', '/dev/homeostat-no-such-port', '--seconds', '1'], { encoding: 'utf8', timeout: 20_000 });
    expect(timed.stdout).toMatch(/link reconnecting: cannot open serial port \/dev\/homeostat-no-such-port.*trying again in 100 ms/);
    expect(timed.stderr).toMatch(/no session with the device on \/dev\/homeostat-no-such-port: cannot open serial port/);
    expect(timed.status).toBe(1);
    const endless = startCli(['monitor', '--port', '/dev/homeostat-no-such-port']);
    await endless.waitFor(/link reconnecting/);
    endless.child.kill('SIGTERM');
    expect(await endless.exited).toBe(143);
  }, 30_000);

  it('says clearly when no device has the USB serial number given', () => {
    const r = spawnSync(process.execPath, [bin, 'monitor', '--port', 'NO-SUCH-DEVICE-SERIAL', '--seconds', '1'], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no serial port has the USB serial number 'NO-SUCH-DEVICE-SERIAL'/);
  });
});
