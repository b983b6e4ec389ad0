// Runs a program on the real Espruino interpreter (a Linux build, named by ESPRUINO_BIN). The interpreter
// needs its stdin held open (at end of input it reads garbage), ignores SIGTERM and exits 0 even after an
// uncaught error in a timer, so this watches the output itself and ends the process with SIGKILL.
import { spawn, spawnSync } from 'node:child_process';
import { owned } from '../../host/process/owned-children.ts';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface InterpreterRun {
  stdout: string;
  exitCode: number | null;
  /** The program printed the `until` marker before the time limit. */
  finished: boolean;
  uncaught: boolean;
  outOfMemory: boolean;
}

/** The interpreter binary from ESPRUINO_BIN, or undefined when the variable is unset. */
export function espruinoBin(): string | undefined {
  const v = process.env.ESPRUINO_BIN;
  return v && v.length > 0 ? v : undefined;
}

/**
 * A fixed-memory build of the given size beside ESPRUINO_BIN (espruino-2756 and so on), as in the
 * builds of shared/espruino; undefined when absent.
 */
export function espruinoBinWithVariables(variables: number): string | undefined {
  const bin = espruinoBin();
  if (!bin) return undefined;
  return bin.replace(/espruino(-\d+)?$/, `espruino-${variables}`);
}

const launches: Record<string, string[]> = {};

/**
 * How to start a build: the file itself, or, for a 32-bit build on a kernel that cannot execute 32-bit
 * programs (no IA32 emulation: exec fails and execvp hands the file to /bin/sh), through qemu-i386 user-mode
 * emulation, which runs the same interpreter unchanged. Decided once per binary.
 */
export function interpreterCommand(bin: string): string[] {
  if (launches[bin]) return launches[bin];
  let command = [bin];
  if (elfClass(bin) === 32) {
    const direct = spawnSync(bin, [], { input: 'quit();\n', timeout: 5000, killSignal: 'SIGKILL', encoding: 'latin1' });
    const runs = !direct.error && /Espruino|>/.test(`${direct.stdout}`) && !/Syntax error/.test(`${direct.stderr}${direct.stdout}`);
    if (!runs) {
      if (spawnSync('qemu-i386', ['--version'], { stdio: 'ignore' }).error) {
        throw new Error(`${bin} is a 32-bit build and this kernel cannot run 32-bit programs: install qemu-user (apt-get install qemu-user) to run it under qemu-i386`);
      }
      command = ['qemu-i386', bin];
    }
  }
  launches[bin] = command;
  return command;
}

/** 32 or 64 for an ELF file, null for anything else. */
function elfClass(path: string): 32 | 64 | null {
  const head = Buffer.alloc(5);
  try {
    const fd = openSync(path, 'r');
    readSync(fd, head, 0, 5, 0);
    closeSync(fd);
  } catch {
    return null;
  }
  if (head.readUInt32BE(0) !== 0x7f454c46) return null;
  return head[4] === 1 ? 32 : head[4] === 2 ? 64 : null;
}

export async function runOnEspruino(
  code: string,
  options: { bin: string; until: string; timeoutMs: number },
): Promise<InterpreterRun> {
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-espruino-'));
  const file = join(dir, 'program.js');
  writeFileSync(file, code);
  try {
    return await new Promise<InterpreterRun>((resolve, reject) => {
      const [cmd, ...args] = interpreterCommand(options.bin);
      const child = owned(spawn(cmd, [...args, file], { stdio: ['pipe', 'pipe', 'pipe'] }));
      let stdout = '';
      let finished = false;
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(new Error(`could not start the Espruino interpreter '${options.bin}': ${e.message}. Point ESPRUINO_BIN at a Linux build (see README).`));
      });
      const onData = (d: Buffer) => {
        stdout += d.toString('latin1');
        if (!finished && stdout.includes(options.until)) {
          finished = true;
          setTimeout(() => child.kill('SIGKILL'), 50);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('close', (exitCode) => {
        clearTimeout(timer);
        resolve({
          stdout,
          exitCode,
          finished,
          uncaught: /Uncaught/.test(stdout),
          outOfMemory: /OUT OF MEMORY|Out of Memory/i.test(stdout),
        });
      });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
