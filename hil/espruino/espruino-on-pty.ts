// The real Espruino interpreter (Linux build) as a board on a serial line. The program is uploaded through
// its REPL on stdin, line by line, as the Espruino CLI uploads a board. The protocol runs on its Serial1,
// which the `linux` board opens at ./homeostat-serial: one end of a socat pseudo-terminal pair whose
// other end the host opens with the serialport package. (Stdin is not binary-clean: the Linux build exits
// on byte 0x04 there, targets/linux/jshardware.c.)
import { spawn, spawnSync } from 'node:child_process';
import { owned } from '../../host/process/owned-children.ts';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialTransport } from '../../host/transport/serial-transport.ts';
import { interpreterCommand } from './espruino-interpreter.ts';
import type { TypingPace } from './repl-loader.ts';
import { TYPING_PACES, typeLines } from './repl-loader.ts';

export interface EspruinoOnPty {
  transport: SerialTransport;
  /** What the interpreter printed on its console (stdout). */
  console(): string;
  stop(): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts the interpreter with the program. The Linux build's input thread asserts when more than 64 bytes
 * wait at once (a busy machine lets paced pieces pile up), so each new attempt types slower (TYPING_PACES).
 */
export async function espruinoOnPty(bin: string, program: string): Promise<EspruinoOnPty> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await startOnPty(bin, program, TYPING_PACES[attempt]);
    } catch (e) {
      if (attempt + 1 >= TYPING_PACES.length || !/ASSERT\(len <= 64\)/.test((e as Error).message)) throw e;
    }
  }
}

async function startOnPty(bin: string, program: string, pace: TypingPace): Promise<EspruinoOnPty> {
  if (spawnSync('socat', ['-V'], { stdio: 'ignore' }).error) {
    throw new Error('socat is needed to give the interpreter a serial line: install it (apt-get install socat)');
  }
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-pty-'));
  const hostEnd = join(dir, 'host');
  const socat = owned(spawn('socat', [`pty,raw,echo=0,link=${hostEnd}`, `pty,raw,echo=0,link=${join(dir, 'homeostat-serial')}`], { stdio: 'ignore' }));
  for (let i = 0; i < 300 && !existsSync(hostEnd); i++) await sleep(10);
  const [cmd, ...args] = interpreterCommand(bin);
  const interp = owned(spawn(cmd, args, { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] }));
  let out = '';
  interp.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
  interp.stderr.on('data', (d: Buffer) => (out += d.toString('latin1')));
  interp.stdin.on('error', () => undefined);
  const stop = () => {
    interp.kill('SIGKILL');
    socat.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  const missing = await typeLines((t) => interp.stdin.write(t), () => out, [...program.split('\n'), 'echo(0);'], () => interp.exitCode === null, 5000, pace);
  if (missing >= 0) {
    stop();
    throw new Error(`the interpreter did not run line ${missing} of the program: ${out.slice(-300)}${/ASSERT\(len <= 64\)/.test(out) ? ' ASSERT(len <= 64)' : ''}`);
  }
  const transport = await SerialTransport.open(hostEnd, 115200);
  return {
    transport,
    console: () => out,
    stop: () => {
      transport.close();
      stop();
    },
  };
}
