// `homeostat rig check`: what is attached and what is missing, from a port list and uhubctl's answer; and
// through the installed command, a bad rig file named with its line and field.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { rigCheck } from './rig-check.ts';
import type { RigProbe } from './rig-check.ts';

const example = fileURLToPath(new URL('../../../hil/rigs/benches/pico-bench.rig.yaml', import.meta.url));
const bin = fileURLToPath(new URL('../bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'homeostat-rig-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const probe = (serials: string[], uhubctl: string | Error): RigProbe => ({
  listPorts: async () => serials.map((s, i) => ({ path: `/dev/ttyACM${i}`, serialNumber: s })),
  run: async () => {
    if (uhubctl instanceof Error) throw uhubctl;
    return uhubctl;
  },
});

describe('rig check', () => {
  it('ready when every port is listed under its serial number and uhubctl knows the hub port', async () => {
    const r = await rigCheck(example, probe(['3276375A3339', '3276375B3339', 'OTHER1'], 'Current status for hub 1-1 [2109:2817]\n  Port 1: 0100 power\n  Port 2: 0100 power\n'));
    expect(r.ok).toBe(true);
    expect(r.lines.join('\n')).toContain('  sensor-usb     serial-port  USB serial 3276375A3339  found at /dev/ttyACM0');
    expect(r.lines).toContain('other ports attached: /dev/ttyACM2 (OTHER1)');
    expect(r.lines.at(-1)).toBe('ready: everything the rig names is attached');
  });

  it('not ready: says which port is missing and why the power port cannot be switched', async () => {
    const r = await rigCheck(example, probe(['3276375A3339'], new Error('uhubctl is not installed: apt-get install uhubctl')));
    expect(r.ok).toBe(false);
    const text = r.lines.join('\n');
    expect(text).toContain('  pump-usb       serial-port  USB serial 3276375B3339  MISSING: no port with this serial number');
    expect(text).toContain('  pump-hub-port  power-port   uhubctl hub 1-1 port 2   MISSING: uhubctl is not installed: apt-get install uhubctl');
    expect(r.lines.at(-1)).toBe('not ready: 2 problems above');
  });

  it('the installed command refuses a bad rig file naming its line and field, exit 1', () => {
    const bad = join(dir, 'bad.rig.yaml');
    writeFileSync(bad, readFileSync(example, 'utf8').replace('    power: pump-hub-port', '    power: pump-hub'));
    const r = spawnSync(process.execPath, [bin, 'rig', 'check', bad], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^homeostat: .*bad\.rig\.yaml:34:12: nodes\.infusion-pump\.power: no power-port resource 'pump-hub'; the power-port resources are: pump-hub-port/);
  });
});
