// Reads and validates firmware/boards/*.board.json. A bad file is reported with its name, the field and
// what is wrong, before anything is built.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Board } from './board-schema.ts';
import { boardSchema } from './board-schema.ts';

export const boardsDir = fileURLToPath(new URL('../boards/', import.meta.url));

export function parseBoard(fileName: string, text: string): Board {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`firmware/boards/${fileName}: not valid JSON (${(e as Error).message})`);
  }
  const r = boardSchema.safeParse(raw);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.') || '(top level)'}: ${i.message}`);
    throw new Error(`firmware/boards/${fileName} is not a valid board file:\n${lines.join('\n')}`);
  }
  if (`${r.data.id}.board.json` !== fileName) throw new Error(`firmware/boards/${fileName}: its id '${r.data.id}' must match the file name`);
  return r.data;
}

export function loadBoards(): Board[] {
  return readdirSync(boardsDir)
    .filter((f) => f.endsWith('.board.json'))
    .sort()
    .map((f) => parseBoard(f, readFileSync(boardsDir + f, 'utf8')));
}
