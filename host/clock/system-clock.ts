// The host's binding of Clock to real time: a monotonic clock (performance.now) and Node's timers.
// The one place on the host that reads the wall clock for the cores. A speed above 1 runs time faster
// than the wall clock, for a PIL rig whose boards run at the same speed.
import type { Clock, Timer } from '../../protocols/clock/clock.ts';

export class SystemClock implements Clock {
  private readonly originMs = performance.now();

  constructor(readonly speed = 1) {
    if (!(speed > 0)) throw new Error(`clock speed must be above 0, got ${speed}`);
  }

  now(): number {
    return (performance.now() - this.originMs) * this.speed;
  }

  after(delayMs: number, fn: () => void): Timer {
    const t = setTimeout(fn, Math.max(0, delayMs / this.speed));
    return { cancel: () => clearTimeout(t) };
  }

  every(periodMs: number, fn: () => void): Timer {
    if (!(periodMs > 0)) throw new Error(`every() needs a period above 0 ms, got ${periodMs}`);
    const t = setInterval(fn, periodMs / this.speed);
    return { cancel: () => clearInterval(t) };
  }
}
