// The installed command, run as a user would run it.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('sim bp runs patients in worker threads, writes the report, metrics and records; replay reproduces a record', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-bp-'));
    const scenario = JSON.parse(readFileSync(new URL('../../hil/sim/scenarios/default.scenario.json', import.meta.url), 'utf8'));
    writeFileSync(join(dir, 'short.scenario.json'), JSON.stringify({ ...scenario, durationMin: 12, disturbances: [] }));
    const out = join(dir, 'out');
    // 12 minutes is short: thresholds for a short run, which these two patients meet.
    const lenient = { maxSettlingMin: 7, minTimeInBand5AfterSettlingPct: 50, maxOvershootMmHg: 10, maxTimeBeyondLimitPct: 0 };
    writeFileSync(join(dir, 'short.acceptance.json'), JSON.stringify(lenient));
    const r = run('sim', 'bp', '--patients', '2', '--workers', '2', '--scenario', join(dir, 'short.scenario.json'), '--acceptance', join(dir, 'short.acceptance.json'), '--out', out);
    expect(r.stderr + r.stdout).toMatch(/2\/2 patients/);
    expect(r.stdout).toMatch(/acceptance: all 2 patients passed/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^cohort\s+2\s+/m);
    expect(r.stdout).toMatch(/2 worker threads/);
    for (const f of ['index.html', 'metrics.json', 'metrics.csv', 'patients/default-001.html']) expect(existsSync(join(out, f)), f).toBe(true);
    const records = readdirSync(join(out, 'records'));
    expect(records).toHaveLength(2);
    const replay = run('replay', join(out, 'records', records[0]));
    expect(replay.stdout).toMatch(/identical: 144 of 144/);
    expect(replay.status).toBe(0);
    // The same run against thresholds it cannot meet exits non-zero and names each patient and threshold.
    writeFileSync(join(dir, 'strict.acceptance.json'), JSON.stringify({ ...lenient, maxSettlingMin: 1 }));
    const strict = run('sim', 'bp', '--patients', '1', '--workers', '1', '--scenario', join(dir, 'short.scenario.json'), '--acceptance', join(dir, 'strict.acceptance.json'), '--out', join(dir, 'strict'));
    expect(strict.stdout).toMatch(/acceptance: 1 of 1 patients failed:\n  default-001: settled after [\d.]+ min \(at most 1\)/);
    expect(strict.status).toBe(1);
  }, 90_000);

  it('sim bp refuses a bad scenario file naming the file, the field and the allowed range', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-bp-'));
    const scenario = JSON.parse(readFileSync(new URL('../../hil/sim/scenarios/default.scenario.json', import.meta.url), 'utf8'));
    writeFileSync(join(dir, 'bad.scenario.json'), JSON.stringify({ ...scenario, targetMmHg: 300 }));
    const r = run('sim', 'bp', '--scenario', join(dir, 'bad.scenario.json'), '--out', join(dir, 'out'));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/bad\.scenario\.json: targetMmHg: .*150/);
  });
});
