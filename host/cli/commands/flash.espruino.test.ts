// `homeostat flash` end to end against the real Espruino interpreter: the Espruino CLI uploads through a
// socat TCP bridge (it opens tcp:// but not a pseudo-terminal), the code goes to the emulated flash file,
// the Hello is checked on the board's protocol port (a pseudo-terminal), and a fresh interpreter started
// in the same place, as after a reset, boots into the firmware from flash.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { espruinoBin } from '../../../hil/espruino/espruino-interpreter.ts';
import { BoardId, NodeRole } from '../../../protocols/generated/wire-codec.ts';
import { SystemClock } from '../../clock/system-clock.ts';
import { hostSession } from '../../link/host-session.ts';
import { fileKeyring } from '../../link/keyring.ts';
import { SerialTransport } from '../../transport/serial-transport.ts';
import { startCli } from '../testing/run-cli.ts';
import { flashNode } from './flash.ts';

const bin = espruinoBin();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Waits until something listens on the port (socat takes a moment to start). */
async function listening(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const c = connect(port, '127.0.0.1', () => (c.destroy(), resolve(true)));
      c.on('error', () => resolve(false));
    });
    if (up) return;
    await sleep(20);
  }
}

describe.skipIf(!bin)('homeostat flash on the real Espruino interpreter (set ESPRUINO_BIN to a Linux build to run)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-flash-test-'));
  const processes: ChildProcess[] = [];
  const start = (cmd: string, args: string[], stdin: 'pipe' | 'ignore' = 'ignore', cwd = dir) => {
    const p = spawn(cmd, args, { cwd, stdio: [stdin, 'ignore', 'ignore'], detached: true });
    processes.push(p);
    return p;
  };
  const killAll = () => {
    for (const p of processes.splice(0)) {
      try {
        process.kill(-(p.pid as number), 'SIGKILL');
      } catch {
        // gone already
      }
    }
  };
  afterAll(() => {
    killAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the pump firmware and its key to flash, gets its authenticated Hello, records the key, and the firmware boots again from flash with it', async () => {
    const tcp = await freePort();
    start('socat', [`TCP-LISTEN:${tcp},reuseaddr,fork`, `EXEC:${bin},pty,raw,echo=0`]);
    start('socat', [`pty,raw,echo=0,link=${join(dir, 'host')}`, `pty,raw,echo=0,link=${join(dir, 'homeostat-serial')}`]);
    for (let i = 0; i < 200 && !existsSync(join(dir, 'host')); i++) await sleep(10);
    const log: string[] = [];
    const keyFile = join(dir, 'pump.key');
    writeFileSync(keyFile, '00112233445566778899aabbccddeeff\n');
    const keyring = join(dir, 'keyring.json');
    const peer = await flashNode(
      // Throttled: the Linux build's input thread races its main loop under bulk input (see hil/espruino).
      {
        node: 'infusion-pump', board: 'linux', port: `tcp://127.0.0.1:${tcp}`, protocolPort: join(dir, 'host'), helloTimeoutMs: 10_000, throttle: true,
        keyFile, keyring,
      },
      (l) => log.push(l),
    );
    expect(peer.nodeRole).toBe(NodeRole.InfusionPump);
    expect(peer.boardId).toBe(BoardId.Linux);
    expect(existsSync(join(dir, 'espruino.flash'))).toBe(true);
    // The keyring now holds the key under the id the node gave; the key never went into a frame.
    expect(JSON.parse(readFileSync(keyring, 'utf8')).devices[peer.uniqueId].key).toBe('00112233445566778899aabbccddeeff');

    // "Reset": everything stops; a new interpreter, given no program, runs what is in flash.
    killAll();
    start('socat', [`pty,raw,echo=0,link=${join(dir, 'host')}`, `pty,raw,echo=0,link=${join(dir, 'homeostat-serial')}`]);
    await sleep(200);
    start(bin!, [], 'pipe');
    await sleep(500);
    const transport = await SerialTransport.open(join(dir, 'host'), 115200);
    const events: string[] = [];
    const session = hostSession(transport, new SystemClock(), {
      ready: (p) => events.push(`ready ${p.nodeRole} ${p.boardId}`),
      lost: () => undefined,
      refused: (why) => events.push(`refused ${why}`),
    }, { keyring: fileKeyring(keyring) });
    session.start();
    for (let i = 0; i < 300 && events.length === 0; i++) await sleep(10);
    session.stop();
    transport.close();
    expect(events).toEqual([`ready ${NodeRole.InfusionPump} ${BoardId.Linux}`]);
  }, 60_000);

  // Each in a folder of its own: the interpreter boots whatever an earlier test left in its flash file.
  it('exits 1 when no Hello comes after the upload, leaving nothing running', async () => {
    killAll();
    const tcp = await freePort();
    start('socat', [`TCP-LISTEN:${tcp},reuseaddr,fork`, `EXEC:${bin},pty,raw,echo=0`], 'ignore', mkdtempSync(join(dir, 'no-hello-')));
    await listening(tcp);
    // A protocol port nobody speaks on.
    start('socat', [`pty,raw,echo=0,link=${join(dir, 'quiet')}`, `pty,raw,echo=0,link=${join(dir, 'nobody')}`]);
    for (let i = 0; i < 200 && !existsSync(join(dir, 'quiet')); i++) await sleep(10);
    const run = startCli(['flash', '--node', 'infusion-pump', '--board', 'linux', '--port', `tcp://127.0.0.1:${tcp}`, '--protocol-port', join(dir, 'quiet'), '--hello-timeout', '1500', '--throttle']);
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toMatch(/no Hello from the node on .*quiet within 1500 ms/);
    expect(await run.leftBehind()).toEqual([]);
  }, 60_000);

  it('on a board whose firmware moved the REPL off the port, stops at once and says how to recover', async () => {
    killAll();
    const tcp = await freePort();
    writeFileSync(join(dir, 'console-taken.js'), 'LoopbackA.setConsole(true);\nsetInterval(function () {}, 1000);\n');
    start('socat', [`TCP-LISTEN:${tcp},reuseaddr,fork`, `EXEC:${bin} ${join(dir, 'console-taken.js')},pty,raw,echo=0`], 'ignore', mkdtempSync(join(dir, 'console-taken-')));
    await listening(tcp);
    const run = startCli(['flash', '--node', 'infusion-pump', '--board', 'linux', '--port', `tcp://127.0.0.1:${tcp}`]);
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toMatch(/no Espruino REPL answered on this port; if the board runs firmware flashed by homeostat.*BTN1.*Recovering a board/);
    expect(run.stdout().match(/espruino --no-ble/g)).toHaveLength(1); // no second try
    expect(await run.leftBehind()).toEqual([]);
  }, 60_000);
});
