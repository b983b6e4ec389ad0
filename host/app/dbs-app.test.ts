// Bad input before an aDBS run starts: the policy's window, ramps and thresholds, the supervisor's timing
// and the calibration are checked against each other and the stimulator's limits; the error names each
// value and the limit it breaks.
import { describe, expect, it } from 'vitest';
import type { PolicyFile } from '../control/dbs/policy-file.ts';
import type { StimDevice } from '../safety/stim-supervisor.ts';
import type { DbsFiles } from './dbs-app.ts';
import { dbsProblems, dbsSetup } from './dbs-app.ts';

const device: StimDevice = { windowMinMa: 0, windowMaxMa: 3, rampUpMaPerS: 12, rampDownMaPerS: 12, reportEveryMs: 50, hardMaxMa: 4, fallbackMa: 2.5, maxLeaseMs: 60_000, blankMs: 500 };
const policy: PolicyFile = {
  kind: 'dual-threshold', windowMinMa: 0, windowMaxMa: 3, continuousMa: 2.5, lowerOfBaseline: 0.2, upperOfBaseline: 0.35, averageMs: 500,
  rampUpMaPerS: 4, rampDownMaPerS: 4, decisionEveryMs: 100,
};
const files = (over: Partial<DbsFiles> = {}, p: Partial<PolicyFile> = {}): DbsFiles => ({
  policy: { ...policy, ...p } as PolicyFile, supervisor: { therapy: 'dbs', leaseMs: 2000, staleAfterMs: 3000, blankMs: 500, statusSilentMs: 3000 },
  advisory: null, drift: null, device, baselineBetaUv2: 2, ...over,
});

describe('an aDBS run\'s settings against the stimulator', () => {
  it('accepts the shipped combination', () => {
    expect(dbsProblems(files())).toEqual([]);
    expect(dbsSetup(files()).initialAmplitudeMa).toBe(2.5);
  });

  it('names each value and the limit it breaks', () => {
    expect(() => dbsSetup(files({}, { windowMaxMa: 3.5 }))).toThrow(/windowMaxMa 3.5 mA is above the device's window maximum 3 mA/);
    expect(dbsProblems(files({}, { rampUpMaPerS: 20 }))).toContainEqual(expect.stringMatching(/rampUpMaPerS 20 is above the device's ramp-up limit 12 mA\/s/));
    expect(dbsProblems(files({}, { lowerOfBaseline: 0.5 } as Partial<PolicyFile>))).toContainEqual(expect.stringMatching(/lowerOfBaseline 0.5 must be below upperOfBaseline 0.35/));
    expect(dbsProblems(files({}, { continuousMa: 2 }))).toContainEqual(expect.stringMatching(/continuousMa 2 mA differs from the device's fallback 2.5 mA/));
    expect(dbsProblems(files({ supervisor: { therapy: 'dbs', leaseMs: 90_000, staleAfterMs: 3000, blankMs: 500, statusSilentMs: 3000 } })))
      .toContainEqual(expect.stringMatching(/leaseMs 90000 is above the device's longest lease 60000 ms/));
    expect(dbsProblems(files({ supervisor: { therapy: 'dbs', leaseMs: 2000, staleAfterMs: 600, blankMs: 500, statusSilentMs: 3000 } })))
      .toContainEqual(expect.stringMatching(/staleAfterMs 600 is shorter than a ramp across the window/));
    expect(dbsProblems(files({ baselineBetaUv2: NaN }))).toContainEqual(expect.stringMatching(/baseline beta NaN uV\^2 must be a power above 0/));
  });
});
