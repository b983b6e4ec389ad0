// Policy files (*.policy.json): an aDBS policy's kind and settings as data, checked before a run against
// the stimulator's own limits, so a window, ramp or threshold the device would refuse is an error that
// names the value and the limit, not a surprise mid-run.
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { readConfigFile } from '../../config/config-file.ts';
import type { DbsPolicy, DeviceLimits } from './dbs-policy.ts';
import { limitProblems } from './dbs-policy.ts';
import { continuousPolicy, continuousSettingsSchema } from './continuous-policy.ts';
import { dualThresholdPolicy, dualThresholdSettingsSchema } from './dual-threshold-policy.ts';
import { piPolicy, piSettingsSchema } from './pi-policy.ts';
import { singleThresholdPolicy, singleThresholdSettingsSchema } from './single-threshold-policy.ts';

export const policyFileSchema = z.discriminatedUnion('kind', [
  continuousSettingsSchema, singleThresholdSettingsSchema, dualThresholdSettingsSchema, piSettingsSchema,
]);

export type PolicyFile = z.infer<typeof policyFileSchema>;

export const SHIPPED_POLICIES = ['continuous', 'single-threshold', 'dual-threshold', 'pi'] as const;

/** Every way the settings break the device's limits or their own order, one sentence each. */
export function policyProblems(p: PolicyFile, device: DeviceLimits): string[] {
  const out = limitProblems(p, device);
  if (p.kind === 'single-threshold' && (p.onMa < p.windowMinMa || p.onMa > p.windowMaxMa)) {
    out.push(`onMa ${p.onMa} mA lies outside the policy's window ${p.windowMinMa}..${p.windowMaxMa} mA`);
  }
  if (p.kind === 'single-threshold' && p.maxOnMs !== undefined && p.maxOnMs < p.decisionEveryMs) {
    out.push(`maxOnMs ${p.maxOnMs} is shorter than decisionEveryMs ${p.decisionEveryMs}: a trigger would end before its first decision`);
  }
  if (p.kind === 'dual-threshold' && p.lowerOfBaseline >= p.upperOfBaseline) {
    out.push(`lowerOfBaseline ${p.lowerOfBaseline} must be below upperOfBaseline ${p.upperOfBaseline}`);
  }
  return out;
}

/** Reads a policy file and checks it against the device it will drive. */
export function loadPolicyFile(path: string, device: DeviceLimits): PolicyFile {
  const file = readConfigFile(path, 'the policy', policyFileSchema);
  const problems = policyProblems(file, device);
  if (problems.length > 0) throw new Error(`${path}: ${problems.join('; ')}`);
  return file;
}

export function policyFrom(file: PolicyFile): DbsPolicy<unknown> {
  switch (file.kind) {
    case 'continuous':
      return continuousPolicy(file) as DbsPolicy<unknown>;
    case 'single-threshold':
      return singleThresholdPolicy(file) as DbsPolicy<unknown>;
    case 'dual-threshold':
      return dualThresholdPolicy(file) as DbsPolicy<unknown>;
    case 'pi':
      return piPolicy(file) as DbsPolicy<unknown>;
  }
}

export function shippedPolicyPath(name: (typeof SHIPPED_POLICIES)[number]): string {
  return fileURLToPath(new URL(`./${name}.policy.json`, import.meta.url));
}
