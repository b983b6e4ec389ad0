// The real drivers where they can run here: the SCPI source over a real pseudo-terminal with the
// serialport package; uhubctl, which needs a hub with port power switching, through a stand-in program
// on PATH that records its arguments (the hub itself cannot be attached here).
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SerialTransport } from '../../host/transport/serial-transport.ts';
import { ptyPair } from '../pil/pil-rig.ts';
import { scpiSource, uhubctlPower } from './rig-drivers.ts';
import { powerPortResource, voltageSourceResource } from './rig-schema.ts';

const dir = mkdtempSync(join(tmpdir(), 'homeostat-rig-drivers-'));
const cleanup: (() => void)[] = [() => rmSync(dir, { recursive: true, force: true })];
afterAll(() => cleanup.forEach((c) => c()));

function withPath<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const was = process.env.PATH;
  process.env.PATH = path;
  return fn().finally(() => (process.env.PATH = was));
}

describe('real rig drivers', () => {
  it('uhubctl: switches the hub port named in the rig; a failure and a missing program say what to do', async () => {
    const log = join(dir, 'uhubctl.log');
    const write = (script: string) => {
      writeFileSync(join(dir, 'uhubctl'), script);
      chmodSync(join(dir, 'uhubctl'), 0o755);
    };
    const power = uhubctlPower(powerPortResource.parse({ kind: 'power-port', driver: 'uhubctl', hub: '1-1.4', port: 3 }));
    write(`#!/bin/sh\necho "$@" >> ${log}\n`);
    await withPath(dir, () => power.set(false));
    await withPath(dir, () => power.set(true));
    expect(readFileSync(log, 'utf8')).toBe('-l 1-1.4 -p 3 -a off\n-l 1-1.4 -p 3 -a on\n');
    write('#!/bin/sh\necho "Permission denied. Try running as root!" >&2\nexit 1\n');
    await expect(withPath(dir, () => power.set(true))).rejects.toThrow('uhubctl -l 1-1.4 -p 3 -a on failed (exit 1): Permission denied. Try running as root!');
    await expect(withPath(join(dir, 'nowhere'), () => power.set(true))).rejects.toThrow(/uhubctl is not installed: apt-get install uhubctl/);
  });

  it('SCPI source: sets the level and turns the output on over a real serial line; refuses a level above maxV', async () => {
    const host = join(dir, 'psu-host');
    const instrument = join(dir, 'psu');
    const socat = await ptyPair(host, instrument);
    cleanup.push(() => socat.kill('SIGKILL'));
    const psu = await SerialTransport.open(instrument, 9600);
    cleanup.push(() => psu.close());
    let heard = '';
    psu.onBytes((b) => (heard += Buffer.from(b).toString('latin1')));
    const r = voltageSourceResource.parse({ kind: 'voltage-source', driver: 'scpi', port: 'psu-usb', channel: 2, maxV: 3.3 });
    const source = scpiSource('pressure-in', r, () => SerialTransport.open(host, 9600));
    cleanup.push(() => source.close());
    await source.setVolts(1.25);
    await source.setVolts(0.5);
    await expect(source.setVolts(5)).rejects.toThrow('pressure-in: 5 V is outside 0..3.3 V (the rig\'s maxV for this source)');
    for (let i = 0; i < 100 && !heard.includes('0.5000'); i++) await new Promise((res) => setTimeout(res, 20));
    expect(heard).toBe('SOUR2:VOLT 1.2500\nOUTP2 ON\nSOUR2:VOLT 0.5000\n');
  });
});
