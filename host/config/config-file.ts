// Reading a configuration or data file with its zod schema: an unreadable file or an invalid field is
// reported with the file (or what the config is), the field and the problem, first problem first.
import { readFileSync } from 'node:fs';
import type { z } from 'zod';

/** Parses values against a schema; the error reads "<label>: <field>: <problem>". */
export function parseConfig<S extends z.ZodType>(label: string, schema: S, raw: unknown): z.infer<S> {
  const r = schema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new Error(`${label}: ${i.path.join('.') || '(top level)'}: ${i.message}`);
  }
  return r.data;
}

/** Reads a JSON file and parses it against a schema; `what` names the file's kind in a read error. */
export function readConfigFile<S extends z.ZodType>(path: string, what: string, schema: S): z.infer<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: cannot read ${what} (${(e as Error).message})`);
  }
  return parseConfig(path, schema, raw);
}
