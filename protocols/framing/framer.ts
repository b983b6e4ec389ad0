// Sans-I/O framing. FrameEncoder turns (sequence, id, body) into wire bytes; FrameDecoder takes any
// chunking of received bytes and calls back once per frame that passed its CRC and version checks. The
// body is everything between header and CRC: the payload and, in version 2, the trailer the session
// writes and checks (time and MAC). Bad frames are dropped and counted, never delivered. Both run
// unchanged on Espruino (no Node APIs, no Map/Set).
import { cobsDecode, cobsEncode } from './cobs.ts';
import type { Crc32Fn } from './crc32.ts';
import {
  CRC_BYTES, DELIMITER, HEADER_BYTES, MAX_PAYLOAD_BYTES, MAX_RAW_FRAME_BYTES, TRAILER_BYTES,
} from './frame-format.ts';

/** A decoded frame's largest size for a largest payload (MAX_RAW_FRAME_BYTES by default). */
function rawBytes(maxPayload?: number): number {
  return maxPayload ? HEADER_BYTES + maxPayload + TRAILER_BYTES + CRC_BYTES : MAX_RAW_FRAME_BYTES;
}

export class FrameEncoder {
  /**
   * The frame is built at raw[at]: write the body (payload, then any trailer) at raw[at + HEADER_BYTES]
   * and call encode() with its length.
   */
  readonly raw: Uint8Array;
  /** Where the frame starts in raw: the headroom asked for (0 by default). */
  readonly at: number;

  /**
   * headroom: bytes kept free before the frame in raw (the session puts a MAC's prefix there).
   * maxPayload: the largest payload this side sends, MAX_PAYLOAD_BYTES by default (a node with little
   * memory sizes its buffers to its own messages).
   */
  constructor(private readonly crc_: Crc32Fn, private readonly version_: number, headroom?: number, maxPayload?: number) {
    this.at = headroom || 0;
    this.raw = new Uint8Array(rawBytes(maxPayload) + this.at);
  }

  /** Returns a new array holding the COBS-encoded frame and its delimiter. */
  encode(seq: number, msgId: number, bodyBytes: number): Uint8Array {
    if (bodyBytes > MAX_PAYLOAD_BYTES + TRAILER_BYTES) throw new Error('payload too long');
    const raw = this.raw;
    const at = this.at;
    raw[at] = this.version_;
    raw[at + 1] = seq & 0xff;
    raw[at + 2] = msgId & 0xff;
    const crcAt = at + HEADER_BYTES + bodyBytes;
    const c = this.crc_(raw, at, crcAt);
    raw[crcAt] = c & 0xff;
    raw[crcAt + 1] = (c >> 8) & 0xff;
    raw[crcAt + 2] = (c >> 16) & 0xff;
    raw[crcAt + 3] = (c >>> 24) & 0xff;
    // A frame is shorter than one 254-byte COBS block, so encoding adds exactly one byte: the frame is
    // encoded straight into the array handed out, with no scratch buffer kept.
    const frame = new Uint8Array(crcAt - at + CRC_BYTES + 2);
    frame[cobsEncode(raw, at, crcAt + CRC_BYTES, frame, 0)] = DELIMITER;
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

/**
 * Called once per good frame; the body is buf[start, end), the header the 3 bytes before it. Valid only
 * during the call.
 */
export type FrameHandler = (seq: number, msgId: number, buf: Uint8Array, start: number, end: number) => void;

/** Called for a frame whose CRC is good but whose version is not ours: the decoded frame is buf[start, end). */
export type ForeignHandler = (buf: Uint8Array, start: number, end: number) => void;

export class FrameDecoder {
  readonly counters: FrameCounters = { framesRx: 0, crcErrors: 0, versionErrors: 0, oversize: 0, resyncs: 0 };
  /** Bytes of the frame being received from acc_[at_], then (decoded in place) the frame itself. */
  private readonly acc_: Uint8Array;
  private readonly at_: number;
  private accEnd_: number;
  private overflowing_ = false;
  private lost_ = false;

  /** Set by a peer that wants to read what a peer of another version says (the host does, nodes do not). */
  onForeign?: ForeignHandler;

  /**
   * headroom: bytes kept free before the frame in its buffer (the session puts a MAC's prefix there).
   * maxPayload: the largest payload accepted, MAX_PAYLOAD_BYTES by default; a longer frame is oversize.
   */
  constructor(private readonly crc_: Crc32Fn, private readonly version_: number, private readonly onFrame_: FrameHandler, headroom?: number, maxPayload?: number) {
    this.at_ = headroom || 0;
    this.accEnd_ = this.at_;
    this.acc_ = new Uint8Array(rawBytes(maxPayload) + 1 + this.at_);
  }

  /** Feeds received bytes, in any chunking. Never throws on bad data. */
  push(chunk: Uint8Array): void {
    const stop = chunk.length;
    let i = 0;
    // Whole runs between delimiters are found and copied natively (indexOf, set): no per-byte loop.
    while (i < stop) {
      let z = chunk.indexOf(DELIMITER, i);
      if (z < 0 || z > stop) z = stop;
      const n = z - i;
      if (n > 0) {
        if (!this.overflowing_ && this.accEnd_ + n <= this.acc_.length) {
          this.acc_.set(chunk.subarray(i, z), this.accEnd_);
          this.accEnd_ += n;
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
    const at = this.at_;
    const end = this.accEnd_;
    this.accEnd_ = at;
    if (this.overflowing_) {
      this.overflowing_ = false;
      this.counters.oversize++;
      this.lost_ = true;
      return;
    }
    if (end === at) return; // idle delimiters are allowed between frames
    const raw = this.acc_;
    const n = cobsDecode(raw, at, end, raw, at); // in place: decoding never writes ahead of what it reads
    if (n < HEADER_BYTES + CRC_BYTES) return this.bad_();
    const crcAt = at + n - CRC_BYTES;
    const got = (raw[crcAt] | (raw[crcAt + 1] << 8) | (raw[crcAt + 2] << 16) | (raw[crcAt + 3] << 24)) >>> 0;
    if (got !== this.crc_(raw, at, crcAt)) return this.bad_();
    if (raw[at] !== this.version_) {
      this.counters.versionErrors++;
      this.lost_ = true;
      if (this.onForeign) this.onForeign(raw, at, crcAt);
      return;
    }
    if (this.lost_) {
      this.lost_ = false;
      this.counters.resyncs++;
    }
    this.counters.framesRx++;
    this.onFrame_(raw[at + 1], raw[at + 2], raw, at + HEADER_BYTES, crcAt);
  }

  private bad_(): void {
    this.counters.crcErrors++;
    this.lost_ = true;
  }
}
