// Records the current catalogue as released (protocols/released/catalogue.json). After this, the
// compatibility test fails when a released message changes other than by appending extension fields.
// Refuses to release a catalogue that breaks the previous release.
import { readFileSync, writeFileSync } from 'node:fs';
import { codeTables } from '../catalogue/codes.ts';
import type { ReleasedCatalogue } from '../catalogue/compatibility.ts';
import { compatibilityProblems, releaseSnapshot } from '../catalogue/compatibility.ts';
import { messages, PROTOCOL_VERSION } from '../catalogue/messages.ts';
import { protocolsDir } from './generated-files.ts';

const path = protocolsDir + 'released/catalogue.json';
const next = releaseSnapshot(PROTOCOL_VERSION, messages, codeTables);
let previous: ReleasedCatalogue | null = null;
try {
  previous = JSON.parse(readFileSync(path, 'utf8')) as ReleasedCatalogue;
} catch {
  previous = null;
}
if (previous) {
  const problems = compatibilityProblems(previous, next);
  if (problems.length > 0) {
    console.error(`not released: the catalogue breaks the previous release:\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
}
// One message or code table a line, so a diff of a release reads message by message.
const lines = (rows: unknown[]) => rows.map((r) => '  ' + JSON.stringify(r)).join(',\n');
writeFileSync(
  path,
  `{\n "protocolVersion": ${next.protocolVersion},\n "messages": [\n${lines(next.messages)}\n ],\n "codes": [\n${lines(next.codes)}\n ]\n}\n`,
);
console.log(`released ${next.messages.length} messages to protocols/released/catalogue.json`);
