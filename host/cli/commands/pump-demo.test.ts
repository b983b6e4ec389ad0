import { describe, expect, it } from 'vitest';
import { runPumpDemo } from './pump-demo.ts';

const base = { bitErrorRate: 0, seed: 1, rateMlPerH: 20, leaseMs: 3000, renewForMs: 10_000 };

describe('pump demo (the firmware in the emulator)', () => {
  it('on a clean line: delivers what the acknowledged leases allowed and falls to the safe rate when renewals stop', async () => {
    const lines: string[] = [];
    const r = await runPumpDemo(base, (l) => lines.push(l));
    expect(r.ok).toBe(true);
    expect(r.expectedMl).toBeGreaterThan(0.06);
    expect(Math.abs(r.deliveredMl - r.expectedMl) / r.expectedMl).toBeLessThan(0.02);
    expect(r.hostCounters.crcErrors).toBe(0);
    const text = lines.join('\n');
    expect(text).toMatch(/refused \(hard-limit\)/);
    expect(text).toMatch(/alarm lease-expired raised/);
    expect(text).toMatch(/PumpStop: Ack/);
  });

  for (const seed of [1, 2, 3]) {
    it(`with bit errors the link counts them, retransmits, and the pump still ends safe (seed ${seed})`, async () => {
      const r = await runPumpDemo({ ...base, bitErrorRate: 0.001, seed }, () => undefined);
      expect(r.ok).toBe(true);
      expect(r.hostCounters.crcErrors).toBeGreaterThan(0);
    });
  }

  it('a shorter lease makes the pump stop sooner: delivery follows the lease, not the host', async () => {
    const long = await runPumpDemo({ ...base, leaseMs: 6000 }, () => undefined);
    const short = await runPumpDemo({ ...base, leaseMs: 1000 }, () => undefined);
    for (const r of [long, short]) expect(Math.abs(r.deliveredMl - r.expectedMl) / r.expectedMl).toBeLessThan(0.02);
    expect(long.deliveredMl).toBeGreaterThan(short.deliveredMl + 0.01);
  });
});
