// Runs a program on the real Espruino interpreter (a Linux build, named by ESPRUINO_BIN). The interpreter
// needs its stdin held open (at end of input it reads garbage), ignores SIGTERM and exits 0 even after an
// uncaught error in a timer, so this watches the output itself and ends the process with SIGKILL.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

export async function runOnEspruino(
  code: string,
  options: { bin: string; until: string; timeoutMs: number },
): Promise<InterpreterRun> {
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-espruino-'));
  const file = join(dir, 'program.js');
  writeFileSync(file, code);
  try {
    return await new Promise<InterpreterRun>((resolve, reject) => {
      const child = spawn(options.bin, [file], { stdio: ['pipe', 'pipe', 'pipe'] });
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
