import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/virtual-clock.ts';
import { settleOn } from './virtual-time.ts';

describe('settling promises on virtual time', () => {
  it('returns what a promise that needs virtual time resolves to', async () => {
    const clock = new VirtualClock();
    const p = new Promise<string>((r) => clock.after(2500, () => r('answered')));
    expect(await settleOn(clock, p, 10_000)).toBe('answered');
    expect(clock.now()).toBeGreaterThanOrEqual(2500);
    expect(clock.now()).toBeLessThan(2600);
  });

  it('fails, rather than hangs, when the promise is still pending after the virtual budget', async () => {
    const clock = new VirtualClock();
    const realWork = new Promise<void>((r) => setTimeout(r, 2000));
    await expect(settleOn(clock, realWork, 500)).rejects.toThrow(/not settled within 500 ms of virtual time/);
  });
});
