// The record on disk: one line per event as it happens, nothing lost to a crash, never overwritten.
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileRecorder } from './file-recorder.ts';
import { readRecord } from './record-file.ts';

describe('file recorder', () => {
  it('every event is in the file when record() returns, before any close', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'rec-')), 'a.record.jsonl');
    const r = new FileRecorder(path, { run: 'test' });
    r.record('beat', 1000, { meanMmHg: 90 });
    r.record('alarm', 2000, { raised: { id: 'x' } });
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[2])).toMatchObject({ kind: 'alarm', seq: 2, tMs: 2000 });
  });

  it('a record cut off by a crash reads up to its last whole line and says it is incomplete', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'rec-')), 'b.record.jsonl');
    const r = new FileRecorder(path, { run: 'test' });
    for (let i = 0; i < 5; i++) r.record('beat', i * 800, { meanMmHg: 90 + i });
    appendFileSync(path, '{"kind":"beat","seq":6,"tM'); // the write the crash interrupted
    const rec = readRecord(path);
    expect(rec.complete).toBe(false);
    expect(rec.lines).toHaveLength(5);
    expect(rec.header.run).toBe('test');
  });

  it('refuses to overwrite or mix into an existing record', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'rec-')), 'c.record.jsonl');
    new FileRecorder(path, {}).close({ ok: true });
    expect(() => new FileRecorder(path, {})).toThrow(/already exists: records are never overwritten/);
  });

  it('a bad line is named by file and line number', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'rec-')), 'd.record.jsonl');
    const r = new FileRecorder(path, {});
    r.close({ ok: true });
    appendFileSync(path, 'not json\n{"kind":"x","seq":1,"tMs":0,"data":{}}\n');
    expect(() => readRecord(path)).toThrow(/d\.record\.jsonl line 3: not JSON/);
  });
});
