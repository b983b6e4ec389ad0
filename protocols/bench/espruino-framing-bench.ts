// Runs on the real Espruino interpreter: the cost of the firmware's framing work per frame, as plain
// interpreted JavaScript and with Espruino's native E.CRC32. Prints one JSON line.
import { cobsDecode, cobsEncode } from '../framing/cobs.ts';
import { crc32Range } from '../framing/crc32.ts';
import { HEADER_BYTES, TRAILER_BYTES } from '../framing/frame-format.ts';
import { FrameDecoder, FrameEncoder } from '../framing/framer.ts';
import { MsgId, readPumpSetRate, writePumpStatus } from '../generated/wire-codec.ts';

declare const E: { CRC32(data: Uint8Array): number };
declare const print: (line: string) => void;
declare function getTime(): number;

const PAYLOAD = 32;
const N = 200;
const buf = new Uint8Array(HEADER_BYTES + PAYLOAD + 4);
for (let i = 0; i < buf.length; i++) buf[i] = (i * 37 + 11) & 0xff;
const nativeCrc = (b: Uint8Array, s: number, e: number) => E.CRC32(b.subarray(s, e));

// CRC-16/CCITT-FALSE, the usual 2-byte alternative, table-driven like the CRC-32 above.
const t16 = new Uint16Array(256);
for (let n = 0; n < 256; n++) {
  let c = n << 8;
  for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
  t16[n] = c;
}
function crc16(b: Uint8Array, s: number, e: number): number {
  let c = 0xffff;
  for (let i = s; i < e; i++) c = ((c << 8) & 0xffff) ^ t16[((c >> 8) ^ b[i]) & 0xff];
  return c;
}

function usPer(fn: () => void): number {
  const t0 = getTime();
  for (let i = 0; i < N; i++) fn();
  return Math.round(((getTime() - t0) * 1e6) / N);
}

const out = new Uint8Array(100);
const dec = new Uint8Array(100);
const n = HEADER_BYTES + PAYLOAD + 4;
const encLen = cobsEncode(buf, 0, n, out, 0);
const encoder = new FrameEncoder(nativeCrc, 2);
const frameEnd = writePumpStatus(encoder.raw, HEADER_BYTES, {
  tMs: 1, state: 1, rateMlPerH: 12.5, commandedRateMlPerH: 12.5, deliveredMl: 1, leaseRemainingMs: 100, alarms: 0,
}) + TRAILER_BYTES; // the trailer (time, tag) left as it is: framing alone is timed here
const frame = encoder.encode(1, MsgId.PumpStatus, frameEnd - HEADER_BYTES);
let got = 0;
const decoder = new FrameDecoder(nativeCrc, 2, () => { got++; });
const result = {
  frameBytes: n,
  crc32TableUs: usPer(() => crc32Range(buf, 0, n)),
  crc32NativeUs: usPer(() => nativeCrc(buf, 0, n)),
  crc16TableUs: usPer(() => crc16(buf, 0, n)),
  cobsEncodeUs: usPer(() => cobsEncode(buf, 0, n, out, 0)),
  cobsDecodeUs: usPer(() => cobsDecode(out, 0, encLen, dec)),
  encodePumpStatusFrameUs: usPer(() => encoder.encode(1, MsgId.PumpStatus, frameEnd - HEADER_BYTES)),
  decodePumpStatusFrameUs: usPer(() => decoder.push(frame)),
  readPumpSetRateUs: usPer(() => readPumpSetRate(buf, HEADER_BYTES, HEADER_BYTES + 8)),
  framesDecoded: 0,
};
result.framesDecoded = got;
print('BENCH ' + JSON.stringify(result));
