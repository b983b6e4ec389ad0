// Virtual cohorts as data (*.cohort.json): a seeded draw of patients over the parameter ranges of a model's
// params file, each labelled with its subgroups and assigned to the tuning or the held-out split, and
// patients listed by name (corners of the ranges), held to the same ranges and labelled the same way.
// The same file and seed always give the same patients.
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { seededRandom } from '../../../protocols/testing/seeded-random.ts';
import { loadParams } from '../patients/patient-params.ts';
import type { ParamsFile } from '../patients/patient-params.ts';
import type { DrugFile } from '../../../host/therapies/bp/drugs/drug-file.ts';
import { loadDrugFile } from '../../../host/therapies/bp/drugs/drug-file.ts';
import { PATIENT_MODELS } from '../patients/patient-models.ts';
import type { Physics } from '../patients/patient-params.ts';
import { PAVLIDES_PHYSICS } from '../patients/pavlides-params.ts';
import { readConfigFile } from '../../../host/config/config-file.ts';

/** A range of a drawn quantity; the message gives both numbers. */
const range = (lo: number, hi: number, unit: string) => z.strictObject({ min: z.number().min(lo).max(hi), max: z.number().min(lo).max(hi) })
  .refine((r) => r.min <= r.max, { error: (i) => { const r = i.input as { min: number; max: number }; return `min ${r.min} > max ${r.max} ${unit}`; } });

const cohortFields = z.strictObject({
  $schema: z.string().optional(),
  $comment: z.string().optional(),
  name: z.string().regex(/^[a-z0-9-]+$/),
  model: z.enum(Object.keys(PATIENT_MODELS) as [keyof typeof PATIENT_MODELS, ...(keyof typeof PATIENT_MODELS)[]]),
  /** The drug the patients receive: a shipped one by name (host/therapies/bp/drugs) or a *.drug.json file beside the cohort. */
  drug: z.string().min(1, 'name the drug the patients receive (nitroprusside, norepinephrine, or a *.drug.json file)'),
  params: z.string(),
  seed: z.number().int().min(0),
  size: z.number().int().min(0).max(10_000),
  heldOutShare: z.number().min(0).max(0.9),
  baselineMapMmHg: range(20, 250, 'mmHg'),
  weightKg: range(1, 300, 'kg'),
  draw: z.record(z.string(), z.enum(['uniform', 'log-uniform'])),
  subgroups: z.array(z.strictObject({
    name: z.string(),
    by: z.string(),
    bands: z.array(z.tuple([z.string(), z.number(), z.number()]).refine(([, lo, hi]) => lo <= hi, { error: (i) => { const [n, lo, hi] = i.input as [string, number, number]; return `band ${n}: from ${lo} > to ${hi}`; } })).min(1),
  })),
  /** Patients given by value, after the drawn ones: each gives every drawn parameter, within the params file's range. */
  patients: z.array(z.strictObject({
    $comment: z.string().optional(),
    name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'use lower-case letters, digits and dashes, starting with a letter'),
    params: z.record(z.string(), z.number()),
    baselineMapMmHg: z.number(),
    weightKg: z.number(),
    split: z.enum(['tuning', 'held-out']).default('tuning'),
  })).default([]),
});

const somePatients = (c: { size: number; patients: unknown[] }) => c.size + c.patients.length > 0;
const NO_PATIENTS = { message: 'no patients: give a size above 0 or a patients list' };

export const cohortSchema = cohortFields.refine(somePatients, NO_PATIENTS);

export type CohortFile = z.infer<typeof cohortSchema>;

/** A cohort of the beta-oscillation (aDBS) model: no drug, so no baseline pressure or weight. */
export const dbsCohortSchema = cohortFields.omit({ model: true, drug: true, baselineMapMmHg: true, weightKg: true, patients: true })
  .extend({ model: z.literal('pavlides-hogan-bogacz') });

export type DbsCohortFile = z.infer<typeof dbsCohortSchema>;

