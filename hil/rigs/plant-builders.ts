// The plant each therapy's plan builds: the one place a rig looks up how to make a plant from the plan a
// run sends it (the plan is data, so it crosses into the PIL plant's process as JSON), with the ground truth
// a therapy's metrics need in bulk (the aDBS LFP), drained as it grows so the PIL plant can send it on.
import { bpPlant } from '../sim/engine/bp-plant.ts';
import type { Plant } from '../sim/engine/plant.ts';
import type { SyringeMechanism } from '../sim/syringe-mechanism.ts';
import type { ScenarioPlant } from '../sim/engine/scenario-plant.ts';
import { scenarioPlantOptions } from '../sim/engine/scenario-plant.ts';
import { scenarioSchema } from '../sim/scenarios/scenario.ts';
import type { DbsPlan } from '../sim/engine/dbs-plant.ts';
import { dbsPlant, dbsTraceDrain } from '../sim/engine/dbs-plant.ts';
import { dbsScenarioSchema } from '../sim/scenarios/dbs-scenario.ts';

/**
 * A plant; the syringe mechanism its actuator faults act on when it has a pump; and, for therapies whose
 * metrics need more than the probe, the ground truth recorded since the last call.
 */
export interface BuiltPlant {
  plant: Plant;
  mechanism?: SyringeMechanism;
  drainTrace?: () => unknown;
}

export const PLANT_BUILDERS = {
  /** A cohort's patient in a blood-pressure scenario (the scenario checked again on this side). */
  bp: (plan: ScenarioPlant): Promise<BuiltPlant> => bpPlant(scenarioPlantOptions({ ...plan, scenario: scenarioSchema.parse(plan.scenario) })),
  /** A cohort's patient in an aDBS scenario, the neurostimulator bundle sensing it; its LFP and delivered amplitude as traces. */
  dbs: async (plan: DbsPlan): Promise<BuiltPlant> => {
    const p = await dbsPlant({ ...plan, scenario: dbsScenarioSchema.parse(plan.scenario) });
    return { plant: p.plant, drainTrace: dbsTraceDrain(p.world) };
  },
} as const;

export type PlantTherapy = keyof typeof PLANT_BUILDERS;

export function buildPlant(therapy: string, plan: unknown): Promise<BuiltPlant> {
  const build = PLANT_BUILDERS[therapy as PlantTherapy];
  if (!build) throw new Error(`no plant for the therapy '${therapy}' (known: ${Object.keys(PLANT_BUILDERS).join(', ')})`);
  return build(plan as ScenarioPlant & DbsPlan);
}
