// Every kind of configuration file homeostat reads, stated once: its zod schema, where the shipped files
// live, and where its JSON Schema (for editors) and its documentation page are. The schema generator,
// `homeostat list` and the tests that keep schemas and docs in step all read this table. It lives in the
// CLI because only host/cli may import every layer (the cohort, scenario and params schemas are in hil/).
import { z } from 'zod';
import { boardFileSchema } from '../../firmware/build/board-schema.ts';
import { deviceFileSchema } from '../../firmware/build/device-schema.ts';
import { cohortSchema, dbsCohortSchema } from '../../hil/sim/cohorts/cohort.ts';
import { acceptanceSchema, dbsAcceptanceSchema } from '../../hil/reports/acceptance.ts';
import { paramsFileSchema } from '../../hil/sim/patients/patient-params.ts';
import { scenarioSchema } from '../../hil/sim/scenarios/scenario.ts';
import { dbsScenarioSchema } from '../../hil/sim/scenarios/dbs-scenario.ts';
import { hilScenarioSchema } from '../../hil/scenarios/hil-scenario.ts';
import { controllerFileSchema } from '../control/bp/controller-file.ts';
import { policyFileSchema } from '../control/dbs/policy-file.ts';
import { advisoryConfigSchema, stimAdvisoryConfigSchema } from '../safety/advisory-gate.ts';
import { betaDriftConfigSchema, driftConfigSchema } from '../safety/drift-monitor.ts';
import { supervisorFileSchema } from '../safety/infusion-supervisor.ts';
import { stimSupervisorConfigSchema } from '../safety/stim-supervisor.ts';
import { drugFileSchema } from '../therapies/bp/drugs/drug-file.ts';

export interface ConfigKind {
  /** The kind, as in file names: <name>.<kind>.json. */
  kind: string;
  /** How `homeostat list` names them. */
  plural: string;
  schema: z.ZodType;
  /** The folder of the shipped files, in the repository. */
  dir: string;
  /** One line: what such a file states. */
  what: string;
}

export const CONFIG_KINDS: readonly ConfigKind[] = [
  // A blood-pressure scenario or an aDBS one ("therapy": "dbs"); likewise supervisor, advisory and drift files.
  { kind: 'scenario', plural: 'scenarios', schema: z.union([scenarioSchema, dbsScenarioSchema]), dir: 'hil/sim/scenarios', what: 'what happens to a virtual patient during a run: target, noise, disturbances, sensitivity changes, line artifacts, operator actions' },
  { kind: 'hil', plural: 'hil-scenarios', schema: hilScenarioSchema, dir: 'hil/scenarios/suite', what: 'a closed-loop test run by homeostat hil run: a scenario with its patients, faults, hazard and acceptance criteria (YAML or JSON)' },
  // A blood-pressure cohort or an aDBS one (no drug: no baseline pressure or weight).
  { kind: 'cohort', plural: 'cohorts', schema: z.union([cohortSchema, dbsCohortSchema]), dir: 'hil/sim/cohorts', what: 'a seeded draw of virtual patients over a model\'s parameter ranges, with subgroups and a held-out split' },
  { kind: 'params', plural: 'params', schema: paramsFileSchema, dir: 'hil/sim/patients', what: 'a patient model\'s parameters: nominal value, range, unit and source of each, and the drug' },
  { kind: 'controller', plural: 'controllers', schema: controllerFileSchema, dir: 'host/control/bp', what: 'a blood-pressure controller\'s kind and settings' },
  { kind: 'policy', plural: 'policies', schema: policyFileSchema, dir: 'host/control/dbs', what: 'an adaptive-DBS policy\'s kind and settings: amplitude window, ramps, thresholds or gains' },
  { kind: 'drug', plural: 'drugs', schema: drugFileSchema, dir: 'host/therapies/bp/drugs', what: 'a drug, stated once: its effect on the pressure, preparation, dose limit, time at the ceiling and where the pump goes when the host is lost, with sources' },
  { kind: 'supervisor', plural: 'supervisors', schema: z.union([supervisorFileSchema, stimSupervisorConfigSchema]), dir: 'host/safety', what: 'the safety supervisor\'s limits for one drug' },
  { kind: 'advisory', plural: 'advisories', schema: z.union([advisoryConfigSchema, stimAdvisoryConfigSchema]), dir: 'host/safety', what: 'which increases wait for a person to confirm them, and for how long' },
  { kind: 'drift', plural: 'drifts', schema: z.union([driftConfigSchema, betaDriftConfigSchema]), dir: 'host/safety', what: 'when a change in the identified drug sensitivity raises the drift alarm' },
  { kind: 'acceptance', plural: 'acceptance', schema: z.union([acceptanceSchema, dbsAcceptanceSchema]), dir: 'hil/reports', what: 'the thresholds each patient of a cohort run must meet, or the run exits 1' },
  { kind: 'board', plural: 'boards', schema: boardFileSchema, dir: 'firmware/boards', what: 'a microcontroller board: memory, protocol port, console, and each node\'s pins (its device facts come from the device files, overridden only where the board differs)' },
  { kind: 'device', plural: 'devices', schema: deviceFileSchema, dir: 'firmware/devices', what: 'a device a node drives, stated once for every board: mechanism or calibration, hard limits, safe state and timing, with sources' },
];

/** A kind by its name, singular or plural. */
export function configKind(name: string): ConfigKind | undefined {
  return CONFIG_KINDS.find((k) => k.kind === name || k.plural === name);
}

/** Where a kind's JSON Schema is, in the repository. */
export const jsonSchemaFile = (k: ConfigKind) => `docs/schemas/${k.kind}.schema.json`;
/** Where a kind's documentation page is, in the repository. */
export const formatPage = (k: ConfigKind) => `docs/formats/${k.kind}.md`;

/** The kind's JSON Schema, generated from its zod schema, as written to its file. */
export function jsonSchemaText(k: ConfigKind): string {
  const { $schema, ...rest } = z.toJSONSchema(k.schema, { io: 'input' }) as Record<string, unknown>;
  const doc = { $schema, title: `homeostat ${k.kind} file (*.${k.kind}.json)`, description: `${k.what[0].toUpperCase()}${k.what.slice(1)}. Generated from the zod schema by npm run generate; see ${formatPage(k)}.`, ...rest };
  return JSON.stringify(doc, null, 2) + '\n';
}
