// `homeostat flash`: builds a node's bundle for a board, writes it to the board's flash with the Espruino
// CLI (code runs from flash at every boot), then listens on the protocol port for the node's Hello and
// checks its role, board and layout. With --key-file it also writes the device key into the board's
// Storage (never into a protocol frame), checks the node's authenticated Hello with it, and records it in
// the host's keyring under the device id the node gave.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBoards } from '../../../firmware/build/boards.ts';
import type { NodeName } from '../../../firmware/build/firmware-build.ts';
import { buildNode, FIRMWARE_NODES } from '../../../firmware/build/firmware-build.ts';
import { codeTable } from '../../../protocols/catalogue/codes.ts';
import type { HelloValues } from '../../../protocols/generated/wire-codec.ts';
import { describePeer } from '../../../protocols/session/refusal-text.ts';
import { SystemClock } from '../../clock/system-clock.ts';
import { hostSession } from '../../link/host-session.ts';
import { resolvePort } from '../../ports/serial-ports.ts';
import { SerialTransport } from '../../transport/serial-transport.ts';
import type { Keyring } from '../../link/keyring.ts';
import { KEY_FILE, addToKeyring, defaultKeyringPath, fileKeyring, keyFromHex, readKeyFile } from '../../link/keyring.ts';
import { owned } from '../../process/owned-children.ts';
import { onShutdown } from '../shutdown.ts';

export interface FlashOptions {
  node: string;
  board: string;
  port: string;
  /** Where the node speaks the protocol, when not on the port it is flashed through. */
  protocolPort?: string;
  baud?: number;
  helloTimeoutMs: number;
  /** Slow the upload down (the Espruino CLI's "throttle send"), for lines that lose characters. */
  throttle?: boolean;
  /** A file with the device key (32 hexadecimal digits) to provision. */
  keyFile?: string;
  /** The host's keyring file; defaultKeyringPath() when absent. */
  keyring?: string;
  /** Build the node in unauthenticated bench mode (SPEC.md section 3.8). */
  unauthenticatedBenchMode?: boolean;
}

const espruinoCli = createRequire(import.meta.url).resolve('espruino/bin/espruino-cli.js');

/** What the Espruino CLI prints when it opened the port and no REPL answered: the firmware there has the console. */
const NO_REPL = /Unable to retrieve board information/;

/** How to get a board back whose firmware moved the REPL off the port we flash through. */
export const CONSOLE_TAKEN_HINT =
  'if the board runs firmware flashed by homeostat, that firmware moved the REPL off this port (the board file\'s ' +
  '"console"). To recover: reset or power the board with its button (BTN1) held, so it starts without running the ' +
  'saved code, then flash again; or connect to the console it moved to and run E.setBootCode("") then reset(). ' +
  'See "Recovering a board" in the README.';

class NoReplError extends Error {}

