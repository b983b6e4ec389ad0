import { describe, expect, it } from 'vitest';
import type { DashboardPoint } from './dashboard-view.ts';
import { targetSpans } from './dashboard-view.ts';

const point = (tMin: number, targetMmHg: number): DashboardPoint => ({ tMin, targetMmHg, observedMmHg: 90, trueMmHg: null, rateMlPerH: 1, confidence: 1, emittedAtMs: 0 });

describe('the dashboard view', () => {
  it('shows the target band as it held over time, each target from the decision that first used it', () => {
    const points = [0, 2.5, 5, 7.5].map((t) => point(t, t < 5 ? 85 : 95));
    expect(targetSpans({ points, targetMmHg: 95, bandMmHg: 5 })).toEqual([
      { from: 80, to: 90, fromMin: undefined, toMin: 5 },
      { from: 90, to: 100, fromMin: 5, toMin: undefined },
    ]);
    // A new target set after the last decision runs from there on.
    expect(targetSpans({ points, targetMmHg: 75, bandMmHg: 5 }).at(-1)).toEqual({ from: 70, to: 80, fromMin: 7.5, toMin: undefined });
    expect(targetSpans({ points: [], targetMmHg: 85, bandMmHg: 5 })).toEqual([{ from: 80, to: 90, fromMin: undefined, toMin: undefined }]);
  });
});
