import { describe, expect, it } from 'vitest';
import { lapseRestMlPerH } from './lapse-rate.ts';

describe('where a lapsed lease leaves the pump', () => {
  it('the rate the host asked to hold, never above the commanded rate or the board maximum, never under the safe rate', () => {
    // (commanded, asked, board max, safe)
    expect(lapseRestMlPerH(40, 20, 150, 0)).toBe(20);
    expect(lapseRestMlPerH(10, 20, 150, 0)).toBe(10);
    expect(lapseRestMlPerH(400, 300, 150, 0)).toBe(150);
    expect(lapseRestMlPerH(40, 0, 150, 0)).toBe(0);
    // A board whose safe state is a keep-vein-open rate rests there at least.
    expect(lapseRestMlPerH(40, 0, 150, 2)).toBe(2);
    expect(lapseRestMlPerH(1, 5, 150, 2)).toBe(2);
  });
});
