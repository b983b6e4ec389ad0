// The goals `npm run bench` checks its figures against, as data. Each bench section states what it runs,
// the figures it measures and the goal each must meet (with where the goal comes from); the run prints a
// table of figure, measured value, goal and held or missed, and saves the same verdicts with the figures.
// Figures are measured and reported, never asserted: a missed goal is news, not a failed build.

export interface Goal {
  /** What is measured, in words. */
  figure: string;
  /** Where the figure is in the section's results: a dotted path, or a function for a derived figure. */
  at: string | ((results: never) => number | null | undefined);
  atLeast?: number;
  atMost?: number;
  unit: string;
  /** Where the goal was set (an issue, a standard, a published result). */
  source: string;
}

export interface BenchSection {
  name: string;
  /** What it measures, for the progress lines. */
  about: string;
  run(): Promise<object>;
  goals: readonly Goal[];
}

export interface Verdict {
  section: string;
  figure: string;
  measured: number | null;
  goal: string;
  unit: string;
  verdict: 'held' | 'missed' | 'not measured';
  source: string;
}

function figureAt(results: object, at: Goal['at']): number | null {
  const v = typeof at === 'function'
    ? (at as (r: object) => number | null | undefined)(results)
    : at.split('.').reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), results);
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

const shown = (x: number) => (Math.abs(x) >= 1000 ? Math.round(x).toLocaleString('en') : String(Number(x.toPrecision(4))));
const goalText = (g: Goal) => [g.atLeast !== undefined ? `>= ${shown(g.atLeast)}` : '', g.atMost !== undefined ? `<= ${shown(g.atMost)}` : ''].filter(Boolean).join(' and ');

/** Each goal of a section against the figures it measured (a figure it could not measure, such as one that needs ESPRUINO_BIN, is "not measured"). */
export function checkGoals(section: BenchSection, results: object): Verdict[] {
  return section.goals.map((g) => {
    const measured = figureAt(results, g.at);
    const held = measured !== null && (g.atLeast === undefined || measured >= g.atLeast) && (g.atMost === undefined || measured <= g.atMost);
    return {
      section: section.name, figure: g.figure, measured, goal: goalText(g), unit: g.unit, source: g.source,
      verdict: measured === null ? 'not measured' : held ? 'held' : 'missed',
    };
  });
}

/** The verdicts as a table for a terminal, with a count at the end. */
export function verdictTable(verdicts: readonly Verdict[]): string[] {
  const rows = verdicts.map((v) => [
    `${v.section}: ${v.figure}`,
    v.measured === null ? '-' : `${shown(v.measured)} ${v.unit}`,
    `${v.goal} ${v.unit}`,
    v.verdict === 'missed' ? 'MISSED' : v.verdict,
  ]);
  const head = ['figure', 'measured', 'goal', 'verdict'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 3 ? c : c.padEnd(widths[i]))).join('  ');
  const count = (k: Verdict['verdict']) => verdicts.filter((v) => v.verdict === k).length;
  return [
    line(head),
    ...rows.map(line),
    `goals held: ${count('held')} of ${verdicts.length}; missed: ${count('missed')}; not measured: ${count('not measured')}`,
  ];
}
