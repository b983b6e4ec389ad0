// `homeostat decode`: what a captured frame says, or why it was dropped. Frames come as hex on the command
// line or one per line on stdin, with or without 0x prefixes; codes are printed by name.
import { HostFrameCodec } from '../../../protocols/host/host-codec.ts';
import { namedValues } from './message-text.ts';

export function decodeFrameHex(input: string): { ok: boolean; text: string } {
  // 0x0601e0..., 0x06 0x01 ..., 06:01:e0 and 06 01 e0 all name the same bytes.
  const hex = input.replace(/(^|[\s:,])0x/gi, '$1').replace(/[\s:,]/g, '').toLowerCase();
  if (!/^([0-9a-f]{2})+$/.test(hex)) {
    return { ok: false, text: `not a hex byte string: '${input}'. Give the frame as hex pairs, for example 0601e020d4...00 (a 0x prefix is fine)` };
  }
  const bytes = Buffer.from(hex.endsWith('00') ? hex : hex + '00', 'hex');
  const codec = new HostFrameCodec();
  const out = codec.push(bytes);
  if (out.errors.length > 0) return { ok: false, text: out.errors.map((e) => `payload error: ${e.message}`).join('\n') };
  if (out.messages.length === 0) {
    const c = codec.counters;
    const why = c.versionErrors ? 'its protocol version differs from this host\'s' : c.oversize ? 'it is longer than the largest frame' : 'its COBS or CRC check failed';
    return { ok: false, text: `no valid frame: ${why} (counters ${JSON.stringify(c)})` };
  }
  const tag = (t: Uint8Array) => (t.every((b) => b === 0) ? 'none (unauthenticated)' : Buffer.from(t).toString('hex'));
  return {
    ok: true,
    text: out.messages.map((m) => `seq ${m.seq} ${m.name} (0x${m.id.toString(16).padStart(2, '0')}) ${JSON.stringify(namedValues(m))}; time ${m.trailer.time16} (low 16 bits), MAC ${tag(m.trailer.tag)}`).join('\n'),
  };
}

/** Several frames, one per line (blank lines and lines starting with # skipped), each named by its line. */
export function decodeFrameLines(text: string): { ok: boolean; text: string } {
  const lines = text.split('\n').map((l, i) => ({ n: i + 1, l: l.trim() })).filter((x) => x.l !== '' && !x.l.startsWith('#'));
  if (lines.length === 0) return { ok: false, text: 'no frame on stdin: give frames in hex, one per line' };
  const results = lines.map((x) => ({ n: x.n, ...decodeFrameHex(x.l) }));
  return {
    ok: results.every((r) => r.ok),
    text: lines.length === 1 ? results[0].text : results.map((r) => `line ${r.n}: ${r.text.replace(/\n/g, `\nline ${r.n}: `)}`).join('\n'),
  };
}
