// f1 formats every controller reason: it must give exactly what toFixed(1) gives, ties and signs included.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { f1 } from './bp-controller.ts';

describe('f1', () => {
  it('is toFixed(1) to the character: ties, near-ties, signs, zeros, large and non-finite values', () => {
    const cases: number[] = [0, -0, 0.05, -0.05, 0.25, 0.75, 1.25, -1.25, 1.45, 2.675, 0.95, 9.95, 99.95, 1e-320, -1e-320, 5e-324, 0.04999999999999999, 1e14, 1e14 - 0.05, 1e15, 1e21, 1e22, NaN, Infinity, -Infinity, Number.MAX_VALUE];
    // Every hundredth up to 2000 and its neighbours one unit in the last place away: the ties and near-ties.
    const buf = new Float64Array(1);
    const bits = new BigInt64Array(buf.buffer);
    for (let k = 0; k <= 200_000; k++) {
      const x = k / 100;
      buf[0] = x;
      bits[0] += 1n;
      const up = buf[0];
      bits[0] -= 2n;
      const down = buf[0];
      cases.push(x, -x, up, down, (k + 0.5) / 10);
    }
    for (const x of cases) if (f1(x) !== x.toFixed(1)) expect(f1(x), String(x)).toBe(x.toFixed(1));
    fc.assert(fc.property(fc.double({ noNaN: false }), (x) => f1(x) === x.toFixed(1)), { numRuns: 20_000 });
    fc.assert(fc.property(fc.double({ min: -1e6, max: 1e6 }), (x) => f1(x) === x.toFixed(1)), { numRuns: 20_000 });
  });
});
