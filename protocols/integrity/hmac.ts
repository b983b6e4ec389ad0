// HMAC-SHA256 (RFC 2104) over a SHA-256 the caller brings: Espruino's native one on boards that have it,
// the JavaScript one (sha256.ts) elsewhere, node:crypto on the host. A key is turned once into its two
// padded blocks; each MAC then costs two SHA-256 calls and two native copies, with no per-byte JavaScript.
import type { Sha256Fn } from './sha256.ts';

export type { Sha256Fn } from './sha256.ts';

/** SHA-256's block: the padded key's length, and the bytes hmacInPlace needs before the message. */
export const enum Hmac {
  Block = 64,
}

/** The inner and outer padded blocks of a key of at most 64 bytes: ipad (64 bytes) then opad (64 bytes). */
export function macKey(key: Uint8Array): Uint8Array {
  const k = new Uint8Array(2 * Hmac.Block);
  for (let i = 0; i < Hmac.Block; i++) {
    const b = i < key.length ? key[i] : 0;
    k[i] = b ^ 0x36;
    k[Hmac.Block + i] = b ^ 0x5c;
  }
  return k;
}

/**
 * HMAC-SHA256 of the message at scratch[Hmac.Block, Hmac.Block + len) under the padded key kp; scratch[0, 64) is
 * overwritten. Returns the 32-byte MAC.
 */
export function hmacInPlace(sha: Sha256Fn, kp: Uint8Array, scratch: Uint8Array, len: number): Uint8Array {
  scratch.set(kp.subarray(0, Hmac.Block), 0);
  const outer = new Uint8Array(Hmac.Block + 32);
  outer.set(kp.subarray(Hmac.Block), 0);
  outer.set(sha(scratch.subarray(0, Hmac.Block + len)), Hmac.Block);
  return sha(outer);
}

/** HMAC-SHA256 of a whole message (tests, tools, key derivation on the host). */
export function hmacSha256(sha: Sha256Fn, key: Uint8Array, message: Uint8Array): Uint8Array {
  const scratch = new Uint8Array(Hmac.Block + message.length);
  scratch.set(message, Hmac.Block);
  return hmacInPlace(sha, macKey(key), scratch, message.length);
}
