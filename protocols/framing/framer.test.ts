import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadGolden } from '../golden/golden-file.ts';
import { crc32Range } from './crc32.ts';
import { HEADER_BYTES, MAX_ENCODED_FRAME_BYTES, MAX_PAYLOAD_BYTES, MAX_RAW_FRAME_BYTES, TRAILER_BYTES } from './frame-format.ts';
import { FrameDecoder, FrameEncoder } from './framer.ts';

interface Got {
  seq: number;
  id: number;
  payload: number[];
}

function decoder(version = 2) {
  const got: Got[] = [];
  const d = new FrameDecoder(crc32Range, version, (seq, id, buf, s, e) => got.push({ seq, id, payload: [...buf.subarray(s, e)] }));
  return { d, got };
}

function frameOf(seq: number, id: number, payload: number[], version = 2): Uint8Array {
  const enc = new FrameEncoder(crc32Range, version);
  enc.raw.set(payload, HEADER_BYTES);
  return enc.encode(seq, id, payload.length);
}

const fromHex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
const payloadArb = fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: MAX_PAYLOAD_BYTES + TRAILER_BYTES });

describe('framer', () => {
  it('round-trips any payload, fed at every chunk boundary, one byte at a time', () => {
    fc.assert(
      fc.property(fc.nat(255), fc.nat(255), payloadArb, (seq, id, payload) => {
        const f = frameOf(seq, id, payload);
        for (let cut = 0; cut <= f.length; cut++) {
          const { d, got } = decoder();
          d.push(f.subarray(0, cut));
          d.push(f.subarray(cut));
          expect(got).toEqual([{ seq, id, payload }]);
        }
        const { d, got } = decoder();
        for (const b of f) d.push(Uint8Array.of(b));
        expect(got).toEqual([{ seq, id, payload }]);
      }),
      { numRuns: 60 },
    );
  });

  it('never throws on random bytes and never delivers a frame from them', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 400 }), { maxLength: 8 }), (chunks) => {
        const { d, got } = decoder();
        for (const c of chunks) d.push(c);
        expect(got).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('drops every frame with any single bit flipped, and counts it', () => {
    const f = frameOf(9, 0x20, [1, 2, 3, 0, 0, 250, 7, 8]);
    for (let i = 0; i < f.length - 1; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const bad = Uint8Array.from(f);
        bad[i] ^= 1 << bit;
        const { d, got } = decoder();
        d.push(bad);
        expect(got).toEqual([]);
        const c = d.counters;
        expect(c.crcErrors + c.versionErrors + c.oversize).toBeGreaterThan(0);
      }
    }
  });

  it('drops corrupted frames (random byte changes) and still delivers the good ones around them', () => {
    fc.assert(
      fc.property(payloadArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 6 }), (payload, edits) => {
        const good = frameOf(1, 0x22, payload);
        const bad = Uint8Array.from(good);
        for (const [at, x] of edits) bad[at % (bad.length - 1)] ^= x;
        const { d, got } = decoder();
        d.push(good);
        d.push(bad);
        d.push(good);
        const same = Buffer.compare(Buffer.from(bad), Buffer.from(good)) === 0;
        // Only the intact frames come out; the corrupted one never does.
        expect(got.length).toBe(same ? 3 : 2);
        for (const g of got) expect(g.payload).toEqual(payload);
      }),
      { numRuns: 300 },
    );
  });

  it('resynchronises after garbage and counts one resync per recovery', () => {
    const f = frameOf(3, 0x10, [10, 20, 30]);
    const { d, got } = decoder();
    d.push(Uint8Array.from([0x41, 0x42, 0x43, 0x00, 0x99, 0x00]));
    d.push(f);
    d.push(Uint8Array.from([0x55, 0x00]));
    d.push(f);
    expect(got.length).toBe(2);
    expect(d.counters).toMatchObject({ framesRx: 2, crcErrors: 3, resyncs: 2, oversize: 0 });
  });

  it('bounds its buffer: an endless stream without delimiter counts one oversize frame and keeps working', () => {
    const { d, got } = decoder();
    for (let i = 0; i < 1000; i++) d.push(new Uint8Array(MAX_ENCODED_FRAME_BYTES).fill(0x41));
    d.push(Uint8Array.of(0));
    d.push(frameOf(4, 0x02, [1, 2, 3, 4]));
    expect(d.counters.oversize).toBe(1);
    expect(got.map((g) => g.seq)).toEqual([4]);
  });

  it('refuses a frame of another protocol version, and shows it to a peer that asks', () => {
    const { d, got } = decoder(1);
    const foreign: number[][] = [];
    d.push(frameOf(1, 0x01, [1, 2], 7));
    d.onForeign = (buf, start, end) => foreign.push([...buf.subarray(start, end)]);
    d.push(frameOf(1, 0x01, [1, 2], 7));
    expect(got).toEqual([]);
    expect(d.counters.versionErrors).toBe(2);
    expect(foreign).toEqual([[7, 1, 1, 1, 2]]);
  });

  it('ignores idle delimiters between frames', () => {
    const { d, got } = decoder();
    d.push(Uint8Array.of(0, 0, 0));
    d.push(frameOf(1, 2, [3]));
    d.push(Uint8Array.of(0, 0));
    expect(got.length).toBe(1);
    expect(d.counters.crcErrors).toBe(0);
  });

  it('keeps every frame within one COBS block, which the encoder relies on to size its output', () => {
    expect(MAX_RAW_FRAME_BYTES).toBeLessThan(254);
    const f = frameOf(1, 2, new Array(MAX_PAYLOAD_BYTES + TRAILER_BYTES).fill(7));
    expect(f.length).toBe(MAX_RAW_FRAME_BYTES + 2);
  });

  it('refuses to encode a payload above the maximum', () => {
    const enc = new FrameEncoder(crc32Range, 1);
    expect(() => enc.encode(0, 1, MAX_PAYLOAD_BYTES + TRAILER_BYTES + 1)).toThrow(/payload too long/);
  });

  for (const bad of loadGolden().bad) {
    it(`drops the golden bad frame "${bad.name}" and counts it as ${bad.counter}`, () => {
      const { d, got } = decoder();
      d.push(fromHex(bad.hex));
      expect(got).toEqual([]);
      expect(d.counters[bad.counter]).toBe(1);
    });
  }
});
