import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadGolden } from '../golden/golden-file.ts';
import { cobsDecode, cobsEncode } from './cobs.ts';

const fromHex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function encode(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + 2 + Math.floor(data.length / 254));
  return out.subarray(0, cobsEncode(data, 0, data.length, out, 0));
}

function decode(enc: Uint8Array): Uint8Array | null {
  const out = new Uint8Array(1024);
  const n = cobsDecode(enc, 0, enc.length, out);
  return n < 0 ? null : out.subarray(0, n);
}

describe('COBS', () => {
  for (const v of loadGolden().cobs) {
    it(`matches the golden case: ${v.name}`, () => {
      expect(toHex(encode(fromHex(v.decodedHex)))).toBe(v.encodedHex);
      expect(toHex(decode(fromHex(v.encodedHex))!)).toBe(v.decodedHex);
    });
  }

  it('round-trips any bytes, never emits a zero, and stays within one byte per 254 of overhead', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), (data) => {
        const enc = encode(data);
        expect(enc.includes(0)).toBe(false);
        expect(enc.length).toBeLessThanOrEqual(data.length + 1 + Math.floor(data.length / 254));
        expect(toHex(decode(enc)!)).toBe(toHex(data));
      }),
    );
  });

  it('refuses a zero inside a frame and a code that runs past the end', () => {
    expect(decode(fromHex('0311002233'))).toBeNull();
    expect(decode(fromHex('051122'))).toBeNull();
    expect(decode(fromHex('00'))).toBeNull();
  });

  it('refuses to decode past the end of the output buffer', () => {
    const enc = encode(new Uint8Array(40).fill(7));
    expect(cobsDecode(enc, 0, enc.length, new Uint8Array(39))).toBe(-1);
  });
});
