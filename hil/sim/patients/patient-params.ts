// Reads a patient model's parameter file (*.params.json): every parameter with its nominal value, the
// range a virtual cohort spans, its unit and its source. Validated with zod, so a wrong file is refused
// with the file and the parameter named.
import { z } from 'zod';
import { readConfigFile } from '../../../host/config/config-file.ts';

const parameter = z.strictObject({
  nominal: z.number(),
  min: z.number(),
  max: z.number(),
  unit: z.string().min(1),
  verified: z.boolean(),
  source: z.string().min(1),
}).refine((p) => p.min <= p.nominal && p.nominal <= p.max, { message: 'nominal must lie within min..max' });

export const paramsFileSchema = z.strictObject({
  $comment: z.string().optional(),
  model: z.string(),
  drug: z.strictObject({ name: z.string(), concentrationUgPerMl: z.number().positive(), source: z.string() }),
  parameters: z.record(z.string(), parameter),
});

export type ParamsFile = z.infer<typeof paramsFileSchema>;

export function loadParams(path: string, required: string[]): ParamsFile {
  const data = readConfigFile(path, 'patient parameters', paramsFileSchema);
  const missing = required.filter((k) => !(k in data.parameters));
  if (missing.length > 0) throw new Error(`${path}: parameters missing: ${missing.join(', ')}`);
  return data;
}

/** The nominal value of every parameter. */
export function nominal(file: ParamsFile): Record<string, number> {
  return Object.fromEntries(Object.entries(file.parameters).map(([k, p]) => [k, p.nominal]));
}
