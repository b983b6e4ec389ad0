import { describe, expect, it } from 'vitest';
import { runLoopbackDemo } from './loopback-demo.ts';

const base = { bitErrorRate: 0, seed: 1, rateMlPerH: 20, leaseMs: 3000, renewForMs: 10_000 };

describe('loopback demo', () => {
  it('on a clean line: delivers what the acknowledged leases allowed and falls to the safe rate when renewals stop', () => {
    const lines: string[] = [];
    const r = runLoopbackDemo(base, (l) => lines.push(l));
    expect(r.ok).toBe(true);
    expect(r.expectedMl).toBeGreaterThan(0.06);
    expect(Math.abs(r.deliveredMl - r.expectedMl) / r.expectedMl).toBeLessThan(0.02);
    expect(r.hostCounters.crcErrors + r.nodeCounters.crcErrors).toBe(0);
    expect(lines.join('\n')).toMatch(/refused \(hard-limit\)/);
    expect(lines.join('\n')).toMatch(/Alarm lease-expired/);
  });

  for (const seed of [1, 2, 3]) {
    it(`with bit errors the link counts them, retransmits, and the pump still ends safe (seed ${seed})`, () => {
      const r = runLoopbackDemo({ ...base, bitErrorRate: 0.001, seed }, () => undefined);
      expect(r.ok).toBe(true);
      expect(r.hostCounters.crcErrors + r.nodeCounters.crcErrors).toBeGreaterThan(0);
    });
  }

  it('a shorter lease makes the pump stop sooner: delivery follows the lease, not the host', () => {
    const long = runLoopbackDemo({ ...base, leaseMs: 6000 }, () => undefined);
    const short = runLoopbackDemo({ ...base, leaseMs: 1000 }, () => undefined);
    for (const r of [long, short]) expect(Math.abs(r.deliveredMl - r.expectedMl) / r.expectedMl).toBeLessThan(0.02);
    expect(long.deliveredMl).toBeGreaterThan(short.deliveredMl + 0.01);
  });
});
