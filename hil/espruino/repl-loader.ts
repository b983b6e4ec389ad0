// Loads a program into a real Espruino interpreter the way the Espruino CLI loads a board: line by line
// through its REPL, so each top-level statement runs and is freed before the next arrives. Then reads
// process.memory(). Used by the firmware build's fit check and by the interpreter test tier.
import { spawn } from 'node:child_process';
import vm from 'node:vm';
import { owned } from '../../host/process/owned-children.ts';
import { interpreterCommand } from './espruino-interpreter.ts';

export interface ReplLoad {
  usage: number | null;
  total: number | null;
  outOfMemory: boolean;
  uncaught: boolean;
  stdout: string;
}

/** Keeps the REPL on stdout while a program that moves its console is measured. */
export const KEEP_CONSOLE = 'LoopbackA.setConsole=function(){};USB.setConsole=function(){};Serial1.setConsole=function(){};';

/**
 * Makes a board's pin names exist on the Linux build (which has only D0..D32), each as its own Linux pin,
 * so a bundle built for another board runs unchanged.
 */
export function pinAliases(pinNames: string[]): string {
  return pinNames.map((name, i) => `global[${JSON.stringify(name)}]=D${i};`).join('');
}

/**
 * Types lines into an interpreter's REPL the way the Espruino CLI feeds a board, each followed by a marker
 * it prints once the line has run, and waits for that marker before the next line. The Linux build's input
 * thread appends to the event queue while the main thread pops it, without a lock (src/jsdevices.c,
 * jshPushIOCharEvents); under bulk input the queue gets corrupted and an assertion fails (len <= 64). A
 * board takes input in interrupts and has no such race. So each line goes in 16-byte pieces 2 ms apart
 * (no loss in 4 of 4 trials, against 0 of 4 at 32 bytes a millisecond). Returns the index of the first
 * line whose marker never came, or -1 when every line ran.
 */
export async function typeLines(
  write: (text: string) => void,
  output: () => string,
  allLines: string[],
  alive: () => boolean,
  lineTimeoutMs = 5000,
  pace: TypingPace = TYPING_PACES[0],
): Promise<number> {
  const lines = allLines.filter((l) => l.trim());
  let firstMissing = -1;
  for (let n = 0; n < lines.length && alive(); n++) {
    const line = lines[n] + `\nprint("LINE-DONE ${n}");\n`;
    for (let i = 0; i < line.length; i += pace.pieceBytes) {
      write(line.slice(i, i + pace.pieceBytes));
      await new Promise((r) => setTimeout(r, pace.gapMs));
    }
    const until = Date.now() + lineTimeoutMs;
    const done = new RegExp(`LINE-DONE ${n}\\r?\\n`);
    while (!done.test(output()) && alive() && Date.now() < until) await new Promise((r) => setTimeout(r, 2));
    if (firstMissing < 0 && !done.test(output())) firstMissing = n;
  }
  return firstMissing;
}

export interface TypingPace {
  pieceBytes: number;
  gapMs: number;
}

/**
 * Typing paces, each gentler than the one before: a load that dies of the input race is tried again at the
 * next. The race needs the input thread to push while the main loop pops, so smaller pieces further apart
 * make it rarer (a CI machine under full load lost three loads in a row at the first pace).
 */
export const TYPING_PACES: readonly TypingPace[] = [
  { pieceBytes: 16, gapMs: 2 }, { pieceBytes: 8, gapMs: 4 }, { pieceBytes: 8, gapMs: 8 }, { pieceBytes: 4, gapMs: 8 }, { pieceBytes: 4, gapMs: 16 },
];

export interface ReplOptions {
  prelude?: string;
  settleMs?: number;
  timeoutMs?: number;
  lineTimeoutMs?: number;
}

/**
 * Loads and measures, trying again at each gentler pace of TYPING_PACES when the interpreter dies of the Linux
 * build's input race (an ASSERT in jsdevices.c) or its memory line is lost, rather than of anything in the
 * program (running out of memory, an uncaught error: those are the answer, not a race).
 */
export async function loadThroughRepl(bin: string, program: string, options: ReplOptions = {}): Promise<ReplLoad> {
  let run = await loadOnce(bin, program, options, TYPING_PACES[0]);
  const raced = (r: ReplLoad) => /ASSERT\(/.test(r.stdout) || (r.usage === null && !r.outOfMemory && !r.uncaught) || garbledSyntax(r, program);
  for (let attempt = 1; attempt < TYPING_PACES.length && raced(run); attempt++) run = await loadOnce(bin, program, options, TYPING_PACES[attempt]);
  return run;
}

/**
 * A SyntaxError from a program that parses in Node means characters were lost or repeated on the way in
 * (the same race, seen on a loaded CI machine as "Got ':' expected EOF" in a bundle that loads everywhere
 * else), not a fault of the program.
 */
export function garbledSyntax(run: ReplLoad, program: string): boolean {
  if (!/Uncaught SyntaxError/.test(run.stdout)) return false;
  try {
    new vm.Script(program);
    return true;
  } catch {
    return false;
  }
}

async function loadOnce(bin: string, program: string, options: ReplOptions, pace: TypingPace): Promise<ReplLoad> {
  const [cmd, ...args] = interpreterCommand(bin);
  const child = owned(spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] }));
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString('latin1');
  });
  child.stderr.on('data', (d: Buffer) => {
    stdout += d.toString('latin1');
  });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  child.on('error', () => undefined);
  child.stdin.on('error', () => undefined);
  await typeLines((t) => child.stdin.write(t), () => stdout, ['echo(0);', options.prelude ?? '', ...program.split('\n')], () => child.exitCode === null, options.lineTimeoutMs, pace);
  child.stdin.write(`setTimeout(function(){print("REPL-MEM "+JSON.stringify(process.memory()));},${options.settleMs ?? 300});\n`);
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  while (!/REPL-MEM \{.*\}/.test(stdout) && Date.now() < deadline && child.exitCode === null) {
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGKILL');
  await exited;
  // The line can come back garbled when the host is loaded (the Linux build's console drops or repeats
  // characters): read the two figures themselves, and a line without both counts as no reading.
  const line = /REPL-MEM (\{.*\})/.exec(stdout)?.[1] ?? '';
  const usage = /"usage":(\d+)[,}]/.exec(line);
  const total = /"total":(\d+)[,}]/.exec(line);
  const mem = usage && total ? { usage: Number(usage[1]), total: Number(total[1]) } : null;
  return {
    usage: mem ? mem.usage : null,
    total: mem ? mem.total : null,
    outOfMemory: /OUT OF MEMORY|LOW_MEMORY/.test(stdout),
    uncaught: /Uncaught/.test(stdout),
    stdout,
  };
}
