// Starts PIL boards for tests and benches: for each, a socat pseudo-terminal pair and the emulator process
// on one end. Returns the host's end of each.
import { spawn, spawnSync } from 'node:child_process';
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
  const p = spawn('socat', [`pty,raw,echo=0,link=${host}`, `pty,raw,echo=0,link=${boardEnd}`], { stdio: 'ignore' });
  for (let i = 0; i < 300 && !(existsSync(host) && existsSync(boardEnd)); i++) await sleep(10);
  if (!existsSync(host)) throw new Error(`socat made no pseudo-terminal at ${host}`);
  return p;
}

/** `dir` reuses a folder, so a restarted board appears at the same path (a device re-enumerating). */
export async function startPilBoard(node: string, board: string, options: { wrongBaud?: boolean; dir?: string } = {}): Promise<PilBoard> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'homeostat-pil-'));
  const host = join(dir, 'host');
  const boardEnd = join(dir, 'board');
  const procs: ChildProcess[] = [await ptyPair(host, boardEnd)];
  const args = ['--import', 'tsx', boardScript, '--node', node, '--board', board, '--tty', boardEnd];
  if (options.wrongBaud) args.push('--wrong-baud');
  const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(p);
  let out = '';
  p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  for (let i = 0; i < 1500 && !out.includes('PIL ready'); i++) {
    if (p.exitCode !== null) break;
    await sleep(10);
  }
  const stop = (keepDir = false) => {
    for (const q of procs) q.kill('SIGKILL');
    if (!keepDir) rmSync(dir, { recursive: true, force: true });
  };
  if (!out.includes('PIL ready')) {
    stop();
    throw new Error(`the PIL board did not start: ${out.slice(-500)}`);
  }
  return { path: host, dir, output: () => out, stop };
}
