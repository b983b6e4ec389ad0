// Consistent Overhead Byte Stuffing (Cheshire & Baker, 1999): removes every 0x00 from a frame so 0x00 can
// delimit frames. Overhead is one byte, plus one per 254 bytes of data.

/** Encodes src[start, end) into dst at dstOffset; returns the offset after the encoded bytes (no delimiter). */
export function cobsEncode(src: Uint8Array, start: number, end: number, dst: Uint8Array, dstOffset: number): number {
  let codeAt = dstOffset;
  let out = dstOffset + 1;
  let code = 1;
  for (let i = start; i < end; i++) {
    const byte = src[i];
    if (byte === 0) {
      dst[codeAt] = code;
      codeAt = out++;
      code = 1;
    } else {
      dst[out++] = byte;
      code++;
      // A full block of 254 data bytes closes; a new one opens only if data follows.
      if (code === 0xff && i + 1 < end) {
        dst[codeAt] = code;
        codeAt = out++;
        code = 1;
      }
    }
  }
  dst[codeAt] = code;
  return out;
}

/**
 * Decodes src[start, end) (one frame, delimiter excluded) into dst at 0. Returns the decoded length, or -1
 * when the bytes are not valid COBS (a zero inside, or a code running past the end) or overflow dst.
 */
export function cobsDecode(src: Uint8Array, start: number, end: number, dst: Uint8Array): number {
  let out = 0;
  let i = start;
  while (i < end) {
    const code = src[i++];
    if (code === 0) return -1;
    const stop = i + code - 1;
    if (stop > end || out + code - 1 > dst.length) return -1;
    while (i < stop) {
      const byte = src[i++];
      if (byte === 0) return -1;
      dst[out++] = byte;
    }
    // A code below 0xff stands for a zero, except at the very end of the frame.
    if (code !== 0xff && i < end) {
      if (out >= dst.length) return -1;
      dst[out++] = 0;
    }
  }
  return out;
}
