// The plant each therapy's plan builds: the one place a rig looks up how to make a plant from the plan a
// run sends it (the plan is data, so it crosses into the PIL plant's process as JSON).
import { bpPlant } from '../sim/engine/bp-plant.ts';
import type { Plant } from '../sim/engine/plant.ts';
import type { SyringeMechanism } from '../sim/syringe-mechanism.ts';
import type { ScenarioPlant } from '../sim/engine/scenario-plant.ts';
import { scenarioPlantOptions } from '../sim/engine/scenario-plant.ts';
import { scenarioSchema } from '../sim/scenarios/scenario.ts';
import type { DbsPlan } from '../sim/engine/dbs-plant.ts';
import { dbsPlant } from '../sim/engine/dbs-plant.ts';
import { dbsScenarioSchema } from '../sim/scenarios/dbs-scenario.ts';

/** A plant, with the syringe mechanism its actuator faults act on when it has a pump. */
export interface BuiltPlant {
  plant: Plant;
  mechanism?: SyringeMechanism;
}

export const PLANT_BUILDERS = {
  /** A cohort's patient in a blood-pressure scenario (the scenario checked again on this side). */
  bp: (plan: ScenarioPlant): Promise<BuiltPlant> => bpPlant(scenarioPlantOptions({ ...plan, scenario: scenarioSchema.parse(plan.scenario) })),
  /** A cohort's patient in an aDBS scenario, the neurostimulator bundle sensing it (ground truth: the probe's only). */
  dbs: async (plan: DbsPlan): Promise<BuiltPlant> => ({ plant: (await dbsPlant({ ...plan, scenario: dbsScenarioSchema.parse(plan.scenario) })).plant }),
} as const;

export type PlantTherapy = keyof typeof PLANT_BUILDERS;

export function buildPlant(therapy: string, plan: unknown): Promise<BuiltPlant> {
  const build = PLANT_BUILDERS[therapy as PlantTherapy];
  if (!build) throw new Error(`no plant for the therapy '${therapy}' (known: ${Object.keys(PLANT_BUILDERS).join(', ')})`);
  return build(plan as ScenarioPlant & DbsPlan);
}
