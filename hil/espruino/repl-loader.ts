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
 * Types lines into an interpreter's REPL the way the Espruino CLI feeds a board, and checks each arrived whole
 * before it runs. The Linux build's input thread appends to the event queue while the main thread pops it,
 * without a lock (src/jsdevices.c, jshPushIOCharEvents): under load characters are lost or repeated, and bulk
 * input trips an assertion (len <= 64). A board takes input in interrupts and has no such race. So each line
 * goes in small pieces a few ms apart, without its newline; the REPL's echo is compared with the line, and a
 * line that came back different is cleared with Ctrl-C and typed again, so a garbled statement never runs.
 * Each line ends with a marker that prints once it has run; the REPL's result after it (=undefined) shows the
 * echo is still on. Once a line turns the echo off (a node that moves its console calls echo(0)), later lines
 * go in unchecked. A slow echo never switches the check off: only the missing result does. Returns the index
 * of the first line whose marker never came, or -1 when every line ran.
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
  const repl = new CheckedRepl(write, output, alive, pace);
  let firstMissing = -1;
  for (let n = 0; n < lines.length && alive(); n++) {
    // The marker goes on the same line: the REPL prints only its result (=undefined), not the statement's,
    // which for a class would be its whole text again.
    const ran = await repl.enter(`${lines[n]};print("LINE-DONE ${n}")`);
    const done = new RegExp(`LINE-DONE ${n}\\r?\\n`);
    const marked = ran ? await waitFor(() => done.test(output()), lineTimeoutMs, alive) : done.test(output());
    if (!marked && firstMissing < 0) firstMissing = n;
    // With the echo on, the line's result follows its marker at once (one write of the same loop).
    const result = new RegExp(`LINE-DONE ${n}\\r?\\n[^]*=`);
    if (ran && repl.echoOn) repl.echoOn = await waitFor(() => result.test(output()), 2000, alive);
  }
  return firstMissing;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls every 2 ms until ok() holds (true), ms pass or the interpreter is gone (false). */
async function waitFor(ok: () => boolean, ms: number, alive: () => boolean): Promise<boolean> {
  const until = Date.now() + ms;
  while (!ok() && alive() && Date.now() < until) await sleep(2);
  return ok();
}

/** Types one line at a time, compares the REPL's echo with it, and presses Enter only on an exact copy. */
class CheckedRepl {
  /** Whether the REPL still echoes: the last line's result came (typeLines keeps it). */
  echoOn = true;
  constructor(
    private readonly write: (text: string) => void,
    private readonly output: () => string,
    private readonly alive: () => boolean,
    private readonly pace: TypingPace,
    private readonly echoWaitMs = 5000,
    private readonly retypes = 8,
  ) {}

  /** Types the line and presses Enter once the REPL holds exactly it; false when it never did. */
  async enter(line: string): Promise<boolean> {
    for (let attempt = 0; attempt <= this.retypes && this.alive(); attempt++) {
      const mark = this.output().length;
      await this.type(line);
      const echoed = await this.echoAfter(mark, line);
      if (!this.echoOn || echoed.includes(line)) return this.pressEnter();
      // Nothing echoed (all lost, or a very late echo: then the retyped line comes back doubled and is
      // cleared), or a garbled copy on the line: clear it (Ctrl-C on an empty line would interrupt).
      if (echoed !== '') await this.clearLine();
    }
    return false;
  }

  private async type(text: string): Promise<void> {
    for (let i = 0; i < text.length; i += this.pace.pieceBytes) {
      this.write(text.slice(i, i + this.pace.pieceBytes));
      await sleep(this.pace.gapMs);
    }
  }

  private async echoAfter(mark: number, line: string): Promise<string> {
    if (!this.echoOn) return '';
    const until = Date.now() + this.echoWaitMs;
    let seen = this.output().length;
    let quietSince = Date.now();
    while (this.alive() && Date.now() < until) {
      const echoed = this.output().slice(mark);
      if (echoed.includes(line)) return echoed;
      if (this.output().length !== seen) {
        seen = this.output().length;
        quietSince = Date.now();
      } else if (echoed.length > 0 && Date.now() - quietSince > 1000) return echoed; // echo ended short or changed
      await sleep(2);
    }
    return this.output().slice(mark);
  }

  /** Enter; with the echo on, waits for the REPL to echo the new line (a lost Enter is sent again). */
  private async pressEnter(): Promise<boolean> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const mark = this.output().length;
      this.write('\n');
      if (!this.echoOn) return true;
      if (await waitFor(() => this.output().length > mark, 2000, this.alive)) return true;
    }
    return false;
  }

  /** Ctrl-C clears a non-empty input line; the REPL answers by erasing it (ESC [J). */
  private async clearLine(): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const mark = this.output().length;
      this.write('\x03');
      if (await waitFor(() => this.output().includes('\x1b[J', mark), 500, this.alive)) return;
    }
  }
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
  await typeLines((t) => child.stdin.write(t), () => stdout, [options.prelude ?? '', ...program.split('\n')], () => child.exitCode === null, options.lineTimeoutMs, pace);
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
