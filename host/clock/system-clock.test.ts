import { describe, expect, it } from 'vitest';
import { SystemClock } from './system-clock.ts';

// Real time, so only ordering and cancellation are asserted, never durations.
describe('SystemClock', () => {
  it('runs after() once, every() repeatedly, and honours cancel', async () => {
    const c = new SystemClock();
    const log: string[] = [];
    const t0 = c.now();
    c.after(5, () => log.push('after'));
    const cancelled = c.after(1, () => log.push('cancelled'));
    cancelled.cancel();
    let n = 0;
    const rep = c.every(2, () => {
      n++;
      if (n === 3) rep.cancel();
    });
    await new Promise((r) => setTimeout(r, 60));
    expect(log).toEqual(['after']);
    expect(n).toBe(3);
    expect(c.now()).toBeGreaterThan(t0);
  });
});
