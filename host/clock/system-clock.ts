// The host's binding of Clock to real time: a monotonic clock (performance.now) and Node's timers.
// The one place on the host that reads the wall clock for the cores.
import type { Clock, Timer } from '../../protocols/clock/clock.ts';

export class SystemClock implements Clock {
  private readonly originMs = performance.now();

  now(): number {
    return performance.now() - this.originMs;
  }

  after(delayMs: number, fn: () => void): Timer {
    const t = setTimeout(fn, Math.max(0, delayMs));
    return { cancel: () => clearTimeout(t) };
  }

  every(periodMs: number, fn: () => void): Timer {
    if (!(periodMs > 0)) throw new Error(`every() needs a period above 0 ms, got ${periodMs}`);
    const t = setInterval(fn, periodMs);
    return { cancel: () => clearInterval(t) };
  }
}
