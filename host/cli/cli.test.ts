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

  it('--version names the release, the protocol version and the message layout', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8' })).toMatch(new RegExp(`^homeostat ${pkg.version} \\(protocol version 2, message layout 0x[0-9a-f]{8}\\)\\n$`));
  });

  it('decode takes a frame with a 0x prefix, names its codes, and reads frames from stdin line by line', () => {
    const v = loadGolden().frames.find((f) => f.message === 'PumpSetRate')!;
    const good = run('decode', `0x${v.hex}`);
    expect(good.status).toBe(0);
    expect(good.stdout).toMatch(/^seq \d+ PumpSetRate \(0x[0-9a-f]{2}\) \{.*"rateMlPerH":12\.5/);
    const status = loadGolden().frames.find((f) => f.message === 'PumpStatus')!;
    const spaced = status.hex.match(/../g)!.map((b) => `0x${b}`).join(' ');
    const broken = v.hex.slice(0, 10) + 'ff' + v.hex.slice(12);
    const piped = spawnSync(process.execPath, [bin, 'decode'], { encoding: 'utf8', input: `# captured\n${spaced}\n${broken}\nhello\n` });
    expect(piped.status).toBe(1);
    expect(piped.stdout).toMatch(/^line 2: seq \d+ PumpStatus \(0x[0-9a-f]{2}\) \{.*"state":"[a-z-]+"/m);
    expect(piped.stdout).toMatch(/^line 3: no valid frame: its COBS or CRC check failed/m);
    expect(piped.stdout).toMatch(/^line 4: not a hex byte string: 'hello'/m);
  });

  it('refuses an option out of range in one line with a hint, not the whole help', () => {
    const r = run('demo', 'pump', '--rate', '9000');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--rate must be a number from 0 to 100, got '9000'/);
    expect(r.stderr.trim().split('\n')).toHaveLength(2);
    expect(r.stderr).toMatch(/run 'homeostat demo pump --help' for its options/);
  });

  it('refuses a fractional count, and --speed where it would be ignored', () => {
    const fraction = run('sim', 'bp', '--patients', '2.5');
    expect(fraction.status).toBe(1);
    expect(fraction.stderr).toMatch(/--patients must be a whole number from 1 to 10000, got '2\.5'/);
    const speed = run('sim', 'bp', '--level', 'sil', '--speed', '4');
    expect(speed.status).toBe(1);
    expect(speed.stderr).toMatch(/--speed applies only with --level pil/);
  });

  it('lists the shipped scenarios by the names --scenario takes', () => {
    const r = run('list', 'scenarios');
    expect(r.status).toBe(0);
    for (const name of ['default', 'stress', 'hypotension']) expect(r.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
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
