// Runs on the real Espruino interpreter: what authentication costs a node. A node session and a host
// session in the same interpreter exchange 100 commands; only the node's part of each is timed (decode,
// MAC check, execute, signed answer). Run once authenticated and once in unauthenticated bench mode
// (`homeostat:bench-mode`), in separate interpreter processes, the difference is the MAC's cost per
// command. Also times one HMAC-SHA256 with the native SHA-256 and with the JavaScript one.
import mode from 'homeostat:bench-mode';
import { MsgId, NodeRole, isCommandId, writePumpSetRate } from '../generated/wire-codec.ts';
import { hmacInPlace, macKey } from '../integrity/hmac.ts';
import { sha256 as jsSha256 } from '../integrity/sha256.ts';
import { DEFAULT_TIMINGS } from '../session/default-timings.ts';
import { InitiatorSession } from '../session/initiator-session.ts';
import { ResponderSession } from '../session/responder-session.ts';
import { LINK_TIMINGS } from '../session/session-config.ts';
import { espruinoClock, espruinoCrc, exchangeFrames, nativeSha256 } from '../testing/espruino/espruino-edges.ts';

declare const print: (line: string) => void;
declare function getTime(): number;

const bench = (mode as { bench: boolean }).bench;
const sha = nativeSha256;
const clock = espruinoClock;
const crc = espruinoCrc;
const key = new Uint8Array(16).fill(9);
const identity = (nodeRole: number) => ({ nodeRole, boardId: 5, firmwareMajor: 0, firmwareMinor: 1, firmwarePatch: 0, uniqueId: 'bench' });
const toNode: Uint8Array[] = [];
const toHost: Uint8Array[] = [];
const node = new ResponderSession(
  {
    clock, crc, sha256: bench ? null : sha, timings: LINK_TIMINGS, isCommand: isCommandId, identity: identity(2),
    deviceKey: bench ? null : key, bench, random: () => 12345,
  },
  { output: (b) => toHost.push(b), command: () => 0 },
);
const host = new InitiatorSession(
  {
    clock, crc, sha256: sha, timings: DEFAULT_TIMINGS, sessionIdSeed: 5, identity: identity(NodeRole.Host),
    random: () => 99, keyFor: () => (bench ? null : key),
  },
  { output: (b) => toNode.push(b) },
);
const per: number[] = [];
const exchange = () => exchangeFrames(toNode, toHost, node, host, (us) => per.push(us));
node.start();
host.start();
exchange();
per.splice(0);
let acked = 0;
const commands = 100;
for (let i = 0; i < commands; i++) {
  host.sendCommand(MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH: 10, leaseMs: 30000 }, (r) => {
    if (r === 0) acked++;
  });
  exchange();
}
host.stop();
node.stop();
// This machine's cores are shared: the 10th percentile and the median say more than the mean.
per.sort((a, b) => a - b);
const commandFrameUs = { p10: Math.round(per[Math.floor(per.length / 10)]), median: Math.round(per[per.length >> 1]) };

/** The best of five batches of n calls, us per call. */
function usPer(n: number, fn: () => void): number {
  let best = Infinity;
  for (let b = 0; b < 5; b++) {
    const t0 = getTime();
    for (let i = 0; i < n; i++) fn();
    best = Math.min(best, ((getTime() - t0) * 1e6) / n);
  }
  return Math.round(best);
}
// One MAC over a command frame's input (kind, counter, time, header and an 8-byte payload: 20 bytes),
// with the key's padded blocks made once, as the session does.
const kp = macKey(key);
const scratch = new Uint8Array(64 + 20).fill(3);
print('MAC-BENCH ' + JSON.stringify({
  bench, commandFrameUs, acked,
  hmacNativeSha256Us: usPer(40, () => hmacInPlace(sha, kp, scratch, 20)),
  hmacJavaScriptSha256Us: bench ? null : usPer(2, () => hmacInPlace(jsSha256, kp, scratch, 20)),
}));
