// For tests of the CLI as a user runs it (call startCli within a test): the real command in its own
// process, its output as it comes, a way to wait for a line, to signal it, and every process it started
// (sampled while it runs). A command still running when its test ends is killed.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';
import { descendants, stillRunning } from './process-tree.ts';

const bin = fileURLToPath(new URL('../bin.js', import.meta.url));

export interface CliRun {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout or stderr matches; rejects with what was printed after timeoutMs. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** The exit status (128 + n for a signal the process did not handle) once it has ended. */
  readonly exited: Promise<number>;
  /** Every process it started (seen while it ran) still running after a grace for kills to land. */
  leftBehind(graceMs?: number): Promise<string[]>;
}

export function startCli(args: string[], env: NodeJS.ProcessEnv = process.env): CliRun {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env });
  let out = '';
  let err = '';
  const waiters: (() => void)[] = [];
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of waiters) w();
  });
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    for (const w of waiters) w();
  });
  // A test that failed or timed out must not leave the command running.
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const seen = new Set<number>();
  const sample = setInterval(() => {
    for (const p of descendants(child.pid as number)) seen.add(p);
  }, 50);
  const exited = new Promise<number>((resolve) => {
    child.on('exit', (code, signal) => {
      clearInterval(sample);
      resolve(code ?? 128 + (({ SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[signal ?? ''] ?? 0));
    });
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitFor: (pattern, timeoutMs = 20_000) => new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!pattern.test(out + err)) return;
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms; stdout:\n${out}\nstderr:\n${err}`)), timeoutMs);
      waiters.push(check);
      check();
    }),
    exited,
    leftBehind: async (graceMs = 1000) => {
      for (let waited = 0; ; waited += 50) {
        const left = stillRunning([...seen]);
        if (left.length === 0 || waited >= graceMs) return left;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}