/** A patient of any cohort: the parameters drawn, subgroup labels and split. */
export interface CohortPatient {
  id: string;
  params: Record<string, number>;
  subgroups: Record<string, string>;
  split: 'tuning' | 'held-out';
}

/** A patient of a blood-pressure cohort. */
export interface VirtualPatient extends CohortPatient {
  baselineMapMmHg: number;
  weightKg: number;
}

/** Reads a cohort file and draws its patients; a seed given here replaces the file's (another draw). */
export function loadCohort(path: string, seed?: number): { file: CohortFile; drug: DrugFile; patients: VirtualPatient[] } {
  const read = readConfigFile(path, 'the cohort', cohortSchema);
  const file = seed === undefined ? read : { ...read, seed };
  const params = checkedParams(path, file, PATIENT_MODELS[file.model].physics, ['weightKg', 'baselineMapMmHg']);
  const drug = loadDrugFile(file.drug, path);
  const modelEffect = PATIENT_MODELS[file.model].drugEffect;
  if (drug.effect !== modelEffect) throw new Error(`${path}: the drug ${drug.name} ${drug.effect} the pressure but the model ${file.model} is of a drug that ${modelEffect} it: name a drug for that model`);
  return { file, drug, patients: [...drawCohort(file, params.parameters), ...listedPatients(path, file, params.parameters)] };
}

/** Reads an aDBS cohort file and draws its patients. */
export function loadDbsCohort(path: string, seed?: number): { file: DbsCohortFile; patients: CohortPatient[] } {
  const read = readConfigFile(path, 'the cohort', dbsCohortSchema);
  const file = seed === undefined ? read : { ...read, seed };
  const params = checkedParams(path, file, PAVLIDES_PHYSICS, []);
  return { file, patients: drawCohort(file, params.parameters) };
}

/** The patients a run takes: one by id, or the first of a split; an error names what the cohort has. */
export function choosePatients<P extends CohortPatient>(cohortName: string, cohortPath: string, drawn: P[], o: { split: 'all' | 'tuning' | 'held-out'; patients?: number; patient?: string }): P[] {
  if (o.patient !== undefined && !drawn.some((p) => p.id === o.patient)) {
    throw new Error(`--patient: the cohort ${cohortName} has no patient '${o.patient}' (its patients are ${drawn[0].id} to ${drawn.at(-1)!.id})`);
  }
  const chosen = o.patient !== undefined
    ? drawn.filter((p) => p.id === o.patient)
    : drawn.filter((p) => o.split === 'all' || p.split === o.split).slice(0, o.patients ?? Infinity);
  if (chosen.length === 0) throw new Error(`the cohort ${cohortPath} has no ${o.split} patients`);
  return chosen;
}

/** The cohort's params file, checked as physics and against what the cohort draws and groups by. */
function checkedParams(path: string, file: DbsCohortFile | CohortFile, physics: Record<string, Physics>, covariates: string[]): ParamsFile {
  const paramsPath = resolve(dirname(path), file.params);
  let params: ParamsFile;
  try {
    params = loadParams(paramsPath, physics, file.model);
  } catch (e) {
    throw new Error(`${path}: params: '${file.params}' (relative to the cohort file): ${(e as Error).message}`);
  }
  for (const [name, how] of Object.entries(file.draw)) {
    const p = params.parameters[name];
    if (!p) throw new Error(`${path}: draw.${name}: no such parameter in ${file.params} (it has ${Object.keys(params.parameters).join(', ')})`);
    if (how === 'log-uniform' && p.min <= 0) throw new Error(`${path}: draw.${name}: log-uniform needs a range above 0, but ${file.params} gives min ${p.min}`);
  }
  for (const g of file.subgroups) {
    if (!(g.by in file.draw) && !covariates.includes(g.by)) {
      throw new Error(`${path}: subgroups: '${g.name}' is by '${g.by}', which is ${covariates.length ? `neither drawn nor ${covariates.join(' or ')}` : 'not drawn'}`);
    }
  }
  return params;
}

