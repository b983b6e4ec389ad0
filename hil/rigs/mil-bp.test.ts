// The MIL level decides exactly as it did when its patient was stepped by a timer of its own (before the
// patient was stepped lazily, issue 11): every decision, word for word, and the truth of every period of
// two patients of the default cohort, against a pinned digest made with the timer-stepped rig.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadControllerFile, shippedControllerPath } from '../../host/control/bp/controller-file.ts';
import { readConfigFile } from '../../host/config/config-file.ts';
import { driftConfigSchema } from '../../host/safety/drift-monitor.ts';
import { loadSupervisorFile } from '../../host/safety/infusion-supervisor.ts';
import { runPatient } from '../runner/bp-run.ts';
import { loadCohort } from '../sim/cohorts/cohort.ts';
import { loadScenario } from '../sim/scenarios/scenario.ts';

const repo = (p: string) => new URL(`../../${p}`, import.meta.url).pathname;

/** The digest of two patients' MIL runs with a controller: decisions and the truth of every period. */
async function digest(controller: 'pid' | 'adaptive'): Promise<string> {
  const { file, patients } = loadCohort(repo('hil/sim/cohorts/default.cohort.json'));
  const setup = {
    scenario: loadScenario(repo('hil/sim/scenarios/default.scenario.json')), controller: loadControllerFile(shippedControllerPath(controller)),
    supervisor: loadSupervisorFile(repo('host/safety/nitroprusside.supervisor.json')), advisory: null,
    drift: readConfigFile(repo('host/safety/default.drift.json'), 'the drift alarm', driftConfigSchema), seed: 1, board: 'pico', recordDir: null, level: 'mil' as const, model: file.model,
  };
  const hash = createHash('sha256');
  for (const p of patients.slice(0, 2)) {
    const r = await runPatient(setup, p);
    expect(r.error).toBeNull();
    for (const d of r.decisions) hash.update(JSON.stringify(d));
    for (const s of r.samples) hash.update(`${s.mapMmHg},${s.deliveredMlPerH}`);
  }
  return hash.digest('hex');
}

describe('MIL blood-pressure rig', () => {
  it('decides as the timer-stepped rig did, decision for decision, with the PID and the adaptive controller', async () => {
    expect({ pid: await digest('pid'), adaptive: await digest('adaptive') }).toEqual({
      pid: 'fb56930629907320e4ef2845e0e67bbebafb55f315c1dd00f0560e82b370f9df',
      adaptive: '124a834fef27d9d085097a27dfa25b1cae51d3ae0fd2b5b5c96e77828f9bcf19',
    });
  });
});
