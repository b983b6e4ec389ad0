// `homeostat sim dbs --level pil --speed 2` on one patient for ten simulated seconds: the neurostimulator bundle in the plant's
// own process behind a socat pseudo-terminal, opened with serialport on the system clock; the patient's LFP
// and the delivered amplitude come back over the plant's IPC channel for the metrics.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simDbs } from './sim-dbs.ts';

const dir = mkdtempSync(join(tmpdir(), 'sim-dbs-pil-'));
const scenario = join(dir, 'brief.scenario.json');
writeFileSync(scenario, JSON.stringify({ therapy: 'dbs', name: 'brief', durationS: 10, settleS: 2, calibrationS: 5, medication: [], movement: [] }));

describe('homeostat sim dbs --level pil', () => {
  it('runs a patient unstimulated and with continuous DBS through the bundle behind a pseudo-terminal, and measures both', async () => {
    const lines: string[] = [];
    const r = await simDbs({
      cohort: 'dbs', scenario, policy: 'continuous', supervisor: 'dbs', patients: 1, records: true, split: 'held-out', seed: 3, level: 'pil', speed: 2,
      advisory: false, drift: false, acceptance: 'dbs', board: 'pico', out: join(dir, 'run'),
    }, (l) => lines.push(l), () => undefined);
    const p = r.results[0];
    expect(p.error).toBeNull();
    // The traces came over from the plant's process: 10 s of LFP at 1 kHz and amplitude every 10 ms, less at
    // most the last 200 ms batch.
    for (const arm of [p.arms.off, p.arms.continuous!]) {
      expect(arm.lfpUv.length).toBeGreaterThanOrEqual(9800);
      expect(arm.ampMa.length).toBeGreaterThanOrEqual(980);
    }
    expect(Math.max(...p.arms.off.ampMa)).toBe(0);
    // The host's commands reached the bundle over the line and its output stage reached the patient.
    expect(p.arms.continuous!.ampMa.at(-1)).toBeCloseTo(2.5, 1);
    expect(p.arms.continuous!.decisions.length).toBeGreaterThan(20);
    expect(p.baselineBetaUv2).toBeGreaterThan(0);
    expect(p.continuous!.suppression).toBeGreaterThan(0.3);
    expect(lines.join('\n')).toMatch(/the neurostimulator bundle behind a pseudo-terminal at 2x real time/);
    const record = readFileSync(join(dir, 'run', 'records', readdirSync(join(dir, 'run', 'records'))[0]), 'utf8').split('\n')[0];
    expect(JSON.parse(record).data.level).toBe('pil');
  }, 120_000);
});
