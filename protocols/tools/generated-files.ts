// Every file derived from the catalogue, with its expected content. `npm run generate` writes them; a test
// compares them with what is committed, so a stale file fails CI.
import { fileURLToPath } from 'node:url';
import { codeTables } from '../catalogue/codes.ts';
import { canonicalLayout, computeLayoutHash } from '../catalogue/layout.ts';
import { groups, messages } from '../catalogue/messages.ts';
import { assertValidCatalogue } from '../catalogue/validate-catalogue.ts';
import { generateWireCodec, generateWireRegistry } from './codegen.ts';
import { renderSpec } from './spec-tables.ts';
import { readFileSync } from 'node:fs';

export const protocolsDir = fileURLToPath(new URL('..', import.meta.url));

export interface GeneratedFile {
  path: string;
  content: string;
}

export function generatedFiles(): GeneratedFile[] {
  assertValidCatalogue(messages, groups, codeTables);
  const hash = computeLayoutHash(messages, codeTables);
  const specPath = protocolsDir + 'SPEC.md';
  return [
    { path: protocolsDir + 'generated/wire-codec.ts', content: generateWireCodec(messages, codeTables, hash) },
    { path: protocolsDir + 'generated/wire-registry.ts', content: generateWireRegistry(messages) },
    // The exact text the layout hash is the CRC-32 of, so that another implementation can check it.
    { path: protocolsDir + 'generated/canonical-layout.json', content: canonicalLayout(messages, codeTables) },
    { path: specPath, content: renderSpec(readFileSync(specPath, 'utf8'), messages, groups, codeTables, hash) },
  ];
}
