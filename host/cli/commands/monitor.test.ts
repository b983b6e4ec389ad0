// `homeostat monitor` against a PIL pump: the command as a user runs it, on a real pseudo-terminal.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { PilBoard } from '../../../hil/pil/pil-rig.ts';
import { startPilBoard } from '../../../hil/pil/pil-rig.ts';
import { simKeyHex } from '../../../hil/emulator/sim-keys.ts';
import { addToKeyring } from '../../link/keyring.ts';

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
  it('prints the peer, its decoded telemetry and the link counters', async () => {
    board = await startPilBoard('infusion-pump', 'pico');
    const r = spawnSync(process.execPath, [bin, 'monitor', '--port', board.path, '--seconds', '3'], {
      encoding: 'utf8', timeout: 20_000, env: { ...process.env, HOMEOSTAT_KEYRING: keyring },
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/link ready: session up with pil-infusion-pump/);
    expect(r.stdout).toMatch(/peer 'pil-infusion-pump' \(infusion-pump on pico/);
    expect(r.stdout).toMatch(/PumpStatus \{"tMs":\d+,"state":0/);
    expect(r.stdout).toMatch(/counters \{"framesRx":\d+,"crcErrors":0/);
  }, 30_000);

  it('keeps trying a port that is not there, saying why, without freezing', () => {
    const r = spawnSync(process.execPath, [bin, 'monitor', '--port', '/dev/homeostat-no-such-port', '--seconds', '1'], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/link reconnecting: cannot open serial port \/dev\/homeostat-no-such-port.*trying again in 100 ms/);
  });

  it('says clearly when no device has the USB serial number given', () => {
    const r = spawnSync(process.execPath, [bin, 'monitor', '--port', 'NO-SUCH-DEVICE-SERIAL', '--seconds', '1'], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no serial port has the USB serial number 'NO-SUCH-DEVICE-SERIAL'/);
  });
});
