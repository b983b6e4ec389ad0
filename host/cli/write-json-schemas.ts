// `npm run generate` writes docs/schemas/<kind>.schema.json, the JSON Schema editors use for each kind of
// configuration file, from its zod schema (host/cli/config-kinds.ts). A test fails when one is stale.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { CONFIG_KINDS, jsonSchemaFile, jsonSchemaText } from './config-kinds.ts';

const repo = (p: string) => new URL(`../../${p}`, import.meta.url).pathname;

mkdirSync(repo('docs/schemas'), { recursive: true });
for (const k of CONFIG_KINDS) {
  const next = jsonSchemaText(k);
  let old = '';
  try {
    old = readFileSync(repo(jsonSchemaFile(k)), 'utf8');
  } catch {
    // first time
  }
  if (old === next) continue;
  writeFileSync(repo(jsonSchemaFile(k)), next);
  console.log(`wrote ${jsonSchemaFile(k)}`);
}
