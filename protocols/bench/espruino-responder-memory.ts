// Runs on the real Espruino interpreter: the memory a node's protocol stack takes (responder session with
// its MAC, framing, the link messages' codec and one command's), in JS variables, once loaded and idle.
import { checkPumpSetRate, isCommandId, readPumpSetRate } from '../generated/wire-codec.ts';
import { ResponderSession } from '../session/responder-session.ts';
import { LINK_TIMINGS } from '../session/session-config.ts';
import { espruinoClock, espruinoCrc, nativeSha256 } from '../testing/espruino/espruino-edges.ts';

declare const print: (line: string) => void;
declare const process: { memory(): { usage: number; free: number; total: number } };


let rateMlPerH = 0;
const session = new ResponderSession(
  {
    clock: espruinoClock,
    crc: espruinoCrc,
    sha256: nativeSha256,
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
