// `homeostat monitor` on a port where the real Espruino interpreter runs a program that prints, as a
// board still running the REPL or other firmware would: the text on the line is shown, not dropped; the
// session never comes up and the command says why and exits 1; --raw shows the bytes as they come.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { espruinoBin } from '../../../hil/espruino/espruino-interpreter.ts';
import { startCli } from '../testing/run-cli.ts';

const bin = espruinoBin();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!bin)('homeostat monitor on a port that carries text (set ESPRUINO_BIN to a Linux build to run)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-monitor-test-'));
  const processes: ChildProcess[] = [];
  // The first line is printed while the file loads, before the interpreter reads its input.
  writeFileSync(join(dir, 'chatty.js'), 'function tick() { print("pump ready, tick " + getTime().toFixed(0)); }\ntick();\nsetInterval(tick, 200);\n');
  // The interpreter behind a pseudo-terminal, in a process group of its own (it ignores SIGTERM). Its output
  // only (socat -U): the Linux build reads the line as its console and ends on the byte 0x04, which the
  // monitor's Hello carries, so on a loaded machine it could die before its first tick reached the monitor.
  const board = async (name: string) => {
    processes.push(spawn('socat', ['-U', `pty,raw,echo=0,link=${join(dir, name)}`, `EXEC:${bin} ${join(dir, 'chatty.js')},pty,raw,echo=0`], { cwd: dir, stdio: 'ignore', detached: true }));
    for (let i = 0; i < 200 && !existsSync(join(dir, name)); i++) await sleep(10);
    return join(dir, name);
  };
  afterAll(() => {
    for (const p of processes) {
      try {
        process.kill(-(p.pid as number), 'SIGKILL');
      } catch {
        // gone already
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the text on the line, and exits 1 when no session came up', async () => {
    const run = startCli(['monitor', '--port', await board('session'), '--seconds', '2']);
    expect(await run.exited).toBe(1);
    // Once the REPL has drawn its prompt, each print redraws it first: the line may begin with ">\r".
    expect(run.stdout()).toMatch(/text "(>\\r)?pump ready, tick \d+"/);
    expect(run.stderr()).toMatch(/no session with the device on /);
  }, 60_000);

  it('--raw sends nothing and shows every byte received, in hex beside the text', async () => {
    const run = startCli(['monitor', '--port', await board('raw'), '--raw', '--seconds', '2']);
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toMatch(/rx [0-9a-f ]*70 75 6d 70 20 72 65 61 64 79 .*\|.*pump ready/);
    expect(run.stdout()).not.toMatch(/Uncaught/); // nothing was typed into the REPL
  }, 60_000);
});
