// The append-only record of a run: one JSON object per line, written to the file with a synchronous
// write as each event happens. What is flushed when: every line is in the operating system's hands when
// record() returns, so a crash or kill of the host process loses nothing recorded; the file is fsync'ed
// to the disk on every alarm and on close, so a power cut loses at most the lines since the last alarm.
// The file must be new (a record is never overwritten or mixed with another run) and is only appended to.
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import type { LoopRecorder } from '../loop/loop-shell.ts';

export const RECORD_FORMAT = 'homeostat-record/1';

export class FileRecorder implements LoopRecorder {
  private fd: number | null;
  private seq = 0;

  constructor(readonly path: string, header: object) {
    try {
      this.fd = openSync(path, 'ax');
    } catch (e) {
      const exists = (e as NodeJS.ErrnoException).code === 'EEXIST';
      throw new Error(exists ? `record ${path} already exists: records are never overwritten; choose another output directory` : `cannot create the record ${path}: ${(e as Error).message}`);
    }
    this.write({ kind: 'header', seq: this.seq++, tMs: 0, data: { format: RECORD_FORMAT, ...header } });
    fsyncSync(this.fd);
  }

  /** Events that arrived after the end line (an answer in flight when the run stopped); not written. */
  lateEvents = 0;

  record(kind: string, tMs: number, data: object): void {
    if (this.fd === null) {
      this.lateEvents++;
      return;
    }
    this.write({ kind, seq: this.seq++, tMs, data });
    if (kind === 'alarm' && this.fd !== null) fsyncSync(this.fd);
  }

  /** The run ended, or failed: the last line says which, and the file is synced and closed. */
  close(end: { ok: boolean; error?: string }): void {
    if (this.fd === null) return;
    this.write({ kind: 'end', seq: this.seq++, tMs: -1, data: end });
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = null;
  }

  private write(line: object): void {
    if (this.fd === null) throw new Error(`record ${this.path} is closed`);
    writeSync(this.fd, JSON.stringify(line) + '\n');
  }
}