function runCli(args: string[], timeoutMs: number, log: (s: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    // Owned: killed if homeostat exits first (an error, Ctrl-C, SIGTERM).
    const child = owned(spawn(process.execPath, [espruinoCli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }));
    const kill = () => child.kill('SIGKILL');
    let out = '';
    let noRepl = '';
    const take = (d: Buffer) => {
      out += d.toString();
      // Without a REPL the upload would go on into whatever holds the port: stop it at once.
      const m = out.match(NO_REPL);
      if (m && !noRepl) {
        noRepl = m[0];
        kill();
      }
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    // The CLI can wait forever on a line that swallows what it sends: an upload has a deadline.
    const timer = setTimeout(kill, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`could not run the Espruino CLI: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const tail = out.split('\n').filter((l) => l.trim()).slice(-5).join(' | ');
      // Success is the CLI's own "Upload Complete" with a REPL that answered; other complaints (such as
      // failing to fetch board details from espruino.com when offline) do not stop an upload.
      if (noRepl) reject(new NoReplError(`the Espruino CLI says "${noRepl}": no Espruino REPL answered on this port; ${CONSOLE_TAKEN_HINT}`));
      else if (/Unable to connect!/.test(out)) reject(new Error('the Espruino CLI says "Unable to connect!"'));
      else if (code === 0 && /Upload Complete/.test(out)) resolve(out);
      else if (signal) reject(new Error(`the Espruino CLI did not finish the upload within ${timeoutMs / 1000} s: ${tail}`));
      else reject(new Error(`the Espruino CLI failed (exit ${code}): ${tail}`));
    });
    log(`espruino ${args.join(' ')}`);
  });
}

export async function flashNode(o: FlashOptions, log: (s: string) => void): Promise<HelloValues> {
  const node = FIRMWARE_NODES.find((n) => n.name === o.node);
  if (!node) throw new Error(`unknown node '${o.node}': choose one of ${FIRMWARE_NODES.map((n) => n.name).join(', ')}`);
  const boards = loadBoards();
  const board = boards.find((b) => b.id === o.board);
  if (!board) throw new Error(`unknown board '${o.board}': choose one of ${boards.map((b) => b.id).join(', ')} (firmware/boards)`);
  const port = await resolvePort(o.port);
  const keyHex = o.keyFile ? readKeyFile(o.keyFile) : null;
  const keyringPath = o.keyring ?? defaultKeyringPath();
  const built = await buildNode(node.name as NodeName, board, { unauthenticatedBenchMode: o.unauthenticatedBenchMode });
  log(`built ${node.name} for ${board.id}: ${built.bytes} bytes`);
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-flash-'));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  const forget = onShutdown(removeDir);
  try {
    const file = join(dir, `${node.name}.${board.id}.js`);
    writeFileSync(file, built.program.code);
    // SAVE_ON_SEND=1 stores the code with E.setBootCode: it runs from flash at each boot and survives a
    // reset. Line numbers would cost a variable per function.
    const args = ['--no-ble', '-p', port, '-b', String(o.baud ?? board.uart.baud), '--config', 'SAVE_ON_SEND=1', '--config', 'STORE_LINE_NUMBERS=false'];
    if (o.throttle) args.push('--config', 'SERIAL_THROTTLE_SEND=1');
    if (keyHex) {
      // The Espruino CLI writes the key's 16 bytes into the board's Storage, where the firmware reads it.
      const keyPath = join(dir, KEY_FILE);
      writeFileSync(keyPath, keyFromHex(keyHex), { mode: 0o600 });
      args.push('--storage', `${KEY_FILE}:${keyPath}`);
    }
    // Ten times the bytes' time on the wire (throttled uploads are slow), and 30 s to connect.
    const uploadTimeoutMs = 30_000 + (built.bytes * 10 * 10 * 1000) / (o.baud ?? board.uart.baud);
    // A line that drops characters fails an upload now and then: try it three times in all. A port
    // without a REPL stays so: no second try.
    for (let attempt = 1; ; attempt++) {
      try {
        await runCli([...args, file], uploadTimeoutMs, log);
        break;
      } catch (e) {
        if (e instanceof NoReplError) throw e;
        // The CLI says only "Unable to connect!" both for a port it cannot open and for a board that
        // does not answer as it expects.
        if (attempt >= 3) throw /Unable to connect/.test((e as Error).message) ? new Error(`${(e as Error).message} three times: check the port (homeostat ports lists them); ${CONSOLE_TAKEN_HINT}`) : e;
        log(`upload failed (${(e as Error).message.slice(0, 120)}); trying again`);
      }
    }
  } finally {
    forget();
    removeDir();
  }
  log('written to flash; waiting for its Hello');
  // With a new key its id is not yet known: that key serves whatever id the node says it has.
  const keyring: Keyring = keyHex ? { keyFor: () => keyFromHex(keyHex), describe: () => o.keyFile! } : fileKeyring(keyringPath);
  const peer = await checkHello(o.protocolPort ?? port, board.uart.baud, o.helloTimeoutMs, node.name, board.boardId, keyring);
  if (keyHex) {
    addToKeyring(keyringPath, peer.uniqueId, keyHex);
    log(`the key of '${peer.uniqueId}' is in the keyring ${keyringPath}`);
  }
  return peer;
}

async function checkHello(port: string, baud: number, timeoutMs: number, nodeName: string, boardName: string, keyring: Keyring): Promise<HelloValues> {
  const transport = await SerialTransport.open(await resolvePort(port), baud);
  const clock = new SystemClock();
  try {
    const peer = await new Promise<HelloValues>((resolve, reject) => {
      const session = hostSession(transport, clock, {
        ready: (p) => {
          clearTimeout(timer);
          session.stop();
          resolve(p);
        },
        lost: () => undefined,
        refused: (why) => {
          clearTimeout(timer);
          session.stop();
          reject(new Error(why));
        },
      }, { keyring });
      // The session's heartbeats would keep the process alive: it stops on every outcome, this one too.
      const timer = setTimeout(() => {
        session.stop();
        reject(new Error(`no Hello from the node on ${port} within ${timeoutMs} ms: is this the port it speaks on (see the board's uart in firmware/boards), and did the upload finish?`));
      }, timeoutMs);
      session.start();
    });
    const role = codeTable('NodeRole').values[nodeName];
    const boardId = codeTable('BoardId').values[boardName];
    if (peer.nodeRole !== role || peer.boardId !== boardId) {
      throw new Error(`the board answered as ${describePeer(peer)}, not as ${nodeName} on ${boardName}: check the port`);
    }
    return peer;
  } finally {
    transport.close();
  }
}
