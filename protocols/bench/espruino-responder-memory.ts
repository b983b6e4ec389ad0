// Runs on the real Espruino interpreter: the memory a node's protocol stack takes (responder session with
// its MAC, framing, the link messages' codec and one command's), in JS variables, once loaded and idle.
import { checkPumpSetRate, isCommandId, readPumpSetRate } from '../generated/wire-codec.ts';
import { ResponderSession } from '../session/responder-session.ts';
import { LINK_TIMINGS } from '../session/session-config.ts';

declare const E: { CRC32(data: Uint8Array): number };
declare const print: (line: string) => void;
declare const process: { memory(): { usage: number; free: number; total: number } };
declare function getTime(): number;

const clock = {
  now: () => getTime() * 1000,
  after: (ms: number, fn: () => void) => {
    const id = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(id) };
  },
  every: (ms: number, fn: () => void) => {
    const id = setInterval(fn, ms);
    return { cancel: () => clearInterval(id) };
  },
};

let rateMlPerH = 0;
declare const global: { require(m: string): { SHA256(d: Uint8Array): ArrayBuffer } };
const native = global.require('crypto');
const session = new ResponderSession(
  {
    clock,
    crc: (b, a, e) => E.CRC32(b.subarray(a, e)),
    sha256: (d) => new Uint8Array(native.SHA256(d)),
    identity: { nodeRole: 2, boardId: 5, firmwareMajor: 0, firmwareMinor: 1, firmwarePatch: 0, uniqueId: 'bench' },
    timings: LINK_TIMINGS,
    isCommand: isCommandId,
    deviceKey: new Uint8Array(16).fill(1),
    bench: false,
    random: () => 1,
  },
  {
    output: () => undefined,
    command: (_id, b, s, e) => {
      const m = readPumpSetRate(b, s, e);
      if (m && checkPumpSetRate(m) < 0) rateMlPerH = m.rateMlPerH;
      return 0;
    },
    message: () => undefined,
    ready: () => undefined,
    lost: () => undefined,
  },
);
session.start();
setTimeout(() => {
  const m = process.memory();
  print('MEM idle ' + m.usage + ' total ' + m.total + ' rate ' + rateMlPerH);
  print('MEMDONE');
}, 100);
