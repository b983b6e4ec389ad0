// The edges a script run on the real Espruino interpreter (benches, the golden check) gives the protocol
// cores: its clock (getTime and its timers), its CRC-32 and its native SHA-256. Firmware has its own in
// firmware/src/hal; these are for scripts that load protocols/ alone.
import type { Clock } from '../../clock/clock.ts';

declare const E: { CRC32(data: Uint8Array): number };
declare function getTime(): number;
declare const global: { require(m: string): { SHA256(d: Uint8Array): ArrayBuffer } };

export const espruinoClock: Clock = {
  now: () => getTime() * 1000,
  after: (ms, fn) => {
    const id = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(id) };
  },
  every: (ms, fn) => {
    const id = setInterval(fn, ms);
    return { cancel: () => clearInterval(id) };
  },
};

export const espruinoCrc = (b: Uint8Array, s: number, e: number): number => E.CRC32(b.subarray(s, e));

/** require("crypto").SHA256, on builds that have it (called only when used). */
export function nativeSha256(d: Uint8Array): Uint8Array {
  return new Uint8Array(global.require('crypto').SHA256(d));
}

/**
 * Hands frames between a host and a node session in the same interpreter until neither has one waiting.
 * Frames are handed over outside the timed part: nodeUs gets the node's own work on each frame, us.
 */
export function exchangeFrames(
  toNode: Uint8Array[], toHost: Uint8Array[], node: { receive(b: Uint8Array): void }, host: { receive(b: Uint8Array): void },
  nodeUs: (us: number) => void,
): void {
  while (toNode.length || toHost.length) {
    const f = toNode.shift();
    if (f) {
      const t0 = getTime();
      node.receive(f);
      nodeUs((getTime() - t0) * 1e6);
    }
    const g = toHost.shift();
    if (g) host.receive(g);
  }
}
