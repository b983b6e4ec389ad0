// Writes firmware/boards/board.schema.json (see board-json-schema.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { boardJsonSchema, boardJsonSchemaPath } from './board-json-schema.ts';

const next = boardJsonSchema();
let old = '';
try {
  old = readFileSync(boardJsonSchemaPath, 'utf8');
} catch {
  // first time
}
if (old !== next) {
  writeFileSync(boardJsonSchemaPath, next);
  console.log('wrote firmware/boards/board.schema.json');
}
