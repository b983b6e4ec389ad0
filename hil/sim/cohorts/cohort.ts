// Virtual cohorts as data (*.cohort.json): a seeded draw of patients over the parameter ranges of a model's
// params file, each labelled with its subgroups and assigned to the tuning or the held-out split, and
// patients listed by name (corners of the ranges), held to the same ranges and labelled the same way.
// The same file and seed always give the same patients.
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { seededRandom } from '../../../protocols/testing/seeded-random.ts';
import { loadParams } from '../patients/patient-params.ts';
import { readConfigFile } from '../../../host/config/config-file.ts';

const range = z.strictObject({ min: z.number(), max: z.number() }).refine((r) => r.min <= r.max, { message: 'min must not exceed max' });

export const cohortSchema = z.strictObject({
  $comment: z.string().optional(),
  name: z.string().regex(/^[a-z0-9-]+$/),
  model: z.enum(['slate-vasodilator', 'norepinephrine-pk-hill']),
  params: z.string(),
  seed: z.number().int().min(0),
  size: z.number().int().min(0).max(10_000),
  heldOutShare: z.number().min(0).max(0.9),
  baselineMapMmHg: range,
  weightKg: range,
  draw: z.record(z.string(), z.enum(['uniform', 'log-uniform'])),
  subgroups: z.array(z.strictObject({
    name: z.string(),
    by: z.string(),
    bands: z.array(z.tuple([z.string(), z.number(), z.number()])).min(1),
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
}).refine((c) => c.size + c.patients.length > 0, { message: 'no patients: give a size above 0 or a patients list' });

export type CohortFile = z.infer<typeof cohortSchema>;

export interface VirtualPatient {
  id: string;
  params: Record<string, number>;
  baselineMapMmHg: number;
  weightKg: number;
  subgroups: Record<string, string>;
  split: 'tuning' | 'held-out';
}

/** Reads a cohort file and draws its patients; a seed given here replaces the file's (another draw). */
export function loadCohort(path: string, seed?: number): { file: CohortFile; patients: VirtualPatient[] } {
  const read = readConfigFile(path, 'the cohort', cohortSchema);
  const file = seed === undefined ? read : { ...read, seed };
  const params = loadParams(resolve(dirname(path), file.params), Object.keys(file.draw));
  return { file, patients: [...drawCohort(file, params.parameters), ...listedPatients(path, file, params.parameters)] };
}

export function drawCohort(file: CohortFile, ranges: Record<string, { min: number; max: number }>): VirtualPatient[] {
  const random = seededRandom(file.seed);
  const within = (lo: number, hi: number, how: 'uniform' | 'log-uniform') =>
    how === 'uniform' ? lo + (hi - lo) * random() : Math.exp(Math.log(lo) + (Math.log(hi) - Math.log(lo)) * random());
  const patients: VirtualPatient[] = [];
  for (let i = 0; i < file.size; i++) {
    const params: Record<string, number> = {};
    for (const [name, how] of Object.entries(file.draw)) params[name] = within(ranges[name].min, ranges[name].max, how);
    const baselineMapMmHg = within(file.baselineMapMmHg.min, file.baselineMapMmHg.max, 'uniform');
    const weightKg = within(file.weightKg.min, file.weightKg.max, 'uniform');
    const subgroups = subgroupsOf(file, { ...params, weightKg, baselineMapMmHg });
    patients.push({
      id: `${file.name}-${String(i + 1).padStart(3, '0')}`, params, baselineMapMmHg, weightKg, subgroups,
      split: random() < file.heldOutShare ? 'held-out' : 'tuning',
    });
  }
  return patients;
}

function subgroupsOf(file: CohortFile, values: Record<string, number>): Record<string, string> {
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
