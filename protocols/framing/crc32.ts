// CRC-32 as in zlib/Ethernet (poly 0x04C11DB7 reflected = 0xEDB88320, init 0xFFFFFFFF, reflected in and
// out, final xor 0xFFFFFFFF; check value of "123456789" is 0xCBF43926). The same CRC as Espruino's native
// E.CRC32, which firmware uses instead of this table-driven version.

/** A CRC-32 over bytes [start, end) of buf, returned as an unsigned 32-bit number. */
export type Crc32Fn = (buf: Uint8Array, start: number, end: number) => number;

let table: Int32Array | null = null;

function makeTable(): Int32Array {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
}

export const crc32Range: Crc32Fn = (buf, start, end) => {
  const t = table || (table = makeTable());
  let c = -1;
  for (let i = start; i < end; i++) c = t[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
};

export function crc32(buf: Uint8Array): number {
  return crc32Range(buf, 0, buf.length);
}
