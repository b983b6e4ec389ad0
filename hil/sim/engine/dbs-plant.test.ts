// The aDBS plant's world: an amplitude change reaches the patient when it happens, not when the stimulator
// next reads the LFP. (It once did the latter: the stimulation artifact then stepped at the 20 Hz of the beta
// reports, inside the beta band, and adaptive runs measured more beta than no stimulation at all.)
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../protocols/clock/virtual-clock.ts';
import { loadDbsCohort } from '../cohorts/cohort.ts';
import { loadDbsScenario } from '../scenarios/dbs-scenario.ts';
import { dbsRemoteRecord, dbsTraceDrain, dbsWorld } from './dbs-plant.ts';

const repo = (p: string) => new URL(`../../../${p}`, import.meta.url).pathname;
const plan = {
  scenario: loadDbsScenario(repo('hil/sim/scenarios/rest.scenario.json')),
  patient: loadDbsCohort(repo('hil/sim/cohorts/dbs.cohort.json')).patients[0], seed: 3, board: 'pico', stimulate: true,
};

describe('the aDBS plant', () => {
  it('puts an amplitude step into the LFP at the time of the step, though the LFP is read only every 50 ms', () => {
    const clock = new VirtualClock();
    let ma = 0;
    const world = dbsWorld(plan, clock, () => ma);
    // A stimulator reading its block of samples every 50 ms, as the bundle's reports do.
    clock.every(50, () => world.lfpUvAt(clock.now()));
    clock.runUntil(1000);
    ma = 3; // taken by the world at its next 10 ms step, 1010 ms
    clock.runUntil(1200);
    // The artifact (20 uV/mA, far above the LFP's few uV) jumps between the samples of 1010 and 1011 ms.
    const jump = (i: number) => world.lfpUv[i + 1] - world.lfpUv[i];
    const at = world.lfpUv.findIndex((_, i) => i > 900 && i < 1190 && jump(i) > 30);
    expect(at).toBeGreaterThanOrEqual(1009);
    expect(at).toBeLessThanOrEqual(1011);
  });

  it('drains its traces for another process in order and without gaps, cut at the scenario duration there', () => {
    const clock = new VirtualClock();
    const world = dbsWorld(plan, clock, () => 1);
    const drain = dbsTraceDrain(world);
    const remote = dbsRemoteRecord(plan);
    for (let t = 0; t <= (plan.scenario.durationS + 2) * 1000; t += 700) {
      clock.runUntil(t);
      world.finish(t);
      remote.add(drain());
    }
    expect(remote.lfpUv).toEqual(world.lfpUv.slice(0, plan.scenario.durationS * 1000));
    expect(remote.ampMa).toEqual(world.ampMa.slice(0, plan.scenario.durationS * 100));
    expect(remote.peakHz).toBe(world.peakHz);
  });
});
