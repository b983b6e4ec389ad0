// A HIL scenario file (*.hil.json or *.hil.yaml): one closed-loop test that runs unchanged at SIL, PIL and
// HIL. It is a plant scenario (hil/sim/scenarios: target, noise, disturbances, sensitivity, line artifacts,
// operator actions) plus what makes it a test: the nodes and board, the patients (a cohort, all or some of
// it), the controller and supervisor files, the faults of the fault library with their times, the hazard
// it tests (ISO 14971) and the checklist item it covers (clinical-models.md section 6), and its acceptance
// criteria in IEC 60601-1-10 terms with the loop's safety invariants. Errors name file, line and field.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { faultSchema } from '../faults/fault-schedule.ts';
import type { Fault } from '../faults/fault-schedule.ts';
import { sensorFaultSchema } from '../faults/sensor-faults.ts';
import type { SensorFault } from '../faults/sensor-faults.ts';
import { offsetOf } from '../rigs/rig-file.ts';
import { scenarioSchema } from '../sim/scenarios/scenario.ts';

/** The checklist of clinical-models.md section 6 (IEC 60601-1-10, FDA 2023, IEC 60601-2-24, ISO 14971). */
export const CHECKLIST = {
  'nominal-performance': 'Performance for a step in the target (IEC 60601-1-10): nominal patient',
  'patient-variability': 'Patient-variability models: extreme patients (IEC 60601-1-10, FDA computational models)',
  'disturbance-rejection': 'Performance under disturbance (IEC 60601-1-10)',
  'invalid-measurement': 'Invalid measurement handling (IEC 60601-1-10; FDA sensor faults)',
  'actuator-failure': 'Actuator failure: occlusion, empty syringe, stall, air, free-flow (IEC 60601-1-10, IEC 60601-2-24)',
  alarms: 'Alarms: every injected fault raises its alarm in time (IEC 60601-1-10, 60601-1-8)',
  'manual-override': 'Manual override and bumpless return to automatic (IEC 60601-1-10)',
  'host-loss': 'Stale commands after a host crash or link loss: fallback to the safe rate (ISO 14971; FDA fallback modes)',
  'link-integrity': 'A device never acts on a frame that failed its checks (IEC 62304 class C, independent checks)',
  'device-fault': 'Device faults: reset, brown-out, watchdog, clock drift (FDA HIL with faults)',
} as const;

export type ChecklistItem = keyof typeof CHECKLIST;

const checklistItem = z.enum(Object.keys(CHECKLIST) as [ChecklistItem, ...ChecklistItem[]]);

const NODES = ['bp-sensor', 'infusion-pump'] as const;

/** Acceptance criteria: absent ones are not checked; the invariants are on unless switched off. */
export const criteriaSchema = z.strictObject({
  /** Settling time (IEC 60601-1-10): into +-5 mmHg of the target and staying 5 minutes, at most this late. */
  settlingTimeMaxMin: z.number().positive().max(24 * 60).optional(),
  /** Overshoot past the target in the drug's direction. */
  overshootMaxMmHg: z.number().min(0).max(100).optional(),
  /** Steady-state deviation: the mean distance from the target after settling. */
  steadyStateDeviationMaxMmHg: z.number().min(0).max(100).optional(),
  /** Time in band (+-5 mmHg) from settling to the end. */
  timeInBandMinPct: z.number().min(0).max(100).optional(),
  /** Invariant: the pump never drives above its safe rate once the last accepted command's lease has run out. */
  noActuationOnExpiredLease: z.boolean().default(true),
  /** Invariant: after a host or link loss, the pump is at its safe rate within its lease (plus 1 s). */
  safeRateWithinLeaseAfterLoss: z.boolean().default(true),
  /**
   * Invariant: a host killed and started again resumes from the dead one's record without a bolus: its
   * first command is no higher than the rate the pump ran then (or its safe rate) plus the supervisor's
   * rate-change limit.
   */
  noBolusAfterRestart: z.boolean().default(true),
  /** Invariant: the restarted host's dose count toward the budget includes at least 90% of what reached the patient before it. */
  doseCountedAcrossRestart: z.boolean().default(true),
  /** Invariant: every injected fault raised an alarm within this many seconds of its start. */
  faultAlarmWithinS: z.number().positive().max(3600).optional(),
  /** Invariant: the drug that reached the patient, at most this much (mg). */
  doseBudgetMg: z.number().positive().max(10_000).optional(),
  /** Alarms the hazard must raise (by id, as the record names them), each at the latest this many minutes into the run. */
  alarmsRaised: z.array(z.strictObject({ id: z.string().regex(/^[a-z0-9-]+$/), withinMin: z.number().positive().max(24 * 60) })).optional(),
  /** Alarm fatigue (ISO 14971): at most this many alarms raised per hour of the run. */
  alarmsPerHourMax: z.number().min(0).max(10_000).optional(),
  /** Invariant: seconds with the true pressure under the supervisor's floor while the drug still flowed. */
  mapUnderFloorFromDrugMaxS: z.number().min(0).max(24 * 3600).default(0),
});

