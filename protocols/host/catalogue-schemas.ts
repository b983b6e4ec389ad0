// zod schemas of every message's values, built from the catalogue at load time. The host validates
// everything it is about to encode with them, so bad values from a config, a person or a controller are
// refused with the message and field named, before they reach a device.
import { z } from 'zod';
import type { FieldDef, MessageDef } from '../catalogue/catalogue-types.ts';
import { wireCodes } from '../catalogue/catalogue-types.ts';
import { codeTable } from '../catalogue/codes.ts';
import { messages } from '../catalogue/messages.ts';

function fieldSchema(f: FieldDef): z.ZodType {
  if (f.type === 'text') {
    return z.string().max(f.maxLength).regex(/^[\x20-\x7e]*$/, 'printable ASCII only');
  }
  // Unscaled integer fields take integers; scaled ones are rounded to their grid when encoded.
  const wire = f.type === 'array' ? f.element : f.type;
  const integer = wire !== 'f32' && (f.scale === undefined || f.scale === 1);
  const range = integer ? z.number().int().min(f.min).max(f.max) : z.number().min(f.min).max(f.max);
  if (f.type === 'array') return z.array(range).max(f.maxCount);
  if (f.codes) {
    const table = codeTable(f.codes);
    const codes = wireCodes(table);
    const allowed = codes.map(([, v]) => v);
    return range.refine((v) => allowed.includes(v), {
      message: `not a ${table.name} code (allowed: ${codes.map(([k, v]) => `${v}=${k}`).join(', ')})`,
    });
  }
  if (f.flags) {
    const table = codeTable(f.flags);
    const mask = Object.values(table.values).reduce((a, v) => a | v, 0);
    return range.refine((v) => (v & ~mask) === 0, { message: `holds bits outside ${table.name} (mask 0x${mask.toString(16)})` });
  }
  return range;
}

export function messageSchema(m: MessageDef): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const f of m.fields) shape[f.name] = f.ext ? fieldSchema(f).optional() : fieldSchema(f);
  return z.strictObject(shape);
}

/** Schema of each message's values, by message name. */
export const schemasByName: Readonly<Record<string, z.ZodObject>> = Object.fromEntries(
  messages.map((m) => [m.name, messageSchema(m)]),
);
