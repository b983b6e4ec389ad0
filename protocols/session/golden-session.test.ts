// The authenticated golden vectors, host side: the scripted session gives the frozen bytes, each side
// replayed alone sends its frames byte for byte, and every MAC checks by SPEC.md's formula computed here
// independently with node:crypto. (The node's replay runs on the real interpreter in golden-check.ts.)
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { crc32Range } from '../framing/crc32.ts';
import { FrameDecoder } from '../framing/framer.ts';
import { loadGolden, loadGoldenV1 } from '../golden/golden-file.ts';
import { sha256 } from '../integrity/sha256.ts';
import type { ScriptFrame } from '../testing/golden-session.ts';
import { runGoldenSession } from '../testing/golden-session.ts';

const golden = loadGolden().session;
const nodeSha = (d: Uint8Array) => new Uint8Array(createHash('sha256').update(d).digest());
const recorded: ScriptFrame[] = golden.frames.map((f) => ({ from: f.from, atMs: f.atMs, bytes: Uint8Array.from(Buffer.from(f.hex, 'hex')) }));
const asGolden = (frames: ScriptFrame[]) => frames.map((f) => ({ from: f.from, atMs: f.atMs, hex: Buffer.from(f.bytes).toString('hex') }));
const expected = (from?: 'host' | 'node') =>
  golden.frames.filter((f) => !from || f.from === from).map((f) => ({ from: f.from, atMs: f.atMs, hex: f.hex }));

/** The decoded frame (header, payload, trailer) of a golden frame, CRC and COBS removed. */
function decoded(hex: string): Uint8Array {
  let out: Uint8Array | null = null;
  new FrameDecoder(crc32Range, 2, (_s, _i, buf, start, end) => {
    out = buf.slice(start - 3, end);
  }).push(Uint8Array.from(Buffer.from(hex, 'hex')));
  return out!;
}

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};

describe('golden authenticated session', () => {
  it('the scripted session sends the golden frames, with either SHA-256', () => {
    expect(asGolden(runGoldenSession(nodeSha, crc32Range, { host: true, node: true }, []))).toEqual(expected());
    expect(asGolden(runGoldenSession(sha256, crc32Range, { host: true, node: true }, []))).toEqual(expected());
  });

  it('each side replayed against the other side\'s golden frames sends its own byte for byte', () => {
    expect(asGolden(runGoldenSession(nodeSha, crc32Range, { host: false, node: true }, recorded))).toEqual(expected('node'));
    expect(asGolden(runGoldenSession(nodeSha, crc32Range, { host: true, node: false }, recorded))).toEqual(expected('host'));
  });

  it('every MAC checks by the formula of SPEC.md, computed independently', () => {
    const key = Buffer.from(golden.deviceKeyHex, 'hex');
    const sessionKey = createHmac('sha256', key).update(Buffer.concat([
      Buffer.of(0x53), u32(golden.sessionId), u32(golden.hostNonce[0]), u32(golden.hostNonce[1]), u32(golden.nodeNonce[0]), u32(golden.nodeNonce[1]),
    ])).digest();
    expect(sessionKey.toString('hex')).toBe(golden.sessionKeyHex);
    let checked = 0;
    for (const f of golden.frames) {
      const frame = decoded(f.hex);
      const body = Buffer.from(frame.subarray(0, frame.length - 8));
      const tag = Buffer.from(frame.subarray(frame.length - 6)).toString('hex');
      const time16 = frame[frame.length - 8] | (frame[frame.length - 7] << 8);
      expect(time16, f.name).toBe(f.timeMs & 0xffff);
      let mac: Buffer | null = null;
      if (f.mac === 'device key') mac = createHmac('sha256', key).update(Buffer.concat([Buffer.of(0x52), u32(golden.hostNonce[0]), u32(golden.hostNonce[1]), body])).digest();
      if (f.mac === 'session key') {
        const kind = f.from === 'host' ? 0x48 : 0x4e;
        mac = createHmac('sha256', sessionKey).update(Buffer.concat([Buffer.of(kind), u32(f.counter!), u32(f.timeMs), body])).digest();
      }
      if (mac) {
        expect(tag, f.name).toBe(mac.subarray(0, 6).toString('hex'));
        checked++;
      } else expect(tag, f.name).toBe('000000000000');
    }
    expect(checked).toBe(7);
  });

  it('a peer of protocol version 2 drops every frame of version 1, counting each as a version error', () => {
    const v1 = loadGoldenV1().frames;
    let delivered = 0;
    const d = new FrameDecoder(crc32Range, 2, () => delivered++);
    for (const f of v1) d.push(Uint8Array.from(Buffer.from(f.hex, 'hex')));
    expect(delivered).toBe(0);
    expect(d.counters.versionErrors).toBe(v1.length);
  });
});
