// Drift monitoring: a lasting change of the identified sensitivity raises an alarm that names it; noise
// within the band, a brief excursion, or an unconfident estimate does not.
import { describe, expect, it } from 'vitest';
import type { BetaDriftConfig } from './drift-monitor.ts';
import { driftStart, watchDrift, watchPeakDrift } from './drift-monitor.ts';

const c = { bandFactor: 1.8, minConfidence: 0.7, holdMs: 60_000 };

function run(gains: number[], confidence = 0.9) {
  let s = driftStart();
  const alarms: string[] = [];
  gains.forEach((g, i) => {
    const r = watchDrift(c, s, { gainMmHgPerMlPerH: g }, confidence, i * 5000);
    s = r.state;
    if (r.alarm) alarms.push(r.alarm.text);
  });
  return alarms;
}

describe('drift monitor', () => {
  it('a doubling of sensitivity that lasts a minute raises an alarm naming the change', () => {
    const alarms = run([...Array(20).fill(0.7), ...Array(20).fill(1.6)]);
    expect(alarms.length).toBeGreaterThan(0);
    expect(alarms[0]).toMatch(/risen from 0\.70 to 1\.60 mmHg per mL\/h \(x2\.29\) since minute 0/);
  });

  it('stays quiet for changes within the band, a 30 s excursion, or unconfident estimates', () => {
    expect(run([...Array(20).fill(0.7), ...Array(40).fill(1.1)])).toEqual([]);
    expect(run([...Array(20).fill(0.7), ...Array(6).fill(2), ...Array(20).fill(0.7)])).toEqual([]);
    expect(run([...Array(20).fill(0.7), ...Array(40).fill(3)], 0.5)).toEqual([]);
  });

  it('a beta peak that moves more than peakShiftHz for holdMs raises its own alarm; within the band, briefly, or unwatched it does not', () => {
    const beta: BetaDriftConfig = { therapy: 'dbs', bandFactor: 3, minConfidence: 0.9, holdMs: 20_000, averageMs: 20_000, peakShiftHz: 3 };
    const peaks = (hz: number[], cfg = beta) => {
      let s = driftStart();
      const alarms: string[] = [];
      hz.forEach((h, i) => {
        const r = watchPeakDrift(cfg, s, h, 1, i * 5000);
        s = r.state;
        if (r.alarm) alarms.push(`${r.alarm.id}: ${r.alarm.text}`);
      });
      return alarms;
    };
    const moved = peaks([...Array(10).fill(18), ...Array(10).fill(22)]);
    expect(moved[0]).toMatch(/^beta-peak-drift: the beta peak has risen from 18\.0 to 22\.0 Hz \(more than 3 Hz, averaged over 20 s\) since 0 s/);
    expect(peaks([...Array(10).fill(18), ...Array(10).fill(14.5)])[0]).toMatch(/fallen from 18\.0 to 14\.5 Hz/);
    expect(peaks([...Array(10).fill(18), ...Array(10).fill(20.5)])).toEqual([]);
    expect(peaks([...Array(10).fill(18), ...Array(3).fill(25), ...Array(10).fill(18)])).toEqual([]);
    expect(peaks([...Array(10).fill(18), ...Array(10).fill(25)], { ...beta, peakShiftHz: undefined })).toEqual([]);
  });
});
