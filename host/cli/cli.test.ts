// The installed command, run as a user would run it.
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadGolden } from '../../protocols/golden/golden-file.ts';

const bin = fileURLToPath(new URL('./bin.js', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

describe('homeostat command', () => {
  it('--help lists its commands', () => {
    const out = execFileSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    expect(out).toMatch(/Usage: homeostat/);
    expect(out).toMatch(/demo/);
    expect(out).toMatch(/decode/);
  });

  it('decode prints a golden frame\'s fields and explains a broken one', () => {
    const v = loadGolden().frames.find((f) => f.message === 'PumpSetRate')!;
    const good = run('decode', v.hex);
    expect(good.status).toBe(0);
    expect(good.stdout).toContain('PumpSetRate');
    expect(good.stdout).toContain('"rateMlPerH":12.5');
    const bad = run('decode', v.hex.slice(0, 10) + 'ff' + v.hex.slice(12));
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/CRC check failed/);
    const junk = run('decode', 'hello');
    expect(junk.stdout).toMatch(/not a hex byte string/);
  });

  it('refuses an option out of range with the allowed range', () => {
    const r = run('demo', 'pump', '--rate', '9000');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--rate must be a number from 0 to 100, got '9000'/);
  });
});
