// Records stay replayable as the code around them changes: a record written by the blood-pressure loop
// before the generic loop shell existed (six minutes with a flush, a manual rate and the hand-back to auto)
// must replay decision for decision. If the decision logic is changed on purpose, this record is made
// again with the new code, and the change said in the commit.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readRecord } from './record-file.ts';
import { replayRecord } from './replay.ts';

const fixture = fileURLToPath(new URL('./fixtures/bp-before-loop-shell.record.jsonl', import.meta.url));

describe('replay of an older record', () => {
  it('replays every decision of a record made before the loop shell, with its flush, manual rate and hand-back', () => {
    const rec = readRecord(fixture);
    expect(rec.complete).toBe(true);
    const kinds = new Set(rec.lines.map((l) => l.kind));
    for (const k of ['beat', 'pump-status', 'command', 'operator', 'decision']) expect(kinds.has(k), k).toBe(true);
    const r = replayRecord(rec);
    expect(r.decisions).toBe(72);
    expect(r.differences).toEqual([]);
    expect(r.identical).toBe(72);
  });

  it('a changed decision is found and named', () => {
    const rec = readRecord(fixture);
    const d = rec.lines.find((l) => l.kind === 'decision' && (l.data.decision as { commandedMlPerH: number }).commandedMlPerH > 0)!;
    (d.data.decision as { commandedMlPerH: number }).commandedMlPerH += 0.5;
    const r = replayRecord(rec);
    expect(r.identical).toBe(71);
    expect(r.differences[0]).toMatchObject({ tMs: d.tMs, field: 'commandedMlPerH' });
  });
});
