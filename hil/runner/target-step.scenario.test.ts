// The shipped target-step scenario at SIL: the target lowered from 85 to 75 mmHg at 15 min reaches the
// loop as a person's new target, the decisions from then on aim at it, each target's step response is
// judged from its change, and the record replays decision for decision.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRecord } from '../../host/record/record-file.ts';
import { replayRecord } from '../../host/record/replay.ts';
import { runCase } from './case-run.ts';
import { planSuite } from './suite-plan.ts';

const file = new URL('../scenarios/suite/target-step.hil.json', import.meta.url).pathname;

describe('a step change of target', () => {
  it('aims the decisions at the scheduled target and judges each target from its change', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'target-step-'));
    const [job] = planSuite([file]).jobs;
    const r = await runCase(job, 'sil', dir);
    expect(r.error, r.log).toBeUndefined();
    const perTarget = r.criteria.filter((c) => c.criterion === 'settling-time');
    expect(perTarget.map((c) => c.detail.split(':')[0])).toEqual(['target 85 mmHg from 0.0 min', 'target 75 mmHg from 15.0 min']);
    expect(r.passed, JSON.stringify(r.criteria.filter((c) => !c.held))).toBe(true);

    const rec = readRecord(join(dir, 'target-step', 'corners-nominal.record.jsonl'));
    expect(rec.lines.filter((l) => l.kind === 'operator').map((l) => l.data)).toEqual([{ kind: 'target', mapMmHg: 75 }]);
    const reasons = rec.lines.filter((l) => l.kind === 'decision').map((l) => [l.tMs, (l.data.decision as { controllerReason: string }).controllerReason] as const);
    expect(reasons.filter(([t]) => t > 14 * 60_000 && t < 15 * 60_000).every(([, why]) => why.includes('vs 85.0'))).toBe(true);
    expect(reasons.filter(([t]) => t > 15.2 * 60_000).every(([, why]) => why.includes('vs 75.0'))).toBe(true);
    const replay = replayRecord(rec);
    expect(replay.differences).toEqual([]);
    expect(replay.identical).toBe(replay.decisions);
  }, 120_000);
});