/** Draws a cohort's patients; a blood-pressure cohort's also get a baseline pressure and a weight. */
export function drawCohort(file: CohortFile, ranges: Record<string, { min: number; max: number }>): VirtualPatient[];
export function drawCohort(file: DbsCohortFile, ranges: Record<string, { min: number; max: number }>): CohortPatient[];
export function drawCohort(file: DbsCohortFile | CohortFile, ranges: Record<string, { min: number; max: number }>): CohortPatient[] {
  const random = seededRandom(file.seed);
  const within = (lo: number, hi: number, how: 'uniform' | 'log-uniform') =>
    how === 'uniform' ? lo + (hi - lo) * random() : Math.exp(Math.log(lo) + (Math.log(hi) - Math.log(lo)) * random());
  const patients: CohortPatient[] = [];
  for (let i = 0; i < file.size; i++) {
    const params: Record<string, number> = {};
    for (const [name, how] of Object.entries(file.draw)) params[name] = within(ranges[name].min, ranges[name].max, how);
    const bp: Record<string, number> = 'weightKg' in file
      ? { baselineMapMmHg: within(file.baselineMapMmHg.min, file.baselineMapMmHg.max, 'uniform'), weightKg: within(file.weightKg.min, file.weightKg.max, 'uniform') }
      : {};
    const subgroups = subgroupsOf(file, { ...params, ...bp });
    patients.push({
      id: `${file.name}-${String(i + 1).padStart(3, '0')}`, params, ...bp, subgroups,
      split: random() < file.heldOutShare ? 'held-out' : 'tuning',
    });
  }
  return patients;
}

function subgroupsOf(file: Pick<CohortFile, 'subgroups'>, values: Record<string, number>): Record<string, string> {
  const subgroups: Record<string, string> = {};
  for (const g of file.subgroups) {
    const v = values[g.by];
    const band = g.bands.find(([, lo, hi]) => v >= lo && v <= hi);
    subgroups[g.name] = band ? band[0] : 'outside';
  }
  return subgroups;
}

/** The listed patients, each held to what a drawn one could be: the drawn parameters, within their ranges. */
function listedPatients(path: string, file: CohortFile, ranges: Record<string, { min: number; max: number }>): VirtualPatient[] {
  const within = (where: string, v: number, r: { min: number; max: number }, from: string) => {
    if (!(v >= r.min && v <= r.max)) throw new Error(`${path}: ${where}: ${v} lies outside ${r.min}..${r.max} (${from})`);
  };
  const names = new Set<string>();
  return file.patients.map((p, i) => {
    const at = `patients.${i} (${p.name})`;
    if (names.has(p.name)) throw new Error(`${path}: ${at}: a second patient named ${p.name}`);
    names.add(p.name);
    for (const name of Object.keys(p.params)) if (!(name in file.draw)) throw new Error(`${path}: ${at}.params.${name}: not a parameter of this cohort (it has ${Object.keys(file.draw).join(', ')})`);
    for (const name of Object.keys(file.draw)) {
      if (!(name in p.params)) throw new Error(`${path}: ${at}.params: ${name} is missing`);
      within(`${at}.params.${name}`, p.params[name], ranges[name], `the range of ${file.params}`);
    }
    within(`${at}.baselineMapMmHg`, p.baselineMapMmHg, file.baselineMapMmHg, "the cohort's baselineMapMmHg");
    within(`${at}.weightKg`, p.weightKg, file.weightKg, "the cohort's weightKg");
    return {
      id: `${file.name}-${p.name}`, params: p.params, baselineMapMmHg: p.baselineMapMmHg, weightKg: p.weightKg,
      subgroups: subgroupsOf(file, { ...p.params, weightKg: p.weightKg, baselineMapMmHg: p.baselineMapMmHg }), split: p.split,
    };
  });
}
