// The oscillation rule: a limit cycle alarms, then escalates; answers to disturbances, noise around the
// target, and a slow return do not.
import { describe, expect, it } from 'vitest';
import { oscillationConfigSchema, oscillationStart, watchOscillation } from './oscillation-monitor.ts';

const c = oscillationConfigSchema.parse({});

/** Feeds an error trace (one value per 5 s decision; null: no valid pressure) and returns what the monitor said. */
function feed(errors: (number | null)[], rate = 10) {
  let s = oscillationStart();
  let firstAlarm = -1;
  let firstEscalation = -1;
  errors.forEach((e, i) => {
    const r = watchOscillation(c, s, e, rate, i * 5000);
    s = r.state;
    if (r.alarm && firstAlarm < 0) firstAlarm = i;
    if (r.escalate && firstEscalation < 0) firstEscalation = i;
  });
  return { firstAlarm, firstEscalation };
}

const minutes = (m: number, f: (i: number) => number | null) => Array.from({ length: m * 12 }, (_, i) => f(i));

describe('oscillation monitor', () => {
  it('a limit cycle of +-36 mmHg with a 5 min period alarms after about two cycles and escalates after about three', () => {
    const r = feed(minutes(30, (i) => 36 * Math.sin((2 * Math.PI * i) / 60)));
    expect(r.firstAlarm).toBeGreaterThan(0);
    expect(r.firstAlarm * 5).toBeLessThanOrEqual(11 * 60);
    expect(r.firstEscalation).toBeGreaterThan(r.firstAlarm);
    expect(r.firstEscalation * 5).toBeLessThanOrEqual(16 * 60);
  });

  it('invalid readings in the middle of a limit cycle do not hide it', () => {
    expect(feed(minutes(30, (i) => (i % 7 === 3 ? null : 36 * Math.sin((2 * Math.PI * i) / 60)))).firstAlarm).toBeGreaterThan(0);
  });

  it('answers to disturbances every 5 minutes (a dip, a rebound, then hovering near the target) make no alarm', () => {
    // What the stress scenario does: each event a 1 min dip of -15, a 1.5 min rebound of +18, then +4 to +6 (noise at the band's edge).
    const event = (i: number) => {
      const k = i % 60;
      return k < 12 ? -15 : k < 30 ? 18 : 4 + 2 * Math.sin(k);
    };
    expect(feed(minutes(40, event))).toEqual({ firstAlarm: -1, firstEscalation: -1 });
  });

  it('regular spikes with the pressure hovering near the target between them are not a limit cycle', () => {
    // Every 4 min: 2 min down at -15, then a 20 s spike of +25 and 100 s at +6 (just outside the band).
    const spike = (i: number) => {
      const k = i % 48;
      return k < 24 ? -15 : k < 28 ? 25 : 6;
    };
    expect(feed(minutes(40, spike))).toEqual({ firstAlarm: -1, firstEscalation: -1 });
  });

  it('noise within the band, a small oscillation, or a slow swing makes no alarm', () => {
    expect(feed(minutes(40, (i) => 4 * Math.sin(i)))).toEqual({ firstAlarm: -1, firstEscalation: -1 });
    expect(feed(minutes(40, (i) => 8 * Math.sin((2 * Math.PI * i) / 60)))).toEqual({ firstAlarm: -1, firstEscalation: -1 });
    expect(feed(minutes(120, (i) => 30 * Math.sin((2 * Math.PI * i) / (12 * 30))))).toEqual({ firstAlarm: -1, firstEscalation: -1 });
  });
});
