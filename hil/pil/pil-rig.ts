// Starts PIL boards for tests and benches: for each, a socat pseudo-terminal pair and the emulator process
// on one end. Returns the host's end of each.
import { spawn, spawnSync } from 'node:child_process';
import { owned } from '../../host/process/owned-children.ts';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const boardScript = fileURLToPath(new URL('./pil-board.ts', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface PilBoard {
  /** The host's end of the board's serial line. */
  path: string;
  dir: string;
  output(): string;
  /** Ends the board; keepDir leaves its folder for a restart at the same path. */
  stop(keepDir?: boolean): void;
}

/** A socat pseudo-terminal pair with its ends linked at host and board; resolves once both exist. */
export async function ptyPair(host: string, boardEnd: string): Promise<ChildProcess> {
  if (spawnSync('socat', ['-V'], { stdio: 'ignore' }).error) throw new Error('the PIL level needs socat: apt-get install socat');
  const p = owned(spawn('socat', [`pty,raw,echo=0,link=${host}`, `pty,raw,echo=0,link=${boardEnd}`], { stdio: 'ignore' }));
  for (let i = 0; i < 300 && !(existsSync(host) && existsSync(boardEnd)); i++) await sleep(10);
  if (!existsSync(host)) throw new Error(`socat made no pseudo-terminal at ${host}`);
  return p;
}

/** A PIL process started from a TypeScript script, with what it printed. */
export interface PilProcess {
  proc: ChildProcess;
  /** Everything printed but the lines onLine took. */
  output(): string;
}

/**
 * Runs a script of the PIL level as its own process and waits for it to print `PIL ready`. Each stdout
 * line goes to onLine first; those it returns true for (data, not messages) stay out of output().
 */
export async function startPilProcess(script: string, args: string[], what: string, timeoutMs: number, onLine: (line: string) => boolean = () => false): Promise<PilProcess> {
  const proc = owned(spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }));
  let out = '';
  let pending = '';
  proc.stdout!.on('data', (d: Buffer) => {
    const lines = (pending + d.toString()).split('\n');
    pending = lines.pop()!;
    for (const l of lines) if (!onLine(l)) out += l + '\n';
  });
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const output = () => out + pending;
  for (let i = 0; i < timeoutMs / 10 && !output().includes('PIL ready'); i++) {
    if (proc.exitCode !== null) break;
    await sleep(10);
  }
  if (!output().includes('PIL ready')) {
    proc.kill('SIGKILL');
    throw new Error(`${what} did not start: ${output().slice(-500)}`);
  }
  return { proc, output };
}

/** `dir` reuses a folder, so a restarted board appears at the same path (a device re-enumerating). */
export async function startPilBoard(node: string, board: string, options: { wrongBaud?: boolean; dir?: string } = {}): Promise<PilBoard> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'homeostat-pil-'));
  const host = join(dir, 'host');
  const boardEnd = join(dir, 'board');
  const procs: ChildProcess[] = [await ptyPair(host, boardEnd)];
  const stop = (keepDir = false) => {
    for (const q of procs) q.kill('SIGKILL');
    if (!keepDir) rmSync(dir, { recursive: true, force: true });
  };
  const args = ['--node', node, '--board', board, '--tty', boardEnd];
  if (options.wrongBaud) args.push('--wrong-baud');
  let started: PilProcess;
  try {
    started = await startPilProcess(boardScript, args, 'the PIL board', 45_000); // a loaded CI machine can take tens of seconds to start node with tsx
  } catch (e) {
    stop();
    throw e;
  }
  procs.push(started.proc);
  return { path: host, dir, output: started.output, stop };
}
