// Sans-I/O framing. FrameEncoder turns (sequence, id, payload) into wire bytes; FrameDecoder takes any
// chunking of received bytes and calls back once per frame that passed every check. Bad frames are dropped
// and counted, never delivered. Both run unchanged on Espruino (no Node APIs, no Map/Set).
import { cobsDecode, cobsEncode } from './cobs.ts';
import type { Crc32Fn } from './crc32.ts';
import {
  CRC_BYTES, DELIMITER, HEADER_BYTES, MAX_ENCODED_FRAME_BYTES, MAX_PAYLOAD_BYTES, MAX_RAW_FRAME_BYTES,
} from './frame-format.ts';

export class FrameEncoder {
  /** Write the payload at raw[HEADER_BYTES] and call encode() with its length. */
  readonly raw = new Uint8Array(MAX_RAW_FRAME_BYTES);

  constructor(private readonly crc_: Crc32Fn, private readonly version_: number) {}

  /** Returns a new array holding the COBS-encoded frame and its delimiter. */
  encode(seq: number, msgId: number, payloadBytes: number): Uint8Array {
    if (payloadBytes > MAX_PAYLOAD_BYTES) throw new Error('payload too long');
    const raw = this.raw;
    raw[0] = this.version_;
    raw[1] = seq & 0xff;
    raw[2] = msgId & 0xff;
    const crcAt = HEADER_BYTES + payloadBytes;
    const c = this.crc_(raw, 0, crcAt);
    raw[crcAt] = c & 0xff;
    raw[crcAt + 1] = (c >> 8) & 0xff;
    raw[crcAt + 2] = (c >> 16) & 0xff;
    raw[crcAt + 3] = (c >>> 24) & 0xff;
    // A frame is shorter than one 254-byte COBS block, so encoding adds exactly one byte: the frame is
    // encoded straight into the array handed out, with no scratch buffer kept.
    const frame = new Uint8Array(crcAt + CRC_BYTES + 2);
    frame[cobsEncode(raw, 0, crcAt + CRC_BYTES, frame, 0)] = DELIMITER;
    return frame;
  }
}

export interface FrameCounters {
  /** Frames that passed every check. */
  framesRx: number;
  /** Frames dropped for a bad CRC, bad COBS or a length too short to hold header and CRC. */
  crcErrors: number;
  /** Frames dropped for a protocol version other than ours (their CRC was good). */
  versionErrors: number;
  /** Frames dropped for exceeding the maximum frame size. */
  oversize: number;
  /** Times the decoder had dropped bytes and then locked on a good frame again. */
  resyncs: number;
}

/** Called once per good frame; the payload is buf[start, end) and is valid only during the call. */
export type FrameHandler = (seq: number, msgId: number, buf: Uint8Array, start: number, end: number) => void;

export class FrameDecoder {
  readonly counters: FrameCounters = { framesRx: 0, crcErrors: 0, versionErrors: 0, oversize: 0, resyncs: 0 };
  /** Protocol version of the last frame refused for its version (0 if none), for a clear error upstream. */
  lastForeignVersion = 0;
  /** Bytes of the frame being received, then (decoded in place) the frame itself. */
  private readonly acc_ = new Uint8Array(MAX_ENCODED_FRAME_BYTES);
  private accLen_ = 0;
  private overflowing_ = false;
  private lost_ = false;

  constructor(private readonly crc_: Crc32Fn, private readonly version_: number, private readonly onFrame_: FrameHandler) {}

  /** Feeds received bytes chunk[start, end) (whole chunk by default). Never throws on bad data. */
  push(chunk: Uint8Array, start?: number, end?: number): void {
    const stop = end === undefined ? chunk.length : end;
    let i = start === undefined ? 0 : start;
    // Whole runs between delimiters are found and copied natively (indexOf, set): no per-byte loop.
    while (i < stop) {
      let z = chunk.indexOf(DELIMITER, i);
      if (z < 0 || z > stop) z = stop;
      const n = z - i;
      if (n > 0) {
        if (!this.overflowing_ && this.accLen_ + n <= this.acc_.length) {
          this.acc_.set(chunk.subarray(i, z), this.accLen_);
          this.accLen_ += n;
        } else {
          // Bounded buffering: past the largest frame we stop storing and wait for the next delimiter.
          this.overflowing_ = true;
        }
      }
      if (z < stop) this.endOfFrame_();
      i = z + 1;
    }
  }

  private endOfFrame_(): void {
    const len = this.accLen_;
    this.accLen_ = 0;
    if (this.overflowing_) {
      this.overflowing_ = false;
      this.counters.oversize++;
      this.lost_ = true;
      return;
    }
    if (len === 0) return; // idle delimiters are allowed between frames
    const raw = this.acc_;
    const n = cobsDecode(raw, 0, len, raw); // in place: decoding never writes ahead of what it reads
    if (n < HEADER_BYTES + CRC_BYTES) return this.bad_();
    const crcAt = n - CRC_BYTES;
    const got = (raw[crcAt] | (raw[crcAt + 1] << 8) | (raw[crcAt + 2] << 16) | (raw[crcAt + 3] << 24)) >>> 0;
    if (got !== this.crc_(raw, 0, crcAt)) return this.bad_();
    if (raw[0] !== this.version_) {
      this.counters.versionErrors++;
      this.lastForeignVersion = raw[0];
      this.lost_ = true;
      return;
    }
    if (this.lost_) {
      this.lost_ = false;
      this.counters.resyncs++;
    }
    this.counters.framesRx++;
    this.onFrame_(raw[1], raw[2], raw, HEADER_BYTES, crcAt);
  }

  private bad_(): void {
    this.counters.crcErrors++;
    this.lost_ = true;
  }
}
