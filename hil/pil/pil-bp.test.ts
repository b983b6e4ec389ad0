// The same blood-pressure scenario at the PIL level: the plant (patient, both firmware bundles, line and
// mechanism) in its own process behind two socat pseudo-terminals, the host loop on the other ends through
// the real serialport package, at 10x real time. It must do what the SIL level does with the same patient.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shippedControllerPath } from '../../host/control/bp/controller-file.ts';
import { readRecord } from '../../host/record/record-file.ts';
import { replayRecord } from '../../host/record/replay.ts';
import type { CohortRunOptions } from '../runner/bp-cohort-run.ts';
import { runCohort } from '../runner/bp-cohort-run.ts';

const repo = (p: string) => new URL(`../../${p}`, import.meta.url).pathname;

describe('BP loop at the PIL level', () => {
  it('brings a patient toward target over pseudo-terminals as the SIL level does, and its record replays exactly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pil-bp-'));
    const scenarioPath = join(dir, 'short.scenario.json');
    writeFileSync(scenarioPath, JSON.stringify({
      name: 'short', durationMin: 5, targetMmHg: 85, heartRateBpm: 75, pulsePressureMmHg: 40, sensorNoiseMmHg: 1, beatNoiseMmHg: 2,
      disturbances: [], sensitivity: [], artifacts: [],
    }));
    const base: CohortRunOptions = {
      cohortPath: repo('hil/sim/cohorts/default.cohort.json'), scenarioPath, controllerPath: shippedControllerPath('adaptive'),
      supervisorPath: repo('host/safety/nitroprusside.supervisor.json'), driftPath: null, advisoryPath: null,
      split: 'tuning', patients: 1, seed: 2, board: 'pico', outDir: join(dir, 'sil'),
    };
    const sil = await runCohort(base);
    const pil = await runCohort({ ...base, outDir: join(dir, 'pil'), level: 'pil', speed: 10 });
    const [s, p] = [sil.runs[0], pil.runs[0]];
    expect(p.error).toBeNull();
    expect(p.decisions.length).toBeGreaterThan(50);
    expect(p.decisions.filter((d) => d.commandResult === 'acknowledged').length).toBeGreaterThan(50);
    const start = p.samples[0].mapMmHg;
    const end = p.samples.at(-1)!.mapMmHg;
    expect(start - end).toBeGreaterThan(10);
    // Same patient, same scenario, same controller: the two levels end within a few mmHg of each other.
    expect(Math.abs(end - s.samples.at(-1)!.mapMmHg)).toBeLessThan(6);
    const rec = readRecord(p.recordPath);
    expect(rec.header).toMatchObject({ level: 'pil', speed: 10 });
    const replay = replayRecord(rec);
    expect(replay.identical).toBe(replay.decisions);
  }, 90_000);

  it('`sim bp --level pil` leaves no process behind: not on Ctrl-C mid-run, not when it refuses an output folder that holds records', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pil-exit-'));
    // Every temporary folder of the run (socat's links, the rig's spec) lies under this one, so a leftover process names it.
    const runTmp = join(dir, 'tmp');
    mkdirSync(runTmp);
    const leftovers = () => spawnSync('pgrep', ['-f', runTmp], { encoding: 'utf8' }).stdout.trim();
    const cli = (out: string) => spawn(process.execPath, [repo('host/cli/bin.js'), 'sim', 'bp', '--level', 'pil', '--patients', '1', '--out', out], {
      env: { ...process.env, TMPDIR: runTmp }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = (p: ReturnType<typeof cli>) => new Promise<{ code: number | null; output: string }>((resolve) => {
      let output = '';
      p.stdout!.on('data', (d: Buffer) => (output += d));
      p.stderr!.on('data', (d: Buffer) => (output += d));
      p.on('close', (code) => resolve({ code, output }));
    });
    const first = cli(join(dir, 'out'));
    const done = exited(first);
    // Wait for the rig as long as the run lives (a loaded machine can take tens of seconds to start it).
    let ended = false;
    void done.then(() => (ended = true));
    for (let i = 0; i < 1200 && !ended && !/socat/.test(spawnSync('pgrep', ['-af', runTmp], { encoding: 'utf8' }).stdout); i++) await new Promise((r) => setTimeout(r, 50));
    expect(ended, 'the run ended before its rig came up').toBe(false);
    expect(leftovers(), 'the rig is running').not.toBe('');
    await new Promise((r) => setTimeout(r, 1500));
    first.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(130);
    await new Promise((r2) => setTimeout(r2, 300));
    expect(leftovers()).toBe('');
    // The same folder again: its record is there, so the run is refused before anything starts.
    const again = await exited(cli(join(dir, 'out')));
    expect(again.code).toBe(1);
    expect(again.output).toMatch(/already exists: records are never overwritten; choose another output directory/);
    expect(leftovers()).toBe('');
  }, 150_000);
});
