import { describe, expect, it } from 'vitest';
import { pumpFuzz } from './pump-fuzz.ts';

describe('the pump firmware under an attacker on its line', () => {
  for (const seed of [1, 2]) {
    it(`runs only at rates the host sent, never past their leases, whatever is forged, replayed or tampered (seed ${seed})`, async () => {
      const r = await pumpFuzz(seed, 60_000);
      expect(r.violations).toEqual([]);
      // The run did what it is for: commands got through, and so did attacks.
      expect(r.acked).toBeGreaterThan(100);
      expect(r.forged).toBeGreaterThan(200);
      expect(r.replayed).toBeGreaterThan(200);
    });
  }
});
