// Writes every file derived from the message catalogue (see generated-files.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { generatedFiles, protocolsDir } from './generated-files.ts';

for (const f of generatedFiles()) {
  let old = '';
  try {
    old = readFileSync(f.path, 'utf8');
  } catch {
    // new file
  }
  if (old === f.content) continue;
  writeFileSync(f.path, f.content);
  console.log(`wrote protocols/${relative(protocolsDir, f.path)}`);
}
