import { createHash, createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hmacSha256 } from './hmac.ts';
import { sha256 } from './sha256.ts';

const nodeSha = (d: Uint8Array) => new Uint8Array(createHash('sha256').update(d).digest());
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('SHA-256 in JavaScript', () => {
  it('gives the FIPS 180-4 examples', () => {
    expect(hex(sha256(new TextEncoder().encode('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hex(sha256(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex(sha256(new TextEncoder().encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))))
      .toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it('agrees with node:crypto on any message, across block boundaries', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (m) => {
      expect(hex(sha256(m))).toBe(hex(nodeSha(m)));
    }), { numRuns: 200 });
  });
});

describe('HMAC-SHA256', () => {
  it('gives the RFC 4231 test case 2 value', () => {
    const mac = hmacSha256(sha256, new TextEncoder().encode('Jefe'), new TextEncoder().encode('what do ya want for nothing?'));
    expect(hex(mac)).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('agrees with node:crypto for keys up to 64 bytes, with either SHA-256', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.uint8Array({ maxLength: 260 }), (key, m) => {
      const want = hex(new Uint8Array(createHmac('sha256', key).update(m).digest()));
      expect(hex(hmacSha256(sha256, key, m))).toBe(want);
      expect(hex(hmacSha256(nodeSha, key, m))).toBe(want);
    }), { numRuns: 100 });
    expect(hex(hmacSha256(nodeSha, randomBytes(16), new Uint8Array(0)))).toHaveLength(64);
  });
});
