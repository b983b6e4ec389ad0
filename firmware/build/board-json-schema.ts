// firmware/boards/board.schema.json, the JSON Schema editors use for *.board.json, derived from the zod
// schema. `npm run generate` writes it; a test fails when it is stale.
import { z } from 'zod';
import { boardSchema } from './board-schema.ts';
import { boardsDir } from './boards.ts';

export const boardJsonSchemaPath = boardsDir + 'board.schema.json';

export function boardJsonSchema(): string {
  return JSON.stringify(z.toJSONSchema(boardSchema, { io: 'input' }), null, 2) + '\n';
}
