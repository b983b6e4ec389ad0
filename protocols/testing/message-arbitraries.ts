// fast-check generators of valid values for any catalogue message: every field on its scale's grid,
// inside its range, codes from their table. Used by round-trip property tests.
import fc from 'fast-check';
import type { FieldDef, MessageDef } from '../catalogue/catalogue-types.ts';
import { wireCodes } from '../catalogue/catalogue-types.ts';
import { codeTable } from '../catalogue/codes.ts';
import { scaleFactor } from '../tools/codegen.ts';

function scaled(min: number, max: number, scale: number | undefined): fc.Arbitrary<number> {
  const k = scaleFactor(scale);
  return fc.integer({ min: Math.ceil(min * k), max: Math.floor(max * k) }).map((n) => n / k);
}

export function fieldArbitrary(f: FieldDef): fc.Arbitrary<unknown> {
  if (f.type === 'text') return fc.string({ maxLength: f.maxLength, unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) });
  if (f.type === 'array') return fc.array(scaled(f.min, f.max, f.scale), { maxLength: f.maxCount });
  if (f.codes) return fc.constantFrom(...wireCodes(codeTable(f.codes)).map(([, v]) => v));
  if (f.flags) {
    const bits = Object.values(codeTable(f.flags).values);
    return fc.subarray(bits).map((b) => b.reduce((a, x) => a | x, 0));
  }
  if (f.type === 'f32') {
    return fc.float({ min: Math.fround(f.min), max: Math.fround(f.max), noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x));
  }
  return scaled(f.min, f.max, f.scale);
}

export function valuesArbitrary(m: MessageDef): fc.Arbitrary<Record<string, unknown>> {
  const shape: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of m.fields) shape[f.name] = fieldArbitrary(f);
  return fc.record(shape);
}
