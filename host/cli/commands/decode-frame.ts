// `homeostat decode <hex>`: what a captured frame says, or why it was dropped.
import { HostFrameCodec } from '../../../protocols/host/host-codec.ts';

export function decodeFrameHex(input: string): { ok: boolean; text: string } {
  const hex = input.replace(/[\s:,]/g, '').toLowerCase();
  if (!/^([0-9a-f]{2})+$/.test(hex)) {
    return { ok: false, text: `not a hex byte string: '${input}'. Give the frame as hex pairs, for example 0601e020d4...00` };
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
    text: out.messages.map((m) =>
      `seq ${m.seq} ${m.name} (0x${m.id.toString(16).padStart(2, '0')}) ${JSON.stringify(m.values)}; time ${m.trailer.time16} (low 16 bits), MAC ${tag(m.trailer.tag)}`).join('\n'),
  };
}
