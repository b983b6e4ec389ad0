// `homeostat sim dbs` on one patient at MIL through a short scenario: the summary, the report's files, the
// acceptance that sets the exit status, records that replay decision for decision; and bad input named
// before anything runs.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRecord } from '../../record/record-file.ts';
import { replayDbsRecord } from '../../record/dbs-replay.ts';
import type { SimDbsOptions } from './sim-dbs.ts';
import { simDbs } from './sim-dbs.ts';

const dir = mkdtempSync(join(tmpdir(), 'sim-dbs-'));
const scenario = join(dir, 'short.scenario.json');
writeFileSync(scenario, JSON.stringify({ therapy: 'dbs', name: 'short', durationS: 20, settleS: 2, calibrationS: 12, medication: [], movement: [{ fromS: 14, toS: 17 }] }));
const base: SimDbsOptions = {
  cohort: 'dbs', scenario, policy: 'dual-threshold', supervisor: 'dbs', patients: 1, records: true, split: 'held-out', seed: 2, level: 'mil',
  advisory: false, drift: true, acceptance: 'dbs', board: 'pico', out: join(dir, 'run'),
};

describe('homeostat sim dbs', () => {
  it('runs a patient against its references, writes the report, and its records replay exactly', async () => {
    const lines: string[] = [];
    const r = await simDbs(base, (l) => lines.push(l), () => undefined);
    expect(r.results).toHaveLength(1);
    const p = r.results[0];
    expect(p.error).toBeNull();
    expect(p.continuous!.teedRelative).toBeCloseTo(1, 6);
    expect(p.policy!.teedRelative).toBeLessThan(1);
    expect(p.policy!.suppression).toBeGreaterThan(0);
    expect(lines.join('\n')).toMatch(/dual-threshold against continuous DBS \(2.5 mA\)/);
    expect(lines.join('\n')).toMatch(/acceptance: (all 1 patients passed|1 of 1 patients failed)/);
    const index = readFileSync(r.report.index, 'utf8');
    expect(index).toContain('TEED % of continuous');
    expect(existsSync(join(base.out, 'patients', `${p.patient.id}.html`))).toBe(true);
    expect(readFileSync(r.report.csv, 'utf8').split('\n')[0]).toContain('policy.teedRelative');
    const records = readdirSync(join(base.out, 'records'));
    expect(records.sort()).toEqual([`${p.patient.id}.continuous.record.jsonl`, `${p.patient.id}.dual-threshold.record.jsonl`]);
    const replay = replayDbsRecord(readRecord(join(base.out, 'records', records[1])));
    expect(replay.decisions).toBeGreaterThan(150);
    expect(replay.identical).toBe(replay.decisions);
  });

  it('names a setting the stimulator would refuse, and an unknown level, before anything runs', async () => {
    const policy = join(dir, 'wide.policy.json');
    writeFileSync(policy, JSON.stringify({ kind: 'continuous', windowMinMa: 0, windowMaxMa: 3.5, continuousMa: 2.5, rampUpMaPerS: 4, rampDownMaPerS: 4, decisionEveryMs: 100 }));
    await expect(simDbs({ ...base, policy, out: join(dir, 'bad') }, () => undefined, () => undefined)).rejects.toThrow(/windowMaxMa 3.5 mA is above the device's window maximum 3 mA/);
    await expect(simDbs({ ...base, level: 'hil' }, () => undefined, () => undefined)).rejects.toThrow(/--level hil: sim dbs runs at mil, sil and pil; on a neurostimulator board use homeostat run dbs/);
    expect(existsSync(join(dir, 'bad'))).toBe(false);
  });
});
