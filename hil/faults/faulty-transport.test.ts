import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../protocols/clock/virtual-clock.ts';
import { memoryTransportPair } from '../../host/transport/memory-transport.ts';
import { FaultyTransport, NO_FAULTS } from './faulty-transport.ts';

function pair(faults: Partial<typeof NO_FAULTS> & { delayMs?: number }) {
  const clock = new VirtualClock();
  const [a, b] = memoryTransportPair(clock, { latencyMs: 0, bytesPerSecond: 0 });
  const faulty = new FaultyTransport(a, { ...NO_FAULTS, ...faults }, 3, clock);
  const got: number[][] = [];
  b.onBytes((x) => got.push([...x]));
  const back: number[][] = [];
  faulty.onBytes((x) => back.push([...x]));
  return { clock, faulty, b, got, back };
}

describe('FaultyTransport', () => {
  it('passes bytes unchanged without faults, both ways', () => {
    const { clock, faulty, b, got, back } = pair({});
    faulty.write(Uint8Array.of(1, 2, 3));
    b.write(Uint8Array.of(4, 5));
    clock.advance(1);
    expect(got).toEqual([[1, 2, 3]]);
    expect(back).toEqual([[4, 5]]);
  });

  it('flips bits at the configured rate and counts them', () => {
    const { clock, faulty, got } = pair({ bitErrorRate: 0.01 });
    for (let i = 0; i < 1000; i++) faulty.write(new Uint8Array(10));
    clock.advance(1);
    const flipped = got.flat().reduce((n, x) => n + x.toString(2).split('1').length - 1, 0);
    expect(flipped).toBe(faulty.injected.bitFlips);
    expect(flipped).toBeGreaterThan(500);
    expect(flipped).toBeLessThan(1100);
  });

  it('drops and duplicates whole chunks, and adds garbage bursts', () => {
    const { clock, faulty, got } = pair({ dropRate: 0.2, duplicateRate: 0.2, garbageRate: 0.1 });
    for (let i = 0; i < 500; i++) faulty.write(Uint8Array.of(i & 0xff));
    clock.advance(1);
    const { drops, duplicates, garbageBursts } = faulty.injected;
    expect(drops).toBeGreaterThan(50);
    expect(duplicates).toBeGreaterThan(50);
    expect(garbageBursts).toBeGreaterThan(20);
    expect(got.length).toBe(500 - drops + duplicates + garbageBursts);
  });

  it('delays chunks on the clock and keeps their order', () => {
    const { clock, faulty, got } = pair({ delayMs: 40 });
    faulty.write(Uint8Array.of(1));
    faulty.write(Uint8Array.of(2));
    clock.advance(39);
    expect(got).toEqual([]);
    clock.advance(1);
    expect(got).toEqual([[1], [2]]);
  });
});
