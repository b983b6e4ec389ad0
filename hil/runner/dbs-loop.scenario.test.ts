// The aDBS loop end to end at SIL: the neurostimulator bundle samples the simulated LFP through its pin,
// computes beta on the device and streams it; the host's policy and supervisor decide; the amplitude
// command returns over the link and drives the output stage the patient model reads. And when the host
// goes away, the device (not the host) ramps to its fallback amplitude, never to zero.
import { describe, expect, it } from 'vitest';
import { connectDbs, startDbs } from '../../host/app/dbs-app.ts';
import type { DbsFiles } from '../../host/app/dbs-app.ts';
import { loadPolicyFile, shippedPolicyPath } from '../../host/control/dbs/policy-file.ts';
import { readConfigFile } from '../../host/config/config-file.ts';
import { stimSupervisorConfigSchema } from '../../host/safety/stim-supervisor.ts';
import { loadDbsCohort } from '../sim/cohorts/cohort.ts';
import { dbsScenarioSchema } from '../sim/scenarios/dbs-scenario.ts';
import { deviceLimits } from './dbs-mil-run.ts';
import type { DbsRunSetup } from './dbs-run.ts';
import { DBS_RIGS, neurostimConfig, runArm, runReference, stimDevice } from './dbs-run.ts';

const cfg = neurostimConfig('pico');
const supervisor = readConfigFile(new URL('../../host/safety/dbs.supervisor.json', import.meta.url).pathname, 'the aDBS supervisor', stimSupervisorConfigSchema);
const patient = loadDbsCohort(new URL('../sim/cohorts/dbs.cohort.json', import.meta.url).pathname).patients.find((p) => p.split === 'held-out')!;
const scenario = dbsScenarioSchema.parse({ therapy: 'dbs', name: 'short', durationS: 18, settleS: 2, calibrationS: 12, medication: [], movement: [] });
const dual = loadPolicyFile(shippedPolicyPath('dual-threshold'), deviceLimits(cfg));
const setup: DbsRunSetup = { scenario, files: { supervisor, advisory: null, drift: null, device: stimDevice(cfg) }, seed: 3, board: 'pico', level: 'sil', recordDir: null };

describe('the aDBS loop at SIL', () => {
  it('closes through the bundle: device beta to the host, the policy\'s amplitude back to the output the patient gets, within the ramp limits', async () => {
    const off = await runReference(setup, patient);
    expect(off.error).toBeNull();
    expect(off.baselineBetaUv2).toBeGreaterThan(0);
    // Unstimulated: the lead delivers nothing, whatever the device's own boot ramp does.
    expect(Math.max(...off.ampMa)).toBe(0);
    const run = await runArm(setup, patient, dual, off.baselineBetaUv2);
    expect(run.error).toBeNull();
    // Beta computed on the device reached the decisions, and the commands were acknowledged.
    expect(run.decisions.filter((d) => d.reports > 0).length).toBeGreaterThan(60);
    expect(run.decisions.filter((d) => d.commandResult === 'acknowledged').length).toBeGreaterThan(60);
    // The policy moved the amplitude the patient got below the fallback the device would hold on its own.
    const after = run.ampMa.slice(200);
    expect(Math.min(...after)).toBeLessThan(cfg.limits.fallbackMa - 0.5);
    expect(new Set(after.map((x) => x.toFixed(2))).size).toBeGreaterThan(5);
    // The output never changes faster than the device's ramp (one control tick per 20 ms).
    const perTick = (cfg.limits.rampUpMaPerS * cfg.controlTickMs) / 1000;
    for (let i = 1; i < run.ampMa.length; i++) expect(Math.abs(run.ampMa[i] - run.ampMa[i - 1])).toBeLessThanOrEqual(perTick + 1e-3);
    // And it follows the host's commands: the delivered mean tracks the commanded mean.
    const commanded = run.decisions.reduce((a, d) => a + d.commandedMa, 0) / run.decisions.length;
    const delivered = after.reduce((a, b) => a + b, 0) / after.length;
    expect(Math.abs(commanded - delivered)).toBeLessThan(0.3);
  });

  it('when the host goes away mid-run the device ramps to its fallback amplitude within its lease, never to zero', async () => {
    const session = await DBS_RIGS.sil({ scenario, patient, seed: 5, board: 'pico', stimulate: true });
    const connected = await connectDbs(session.clock, session.nodes, 'pico', session.wait);
    const files: DbsFiles = { ...setup.files, policy: dual, baselineBetaUv2: 1 };
    const loop = startDbs({ clock: session.clock, devices: connected, files });
    loop.operatorAction({ kind: 'manual', amplitudeMa: 0.5 });
    await session.run(3000);
    expect(session.probe().deliveredMa).toBeCloseTo(0.5, 2);
    // The host stops deciding and its link closes: no more renewals.
    loop.stop();
    connected.close();
    let lowest = Infinity;
    for (let t = 0; t < supervisor.leaseMs + 1500; t += 100) {
      await session.run(100);
      lowest = Math.min(lowest, session.probe().deliveredMa);
    }
    expect(lowest).toBeGreaterThanOrEqual(0.5 - 1e-3);
    expect(session.probe().deliveredMa).toBeCloseTo(cfg.limits.fallbackMa, 2);
    session.close();
  });
});
