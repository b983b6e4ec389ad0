// A restarted host's starting point from the dead host's record and the pump's status: the dose counted
// so far plus what the pump pushed after the record (or the worst case when the pump's count began
// again), the pump's rate as the loop's running rate, and a replay of a resumed loop starting from it.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { setupFrom, loopHeaderSchema, replayRecord } from './replay.ts';
import { readRecord } from './record-file.ts';
import { resumeFromRecord } from './resume-from-record.ts';
import { resumedLoopState } from './resume-point.ts';

const fixture = fileURLToPath(new URL('./fixtures/bp-before-loop-shell.record.jsonl', import.meta.url));

describe('resuming from a record', () => {
  const rec = readRecord(fixture);
  const { state } = replayRecord(rec);
  const conc = (rec.header.supervisor as { concentrationUgPerMl: number }).concentrationUgPerMl;
  const markMl = state.period.mark!.deliveredMl;

  it('carries the dose over and adds what the pump pushed after the record; the loop starts from the pump\'s rate', () => {
    expect(state.supervisor.deliveredUg).toBeGreaterThan(0);
    const p = resumeFromRecord(rec, { rateMlPerH: 0, deliveredMl: markMl + 0.25 });
    expect(p.recordedDoseUg).toBe(state.supervisor.deliveredUg);
    expect(p.doseUg).toBeCloseTo(state.supervisor.deliveredUg + 0.25 * conc, 6);
    expect(p.runningRateMlPerH).toBe(0);
    expect(p.lastDecisionMs).toBe(state.supervisor.lastTMs);
    const s = resumedLoopState(setupFrom(loopHeaderSchema.parse(rec.header)), p, 500_000);
    expect(s.supervisor).toMatchObject({ deliveredUg: p.doseUg, lastRateMlPerH: 0, lastTMs: null });
    expect(s.startedMs).toBe(500_000);
  });

  it('counts the worst case when the pump\'s count began again (it restarted)', () => {
    const p = resumeFromRecord(rec, { rateMlPerH: 0, deliveredMl: 0.1 });
    const worstMl = (state.supervisor.lastRateMlPerH * (rec.header.leaseMs as number)) / 3_600_000 + 0.1;
    expect(p.doseUg).toBeCloseTo(state.supervisor.deliveredUg + worstMl * conc, 6);
    expect(p.note).toMatch(/does not follow on from the record's/);
  });

  it('refuses a record with no decision, saying to start afresh', () => {
    const empty = { ...rec, lines: rec.lines.filter((l) => l.kind === 'loop-start') };
    expect(() => resumeFromRecord(empty, { rateMlPerH: 0, deliveredMl: 0 })).toThrow(/no decision of the dead host: .*start afresh/);
  });
});
