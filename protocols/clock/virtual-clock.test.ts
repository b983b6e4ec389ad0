import { describe, expect, it } from 'vitest';
import { VirtualClock } from './virtual-clock.ts';

describe('VirtualClock', () => {
  it('fires timers in due order, same-instant timers in the order set, and sets now() to each due time', () => {
    const c = new VirtualClock(100);
    const log: string[] = [];
    c.after(30, () => log.push(`b@${c.now()}`));
    c.after(10, () => log.push(`a@${c.now()}`));
    c.after(30, () => log.push(`c@${c.now()}`));
    c.runUntil(129);
    expect(log).toEqual(['a@110']);
    c.runUntil(200);
    expect(log).toEqual(['a@110', 'b@130', 'c@130']);
    expect(c.now()).toBe(200);
  });

  it('repeats every() timers until cancelled, including from inside the callback', () => {
    const c = new VirtualClock();
    const at: number[] = [];
    const t = c.every(25, () => {
      at.push(c.now());
      if (at.length === 3) t.cancel();
    });
    c.advance(1000);
    expect(at).toEqual([25, 50, 75]);
    expect(c.pending).toBe(0);
  });

  it('runs timers set by timers within the same advance', () => {
    const c = new VirtualClock();
    const at: number[] = [];
    c.after(10, () => c.after(5, () => at.push(c.now())));
    c.advance(20);
    expect(at).toEqual([15]);
  });

  it('runUntilIdle stops at the last timer, or at the limit with a periodic one', () => {
    const c = new VirtualClock();
    c.after(40, () => undefined);
    expect(c.runUntilIdle()).toBe(40);
    c.every(100, () => undefined);
    expect(c.runUntilIdle(1000)).toBe(1000);
  });

  it('refuses to go back in time and to repeat with a zero period', () => {
    const c = new VirtualClock(50);
    expect(() => c.runUntil(10)).toThrow(/cannot run the clock back/);
    expect(() => c.every(0, () => undefined)).toThrow(/period above 0/);
  });

  it('keeps order across many random timers (heap property)', () => {
    const c = new VirtualClock();
    const fired: number[] = [];
    let x = 7;
    for (let i = 0; i < 2000; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const d = x % 10000;
      const t = c.after(d, () => fired.push(d));
      if (i % 7 === 0) t.cancel();
    }
    c.runUntilIdle();
    expect(fired.length).toBe(2000 - Math.ceil(2000 / 7));
    expect(fired).toEqual([...fired].sort((a, b) => a - b));
  });
});