export type Criteria = z.infer<typeof criteriaSchema>;

const patientsSchema = z.strictObject({
  /** A cohort file, relative to this file (its drawn patients and those it lists by value). */
  cohort: z.string().min(1),
  /** Only these patients of the cohort, by id (a listed patient's id is cohort-name: corners-nominal). */
  ids: z.array(z.string().min(1)).min(1).optional(),
  /** At most this many (the first ones, after ids). */
  count: z.number().int().positive().max(10_000).optional(),
});

export const hilScenarioSchema = scenarioSchema.extend({
  therapy: z.literal('bp').default('bp'),
  /** The hazard the scenario tests, in ISO 14971 words: the harm and how it would come about. */
  hazard: z.string().min(10),
  checklist: checklistItem,
  /** Where the code that mitigates the hazard is, and what it does (for the traceability table). */
  mitigation: z.string().min(10),
  nodes: z.array(z.enum(NODES)).default([...NODES]).refine((n) => NODES.every((x) => n.includes(x)), { message: 'a blood-pressure loop needs bp-sensor and infusion-pump' }),
  board: z.string().regex(/^[a-z0-9-]+$/).default('pico'),
  patients: patientsSchema,
  /** Files relative to this one; the shipped defaults when absent. */
  controller: z.string().min(1).optional(),
  supervisor: z.string().min(1).optional(),
  seed: z.number().int().min(0).default(1),
  /**
   * Changes of the target during the run, in time order (the run starts at targetMmHg): each is given to the
   * loop as a person's new target at its time, and the performance criteria are judged per target segment.
   */
  targets: z.array(z.strictObject({ atMin: z.number().positive().max(24 * 60), mapMmHg: z.number().min(50).max(150) })).default([])
    .refine((ts) => ts.every((t, i) => i === 0 || t.atMin > ts[i - 1].atMin), { message: 'target changes must be in time order, each later than the one before' }),
  /** The fault library's list (hil/faults): link, sensor, actuator, device and host faults, each at its time. */
  faults: z.array(faultSchema).default([]),
  criteria: criteriaSchema.default(() => criteriaSchema.parse({})),
  artifacts: scenarioSchema.shape.artifacts.default([]),
  disturbances: scenarioSchema.shape.disturbances.default([]),
  sensitivity: scenarioSchema.shape.sensitivity.default([]),
});

export type HilScenario = z.infer<typeof hilScenarioSchema> & {
  /** Where it was read from. */
  file: string;
};

export class ScenarioFileError extends Error {}

/** Parses a scenario's text (YAML, or JSON which is YAML); errors read "file:line:col: field: problem". */
export function parseHilScenario(text: string, file: string): HilScenario {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const p = lines.linePos(offset);
    return `${file}:${p.line}:${p.col}`;
  };
  if (doc.errors.length > 0) throw new ScenarioFileError(`${at(doc.errors[0].pos[0])}: not valid YAML or JSON: ${doc.errors[0].message.split('\n')[0]}`);
  const r = hilScenarioSchema.safeParse(doc.toJS());
  if (!r.success) {
    // The deepest issue is the most useful: a fault's bad field rather than "no union member matched".
    const i = r.error.issues[0];
    const path = (i.code === 'unrecognized_keys' ? [...i.path, i.keys[0]] : i.path) as (string | number)[];
    throw new ScenarioFileError(`${at(offsetOf(doc, path, i.code === 'unrecognized_keys'))}: ${i.path.join('.') || '(top level)'}: ${i.message}`);
  }
  return { ...r.data, file };
}

export function loadHilScenario(path: string): HilScenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ScenarioFileError(`${path}: cannot read the scenario (${(e as Error).message})`);
  }
  return parseHilScenario(text, path);
}

/** A path the scenario gives, from its own folder. */
export const besideScenario = (s: HilScenario, p: string) => resolve(dirname(s.file), p);

const SENSOR_KINDS = new Set<string>(sensorFaultSchema.options.map((o) => o.shape.kind.value));

/** Sensor faults act on the line model as its artifacts; the rest are scheduled on their targets. */
export function splitFaults(faults: Fault[]): { line: SensorFault[]; scheduled: Fault[] } {
  return {
    line: faults.filter((f) => SENSOR_KINDS.has(f.kind)) as SensorFault[],
    scheduled: faults.filter((f) => !SENSOR_KINDS.has(f.kind)),
  };
}
