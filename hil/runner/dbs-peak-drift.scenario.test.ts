// Drift of the beta peak frequency, end to end at MIL: the patient model's peak moves 6 Hz over 20 s, the
// stimulator's FFT reports the peak with each BetaPower, and the loop's drift rule (host/safety/dbs.drift.json,
// peakShiftHz) raises its alarm once the averaged peak has stayed away; the same patient at rest raises none.
import { describe, expect, it } from 'vitest';
import { readConfigFile } from '../../host/config/config-file.ts';
import { loadPolicyFile, shippedPolicyPath } from '../../host/control/dbs/policy-file.ts';
import { betaDriftConfigSchema } from '../../host/safety/drift-monitor.ts';
import { stimSupervisorConfigSchema } from '../../host/safety/stim-supervisor.ts';
import { loadDbsCohort } from '../sim/cohorts/cohort.ts';
import { dbsScenarioSchema, loadDbsScenario } from '../sim/scenarios/dbs-scenario.ts';
import { deviceLimits } from './dbs-mil-run.ts';
import { neurostimConfig, runArm, runReference, stimDevice } from './dbs-run.ts';

const repo = (p: string) => new URL(`../../${p}`, import.meta.url).pathname;
const cfg = neurostimConfig('pico');
const files = {
  supervisor: readConfigFile(repo('host/safety/dbs.supervisor.json'), 'the aDBS supervisor', stimSupervisorConfigSchema),
  drift: readConfigFile(repo('host/safety/dbs.drift.json'), 'the beta drift alarm', betaDriftConfigSchema),
  advisory: null, device: stimDevice(cfg),
};
const patient = loadDbsCohort(repo('hil/sim/cohorts/dbs.cohort.json')).patients.find((p) => p.id === 'dbs-001')!;
const policy = loadPolicyFile(shippedPolicyPath('single-threshold'), deviceLimits(cfg));
const rest = dbsScenarioSchema.parse({ therapy: 'dbs', name: 'rest-100', durationS: 100, settleS: 5, calibrationS: 20, medication: [], movement: [] });
const drifting = { ...rest, name: 'peak-drift-100', peakDrift: { fromS: 30, toS: 50, byHz: 6 } };

describe('drift of the beta peak frequency', () => {
  it('a peak that moves 6 Hz raises the peak drift alarm after it has moved; at rest there is none', async () => {
    expect(patient.params.betaPeakHz).toBeLessThan(24); // room to move up inside the band
    const setup = (scenario: typeof rest) => ({ scenario, files, seed: 1, board: 'pico', level: 'mil' as const, recordDir: null });
    const off = await runReference(setup(rest), patient);
    const still = await runArm(setup(rest), patient, policy, off.baselineBetaUv2);
    const moved = await runArm(setup(drifting), patient, policy, off.baselineBetaUv2);
    expect(still.error).toBeNull();
    expect(still.alarms.filter((a) => a.alarm.id.startsWith('beta'))).toEqual([]);
    const alarm = moved.alarms.find((a) => a.alarm.id === 'beta-peak-drift');
    expect(alarm, JSON.stringify(moved.alarms.map((a) => a.alarm.id))).toBeDefined();
    expect(alarm!.tMs).toBeGreaterThan(50_000);
    expect(alarm!.alarm.text).toMatch(/the beta peak has risen from \d+\.\d to \d+\.\d Hz \(more than 3 Hz/);
    // The loop saw the peak the device reported: near the patient's before, about 6 Hz higher after.
    const at = (tMs: number) => moved.decisions.find((d) => d.tMs >= tMs)!.peakAverageHz!;
    expect(Math.abs(at(29_000) - patient.params.betaPeakHz)).toBeLessThan(2);
    expect(at(99_000) - at(29_000)).toBeGreaterThan(4);
  }, 120_000);

  it('the shipped peak-drift scenario loads', () => {
    expect(loadDbsScenario(repo('hil/sim/scenarios/peak-drift.scenario.json')).peakDrift).toEqual({ fromS: 50, toS: 80, byHz: 6 });
  });
});
