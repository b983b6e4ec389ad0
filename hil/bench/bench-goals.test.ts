import { describe, expect, it } from 'vitest';
import type { BenchSection } from './bench-goals.ts';
import { checkGoals, verdictTable } from './bench-goals.ts';

const section: BenchSection = {
  name: 'demo', about: 'a section for the test', run: async () => ({}),
  goals: [
    { figure: 'overhead', at: 'frame.overheadBytes', atMost: 8, unit: 'bytes', source: 'test' },
    { figure: 'speed', at: 'speed', atLeast: 10_000, unit: 'x', source: 'test' },
    { figure: 'least free', at: (r: { rows: { free: number }[] }) => Math.min(...r.rows.map((x) => x.free)), atLeast: 30, unit: '%', source: 'test' },
    { figure: 'on the interpreter', at: 'interpreter.usPerFrame', atMost: 100, unit: 'us', source: 'test' },
  ],
};

describe('bench goals', () => {
  it('judges each figure against its goal: held, missed, or not measured when the bench could not measure it', () => {
    const v = checkGoals(section, { frame: { overheadBytes: 9 }, speed: 12_000, rows: [{ free: 64 }, { free: 29.5 }], interpreter: { skipped: 'set ESPRUINO_BIN' } });
    expect(v.map((x) => [x.figure, x.measured, x.verdict])).toEqual([
      ['overhead', 9, 'missed'], ['speed', 12_000, 'held'], ['least free', 29.5, 'missed'], ['on the interpreter', null, 'not measured'],
    ]);
    const table = verdictTable(v);
    expect(table[1]).toMatch(/^demo: overhead +9 bytes +<= 8 bytes +MISSED$/);
    expect(table[2]).toMatch(/12,000 x +>= 10,000 x +held$/);
    expect(table.at(-1)).toBe('goals held: 1 of 4; missed: 2; not measured: 1');
  });
});
