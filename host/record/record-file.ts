// Reading a record back: every line is checked, and a bad one is named by file and line number. A record
// cut short by a crash reads up to its last complete line.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseConfig } from '../config/config-file.ts';
import { RECORD_FORMAT } from './file-recorder.ts';

const line = z.object({ kind: z.string(), seq: z.number().int(), tMs: z.number(), data: z.record(z.string(), z.unknown()) });
export type RecordLine = z.infer<typeof line>;

export interface RecordFile {
  header: Record<string, unknown>;
  lines: RecordLine[];
  /** False when the run did not reach its end line (a crash, a kill, a failure). */
  complete: boolean;
}

export function readRecord(path: string): RecordFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read the record ${path}: ${(e as Error).message}`);
  }
  const raw = text.split('\n');
  // The last piece is either the empty string after the final newline or a line a crash left half
  // written: it is dropped either way; every other line must be whole.
  raw.pop();
  const lines: RecordLine[] = raw.map((l, i) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(l);
    } catch {
      throw new Error(`${path} line ${i + 1}: not JSON; is this a homeostat record?`);
    }
    return parseConfig(`${path} line ${i + 1}`, line, parsed);
  });
  const first = lines[0];
  if (!first || first.kind !== 'header' || first.data.format !== RECORD_FORMAT) {
    throw new Error(`${path}: no ${RECORD_FORMAT} header on line 1; is this a homeostat record?`);
  }
  return { header: first.data, lines: lines.slice(1), complete: lines.at(-1)?.kind === 'end' };
}
