// A run cut at its target changes: each piece holds its own target and its samples timed from the change,
// so a step down of the target is measured as its own step response.
import { describe, expect, it } from 'vitest';
import { patientMetrics } from '../reports/bp-metrics.ts';
import type { PatientRun, TruthSample } from './bp-run.ts';
import { targetSegments } from './target-segments.ts';

const sample = (tS: number, mapMmHg: number): TruthSample => ({ tS, mapMmHg, observedMmHg: mapMmHg, rateMlPerH: 5, deliveredMlPerH: 5, confidence: 1, mode: 'auto', atCap: null });

describe('target segments', () => {
  // 85 mmHg reached at once and held for 20 min; the target steps to 75 at 20 min, reached 3 min later.
  const samples = Array.from({ length: 480 }, (_, i) => (i + 1) * 5).map((tS) => sample(tS, tS <= 1200 ? 85 : tS < 1380 ? 82 : 75));
  const run = {
    patient: { id: 'p', weightKg: 70 }, samples, alarms: [], targetMmHg: 85, targets: [{ fromS: 0, mapMmHg: 85 }, { fromS: 1200, mapMmHg: 75 }],
    drugEffect: 'lowers', floorMmHg: 65, highMmHg: 140, concentrationUgPerMl: 200, ceilingMlPerH: 100,
  } as unknown as PatientRun;

  it('splits the run at each change, the samples timed from it, and measures each against its own target', () => {
    const [a, b] = targetSegments(run);
    expect([a.fromS, a.toS, a.mapMmHg, b.fromS, b.toS, b.mapMmHg]).toEqual([0, 1200, 85, 1200, Infinity, 75]);
    expect(a.run.samples).toHaveLength(240);
    expect(b.run.samples[0].tS).toBe(5);
    const ma = patientMetrics(a.run);
    const mb = patientMetrics(b.run);
    expect(ma.settlingTimeS).toBe(5);
    expect(mb.settlingTimeS).toBe(180);
    expect(mb.steadyStateDeviationMmHg).toBe(0);
    // The whole run against the first target alone would call the new target a 10 mmHg overshoot.
    expect(patientMetrics(run).overshootMmHg).toBe(10);
    expect(mb.overshootMmHg).toBe(0);
  });
});
