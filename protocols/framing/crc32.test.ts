import { crc32 as zlibCrc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadGolden } from '../golden/golden-file.ts';
import { crc32, crc32Range } from './crc32.ts';

describe('crc32', () => {
  it('gives the golden check values', () => {
    for (const v of loadGolden().crc32) {
      expect(crc32(new TextEncoder().encode(v.ascii))).toBe(Number(v.value));
    }
  });

  it('agrees with zlib on any bytes and any sub-range', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        const start = bytes.length ? a % bytes.length : 0;
        const end = start + (bytes.length ? b % (bytes.length - start + 1) : 0);
        expect(crc32Range(bytes, start, end)).toBe(zlibCrc32(bytes.subarray(start, end)));
      }),
    );
  });
});
