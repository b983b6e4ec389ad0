// Runs on the real Espruino interpreter: decodes every golden frame with the firmware-side (zod-free)
// codec and Espruino's native E.CRC32, re-encodes it, and prints one line per frame; then replays the node's
// side of the golden authenticated session with Espruino's native SHA-256 and prints each frame it sends.
// The host-side test compares those lines with the golden file.
import golden from '../../golden/golden-vectors.json' with { type: 'json' };
import { HEADER_BYTES, TRAILER_BYTES } from '../../framing/frame-format.ts';
import { FrameDecoder, FrameEncoder } from '../../framing/framer.ts';
import * as codec from '../../generated/wire-codec.ts';
import type { ScriptFrame } from '../golden-session.ts';
import { runGoldenSession } from '../golden-session.ts';
import { espruinoCrc, nativeSha256 } from './espruino-edges.ts';

declare const print: (line: string) => void;

const crc = espruinoCrc;
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
    const values = table['read' + v.message](buf, s, e - TRAILER_BYTES) as Record<string, unknown> | null;
    if (!values) {
      line += 'unreadable';
      return;
    }
    const bad = table['check' + v.message](values);
    const end = (table['write' + v.message] as (b: Uint8Array, o: number, m: unknown) => number)(encoder.raw, HEADER_BYTES, values);
    encoder.raw.fill(0, end, end + TRAILER_BYTES); // these frames carry time 0 and no MAC
    const again = toHex(encoder.encode(seq, id, end + TRAILER_BYTES - HEADER_BYTES));
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
const recorded: ScriptFrame[] = golden.session.frames.map((f) => ({ from: f.from as 'host' | 'node', atMs: f.atMs, bytes: fromHex(f.hex) }));
runGoldenSession(nativeSha256, crc, { host: false, node: true }, recorded)
  .forEach((f, i) => print('SESSION ' + i + ' ' + f.from + ' ' + f.atMs + ' ' + toHex(f.bytes)));
print('GOLDEN DONE');
