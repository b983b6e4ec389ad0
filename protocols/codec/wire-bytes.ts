// Little-endian byte access shared by the generated codecs. Plain shifts rather than DataView: they run on
// Espruino and in Node alike and allocate nothing.

export function rdU16(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8);
}
export function rdI16(b: Uint8Array, o: number): number {
  return (rdU16(b, o) << 16) >> 16;
}
export function rdI32(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24);
}
export function rdU32(b: Uint8Array, o: number): number {
  return rdI32(b, o) >>> 0;
}
export function rdI8(b: Uint8Array, o: number): number {
  return (b[o] << 24) >> 24;
}
export function wr16(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >> 8) & 0xff;
}
export function wr32(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >> 8) & 0xff;
  b[o + 2] = (v >> 16) & 0xff;
  b[o + 3] = (v >>> 24) & 0xff;
}

// One scratch word for float32 conversion (both platforms have typed arrays sharing a buffer), made on
// first use: a bundle without float fields then holds none (on Espruino the pair costs 30 variables).
let f32: Float32Array | null = null;
let f32b: Uint8Array | null = null;
function scratch(): Uint8Array {
  if (!f32b) {
    f32 = new Float32Array(1);
    f32b = new Uint8Array(f32.buffer);
  }
  return f32b;
}
export function rdF32(b: Uint8Array, o: number): number {
  const s = scratch();
  s[0] = b[o];
  s[1] = b[o + 1];
  s[2] = b[o + 2];
  s[3] = b[o + 3];
  return (f32 as Float32Array)[0];
}
export function wrF32(b: Uint8Array, o: number, v: number): void {
  const s = scratch();
  (f32 as Float32Array)[0] = v;
  b[o] = s[0];
  b[o + 1] = s[1];
  b[o + 2] = s[2];
  b[o + 3] = s[3];
}
/** Reads a u8-length-prefixed printable ASCII string; null when it runs past n or holds other bytes. */
export function rdText(b: Uint8Array, o: number, end: number): string | null {
  const len = b[o];
  if (o + 1 + len > end) return null;
  let s = '';
  for (let i = 0; i < len; i++) {
    const c = b[o + 1 + i];
    if (c < 0x20 || c > 0x7e) return null;
    s += String.fromCharCode(c);
  }
  return s;
}
/** Writes a u8-length-prefixed ASCII string, cut to maxLength; returns the offset after it. */
export function wrText(b: Uint8Array, o: number, s: string, maxLength: number): number {
  const len = s.length < maxLength ? s.length : maxLength;
  b[o] = len;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    b[o + 1 + i] = c >= 0x20 && c <= 0x7e ? c : 0x3f;
  }
  return o + 1 + len;
}
