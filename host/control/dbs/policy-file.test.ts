// Policy files are checked against the stimulator's own limits before a run: an error names the file, the
// value and the limit.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicyFile, policyFrom, SHIPPED_POLICIES, shippedPolicyPath } from './policy-file.ts';

const DEVICE = { windowMinMa: 0, windowMaxMa: 3, rampUpMaPerS: 12, rampDownMaPerS: 12, reportEveryMs: 50 };

function variant(name: (typeof SHIPPED_POLICIES)[number], edit: Record<string, unknown>): string {
  const path = join(mkdtempSync(join(tmpdir(), 'policy-')), 'bad.policy.json');
  writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(shippedPolicyPath(name), 'utf8')), ...edit }));
  return path;
}

describe('policy files', () => {
  it('the shipped policies load against the device and name themselves', () => {
    for (const name of SHIPPED_POLICIES) expect(policyFrom(loadPolicyFile(shippedPolicyPath(name), DEVICE)).name).toBe(name);
  });

  it.each([
    ['pi', { windowMaxMa: 3.5 }, /bad\.policy\.json: windowMaxMa 3\.5 mA is above the device's window maximum 3 mA/],
    ['continuous', { rampUpMaPerS: 20 }, /rampUpMaPerS 20 is above the device's ramp-up limit 12 mA\/s/],
    ['single-threshold', { onMa: 3.2 }, /onMa 3\.2 mA lies outside the policy's window 0\.\.3 mA/],
    ['dual-threshold', { lowerOfBaseline: 0.6 }, /lowerOfBaseline 0\.6 must be below upperOfBaseline 0\.5/],
    ['single-threshold', { maxOnMs: 40 }, /maxOnMs 40 is shorter than decisionEveryMs 50: a trigger would end before its first decision/],
    ['continuous', { continuousMa: 0.2, windowMinMa: 0.5 }, /continuousMa 0\.2 mA lies outside the policy's window 0\.5\.\.3 mA/],
    ['pi', { decisionEveryMs: 20 }, /decisionEveryMs 20 is shorter than the device's beta report period 50 ms/],
    ['pi', { kpMaPerUnitError: -1 }, /bad\.policy\.json: kpMaPerUnitError: .*0/],
    ['pi', { kind: 'bang-bang' }, /bad\.policy\.json: kind: .*continuous.*single-threshold/],
  ] as const)('refuses %s with %o', (name, edit, message) => {
    expect(() => loadPolicyFile(variant(name, edit), DEVICE)).toThrow(message);
  });
});
