// Every kind of configuration file keeps its JSON Schema, its shipped files and its documentation page in
// step with its zod schema: a stale schema, a shipped file without its $schema, a field the page does not
// mention or an example that would not load fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_KINDS, formatPage, jsonSchemaFile, jsonSchemaText } from './config-kinds.ts';

const repo = (p: string) => new URL(`../../${p}`, import.meta.url).pathname;
const read = (p: string) => readFileSync(repo(p), 'utf8');

/** Every property name anywhere in a JSON Schema. */
function propertyNames(node: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const x of node) propertyNames(x, into);
  else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'properties') for (const name of Object.keys(v as object)) into.add(name);
      propertyNames(v, into);
    }
  }
  return into;
}

describe('configuration file kinds', () => {
  for (const k of CONFIG_KINDS) {
    describe(`${k.kind} files`, () => {
      const shipped = readdirSync(repo(k.dir)).filter((f) => f.endsWith(`.${k.kind}.json`));

      it(`${jsonSchemaFile(k)} is what the zod schema gives (run npm run generate)`, () => {
        expect(read(jsonSchemaFile(k))).toBe(jsonSchemaText(k));
      });

      it('every shipped one points at its JSON Schema and is valid', () => {
        expect(shipped.length).toBeGreaterThan(0);
        for (const f of shipped) {
          const raw = JSON.parse(read(`${k.dir}/${f}`)) as Record<string, unknown>;
          expect(raw.$schema, f).toBe(relative(dirname(repo(`${k.dir}/${f}`)), repo(jsonSchemaFile(k))));
          const r = k.schema.safeParse(raw);
          expect(r.success, `${f}: ${r.error?.message}`).toBe(true);
        }
      });

      it(`${formatPage(k)} names every field, links the JSON Schema, and its example loads`, () => {
        const page = read(formatPage(k));
        const fields = [...propertyNames(JSON.parse(read(jsonSchemaFile(k))))].filter((p) => p !== '$schema' && p !== '$comment');
        // Mentioned as `name`, or as part of a dotted path such as `limits.nearEmptyMl`.
        const mentioned = (f: string) => new RegExp(`\`([\\w-]+\\.)*${f.replace(/[$-]/g, '\\$&')}(\\.[\\w-]+)*\``).test(page);
        expect(fields.filter((f) => !mentioned(f)), `fields ${formatPage(k)} does not mention`).toEqual([]);
        expect(page).toContain(`](../schemas/${k.kind}.schema.json)`);
        const example = page.match(/```json\n([\s\S]*?)\n```/);
        expect(example, `${formatPage(k)} has no json example`).not.toBeNull();
        const r = k.schema.safeParse(JSON.parse(example![1]));
        expect(r.success, `${formatPage(k)} example: ${r.error?.message}`).toBe(true);
      });
    });
  }
});
