// Reads a patient model's parameter file (*.params.json): every parameter with its nominal value, the
// range a virtual cohort spans, its unit and its source. Validated with zod, then as physics: each model
// states what its parameters must be (a gain or a time constant above zero, a delay not negative, a fraction
// within 0..1), and every value of the range is held to it, so a cohort can never draw a patient that
// integrates to NaN. Errors name the file, the parameter and the numbers.
import { z } from 'zod';
import { readConfigFile } from '../../../host/config/config-file.ts';

const parameter = z.strictObject({
  nominal: z.number(),
  min: z.number(),
  max: z.number(),
  unit: z.string().min(1),
  verified: z.boolean(),
  source: z.string().min(1),
}).superRefine((p, ctx) => {
  if (p.min > p.max) ctx.addIssue({ code: 'custom', message: `min ${p.min} > max ${p.max}` });
  else if (p.nominal < p.min || p.nominal > p.max) ctx.addIssue({ code: 'custom', message: `nominal ${p.nominal} lies outside min..max (${p.min}..${p.max})` });
});

/** A response given by points (x rising), with its units and source. */
const curve = z.strictObject({
  x: z.array(z.number()).min(2),
  y: z.array(z.number()).min(2),
  xUnit: z.string().min(1),
  yUnit: z.string().min(1),
  verified: z.boolean(),
  source: z.string().min(1),
}).superRefine((c, ctx) => {
  if (c.x.length !== c.y.length) ctx.addIssue({ code: 'custom', message: `x has ${c.x.length} points but y has ${c.y.length}` });
  const k = c.x.findIndex((v, i) => i > 0 && !(v > c.x[i - 1]));
  if (k > 0) ctx.addIssue({ code: 'custom', path: ['x', k], message: `x must rise point by point: ${c.x[k]} follows ${c.x[k - 1]}` });
});

export const paramsFileSchema = z.strictObject({
  $schema: z.string().optional(),
  $comment: z.string().optional(),
  model: z.string(),
  /** Drug models only. */
  drug: z.strictObject({ name: z.string(), concentrationUgPerMl: z.number().positive(), source: z.string() }).optional(),
  parameters: z.record(z.string(), parameter),
  curves: z.record(z.string(), curve).optional(),
});

export type ParamsFile = z.infer<typeof paramsFileSchema>;

/** What physics asks of a parameter. */
export type Physics = 'positive' | 'non-negative' | 'fraction';

const RULES: Record<Physics, { ok: (v: number) => boolean; text: string }> = {
  positive: { ok: (v) => v > 0, text: 'must be above 0' },
  'non-negative': { ok: (v) => v >= 0, text: 'must not be below 0' },
  fraction: { ok: (v) => v >= 0 && v <= 1, text: 'must lie within 0..1' },
};

/** Whether a value meets its physics; the problem in words otherwise. */
export function physicsProblem(physics: Physics, v: number): string | null {
  return Number.isFinite(v) && RULES[physics].ok(v) ? null : RULES[physics].text;
}

/**
 * Reads a parameter file for a model whose parameters have the given physics (every one of them must be
 * in the file), checking the file is for that model.
 */
export function loadParams(path: string, physics: Record<string, Physics>, model?: string): ParamsFile {
  const data = readConfigFile(path, 'patient parameters', paramsFileSchema);
  if (model !== undefined && data.model !== model) throw new Error(`${path}: model is '${data.model}', but '${model}' was asked for: choose that model's parameter file`);
  const missing = Object.keys(physics).filter((k) => !(k in data.parameters));
  if (missing.length > 0) throw new Error(`${path}: parameters missing: ${missing.join(', ')}`);
  for (const [name, rule] of Object.entries(physics)) {
    const p = data.parameters[name];
    for (const which of ['min', 'nominal', 'max'] as const) {
      const problem = physicsProblem(rule, p[which]);
      if (problem) throw new Error(`${path}: parameters.${name}.${which}: ${p[which]} ${p.unit}: ${name} ${problem}`);
    }
  }
  return data;
}

/** The nominal value of every parameter. */
export function nominal(file: ParamsFile): Record<string, number> {
  return Object.fromEntries(Object.entries(file.parameters).map(([k, p]) => [k, p.nominal]));
}
