// A run whose target changed, cut at each change: one piece per target, its samples timed from the change,
// so the IEC 60601-1-10 step-response figures (settling time, overshoot, steady-state deviation, time in
// band) are measured against the target that held, from when it was set.
import type { PatientRun } from './bp-run.ts';

export interface TargetSegment {
  fromS: number;
  toS: number;
  mapMmHg: number;
  /** The run seen from this segment: its target, its samples (tS from the change) and its alarms. */
  run: PatientRun;
}

export function targetSegments(run: PatientRun): TargetSegment[] {
  return run.targets.map((t, i) => {
    const toS = run.targets[i + 1]?.fromS ?? Infinity;
    const samples = run.samples.filter((x) => x.tS > t.fromS && x.tS <= toS).map((x) => ({ ...x, tS: x.tS - t.fromS }));
    return { fromS: t.fromS, toS, mapMmHg: t.mapMmHg, run: { ...run, targetMmHg: t.mapMmHg, samples } };
  });
}
