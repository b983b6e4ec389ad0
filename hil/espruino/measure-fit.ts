// Does a bundle fit its board? Measured on the real interpreter when ESPRUINO_BIN is set (the fixed-memory
// build of the board's size where there is one), otherwise estimated from its size.
import { espruinoBin, espruinoBinWithVariables } from './espruino-interpreter.ts';
import { KEEP_CONSOLE, loadThroughRepl, pinAliases } from './repl-loader.ts';
import ts from 'typescript';
import type { Board } from '../../firmware/build/board-schema.ts';

export const MIN_FREE_FRACTION = 0.3;
/**
 * Idle variables per byte of function code and the interpreter's own share plus what every node holds at
 * run time, fitted to nine measurements on the 32-bit builds (pump, sensor and patient emulator on the
 * Original, Pico and Puck.js builds, November 2026): within 19 variables (1%) of each. Only code inside
 * functions counts: a top-level statement's text is freed once it has run. Buffers a node allocates as it
 * starts are not seen: the neurostimulator's sample buffers put it 240 variables (12%) above its estimate.
 */
const VARIABLES_PER_BYTE = 0.1128;
const BASE_VARIABLES = 539;
/** 64-bit builds pack more into a variable and under-count a 32-bit board by about a quarter. */
const SIXTY_FOUR_BIT_FACTOR = 1.33;

export interface Fit {
  budget: number;
  usedVariables: number | null;
  freePercent: number | null;
  fits: boolean;
  method: string;
  problem?: string;
}

/** Every pin name the board's node sections use. */
export function boardPins(board: Board): string[] {
  const names = new Set<string>();
  for (const node of Object.values(board.nodes)) if (node) for (const p of Object.values(node.pins)) names.add(p);
  return [...names];
}

export async function measureFit(code: string, board: Board): Promise<Fit> {
  const budget = board.variables;
  const bin = espruinoBin();
  let used: number | null;
  let method: string;
  if (bin) {
    const fixed = board.interpreterVariables ? espruinoBinWithVariables(board.interpreterVariables) : undefined;
    const run = await loadThroughRepl(fixed ?? bin, code, { prelude: KEEP_CONSOLE + pinAliases(boardPins(board)) });
    if (run.outOfMemory || run.usage === null || run.uncaught) {
      return { budget, usedVariables: null, freePercent: 0, fits: false, method: `loaded on ${(fixed ?? bin).split('/').pop()}`,
        problem: run.outOfMemory ? 'ran out of memory while loading' : `failed while loading: ${firstError(run.stdout)}` };
    }
    used = fixed ? run.usage : Math.round(run.usage * SIXTY_FOUR_BIT_FACTOR);
    method = fixed ? `measured on ${fixed.split('/').pop()}` : 'measured on the growing 64-bit build, scaled x1.33';
  } else {
    used = Math.round(BASE_VARIABLES + functionBytes(code) * VARIABLES_PER_BYTE);
    method = 'estimated from size (set ESPRUINO_BIN to measure)';
  }
  const free = (budget - used) / budget;
  return { budget, usedVariables: used, freePercent: Math.round(free * 100), fits: free >= MIN_FREE_FRACTION, method };
}

/** Bytes of a program that lie in functions and classes (what stays in memory once it has loaded). */
function functionBytes(code: string): number {
  const sf = ts.createSourceFile('bundle.js', code, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  let n = 0;
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) || ts.isClassLike(node)) n += node.getEnd() - node.getStart(sf);
    else ts.forEachChild(node, visit);
  };
  visit(sf);
  return n;
}

function firstError(stdout: string): string {
  const i = stdout.indexOf('Uncaught');
  return i < 0 ? stdout.slice(-200) : stdout.slice(i, i + 200).split('\n').slice(0, 2).join(' ');
}
