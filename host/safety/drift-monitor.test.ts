// Drift monitoring: a lasting change of the identified sensitivity raises an alarm that names it; noise
// within the band, a brief excursion, or an unconfident estimate does not.
import { describe, expect, it } from 'vitest';
import { driftStart, watchDrift } from './drift-monitor.ts';

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
});
