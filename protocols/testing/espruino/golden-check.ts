// Runs on the real Espruino interpreter: decodes every golden frame with the firmware-side (zod-free)
// codec and Espruino's native E.CRC32, re-encodes it, and prints one line per frame. The host-side test
// compares those lines with the golden file.
import golden from '../../golden/golden-vectors.json' with { type: 'json' };
import { HEADER_BYTES } from '../../framing/frame-format.ts';
import { FrameDecoder, FrameEncoder } from '../../framing/framer.ts';
import * as codec from '../../generated/wire-codec.ts';

declare const E: { CRC32(data: Uint8Array): number };
declare const print: (line: string) => void;

const crc = (b: Uint8Array, s: number, e: number) => E.CRC32(b.subarray(s, e));
const table = codec as unknown as Record<string, (...a: unknown[]) => unknown>;

function fromHex(h: string): Uint8Array {
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.substr(i * 2, 2), 16);
  return out;
}

function toHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += (b[i] < 16 ? '0' : '') + b[i].toString(16);
  return s;
}

const encoder = new FrameEncoder(crc, codec.PROTOCOL_VERSION);
golden.frames.forEach((v) => {
  let line = 'GOLDEN ' + v.name + ': ';
  const decoder = new FrameDecoder(crc, codec.PROTOCOL_VERSION, (seq, id, buf, s, e) => {
    const values = table['read' + v.message](buf, s, e) as Record<string, unknown> | null;
    if (!values) {
      line += 'unreadable';
      return;
    }
    const bad = table['check' + v.message](values);
    const end = (table['write' + v.message] as (b: Uint8Array, o: number, m: unknown) => number)(encoder.raw, HEADER_BYTES, values);
    const again = toHex(encoder.encode(seq, id, end - HEADER_BYTES));
    line += 'seq=' + seq + ' check=' + bad + ' values=' + JSON.stringify(values) + ' reencoded=' + (again === v.hex ? 'same' : again);
  });
  decoder.push(fromHex(v.hex));
  print(line);
});
golden.bad.forEach((v) => {
  const decoder = new FrameDecoder(crc, codec.PROTOCOL_VERSION, () => print('BAD DELIVERED ' + v.name));
  decoder.push(fromHex(v.hex));
  print('BAD ' + v.name + ': ' + JSON.stringify(decoder.counters));
});
print('GOLDEN DONE');
