// Sans-I/O session core shared by both ends: bytes and time in, bytes and events out. It numbers frames
// with a 32-bit per-session counter (its low byte travels as the sequence number), signs and checks each
// frame's trailer (sender time and MAC), keeps the replay window, sends heartbeats, notices silence and
// keeps the link counters. The initiator (host) and responder (node) add the handshake and the command
// direction they need, so a firmware bundle carries only the responder (SPEC.md section 3).
import type { PeriodicClock, Timer } from '../clock/clock.ts';
import { rdU16, wr16, wr32 } from '../codec/wire-bytes.ts';
import type { Crc32Fn } from '../framing/crc32.ts';
import { HEADER_BYTES, TAG_BYTES, TRAILER_BYTES } from '../framing/frame-format.ts';
import { FrameDecoder, FrameEncoder } from '../framing/framer.ts';
import type { Sha256Fn } from '../integrity/hmac.ts';
import { hmacInPlace, macKey } from '../integrity/hmac.ts';
import { LAYOUT_HASH, MsgId, PROTOCOL_VERSION, writeHeartbeat, writeLinkStatus } from '../generated/wire-codec.ts';
import type { HelloValues } from '../generated/wire-codec.ts';
import type { LinkTimings, SessionIdentity } from './session-config.ts';

export type SessionState = 'idle' | 'handshaking' | 'ready' | 'refused';

/** Writes a message's payload at b[o] and returns the offset after it (the generated write functions). */
export type PayloadWriter<T> = (b: Uint8Array, o: number, m: T) => number;

// Const enums, not consts: the bundler writes their values in place, and on a board each top-level
// constant would cost memory.
/** First byte of every MAC input, so that no MAC made for one purpose verifies for another (SPEC.md 3.3). */
export const enum MacKind {
  /** 'H': a frame the host sent in a session. */
  HostFrame = 0x48,
  /** 'N': a frame the node sent in a session. */
  NodeFrame = 0x4e,
  /** 'R': a node's Hello reply, under its device key. */
  HelloReply = 0x52,
  /** 'S': derivation of a session key from the device key. */
  SessionKey = 0x53,
}

// Literal values: esbuild writes a const enum's members in place only when they are plain numbers.
export const enum Mac {
  /** Where kind, a, b start in the room before a frame: after the padded key (Hmac.Block, 64). */
  Prefix = 64,
  /** Room kept before each frame in the session's buffers: the padded key, then kind, a, b of tag_() (64 + 9). */
  Room = 73,
}

/** Only output is required: a node leaves out what it does not act on (each handler costs it memory). */
export interface SessionHandlers {
  /** Bytes to put on the wire. */
  output(bytes: Uint8Array): void;
  /** A message that is not session traffic (telemetry, LinkStatus); payload buf[start, end) valid only during the call. */
  message?(msgId: number, buf: Uint8Array, start: number, end: number): void;
  /** The handshake completed with a compatible peer (its Hello: the host gets the node's; a node gets null). */
  ready?(peer: HelloValues | null): void;
  /** The session ended: 'silence' (nothing authentic heard for the link timeout) or 'peer-restart'. */
  lost?(why: string): void;
}

export interface SessionOptions {
  clock: PeriodicClock;
  crc: Crc32Fn;
  /** SHA-256 for the MAC; null where the build authenticates nothing (unauthenticated bench mode). */
  sha256: Sha256Fn | null;
  identity: SessionIdentity;
  timings: LinkTimings;
  /** Overrides the catalogue's layout hash (tests of the refusal path only). */
  layoutHash?: number;
  /** The largest payload this side sends or receives (a node's largest message); all by default. */
  maxPayloadBytes?: number;
}

export interface SessionCounters {
  framesRx: number;
  framesTx: number;
  crcErrors: number;
  resyncs: number;
  oversize: number;
  versionErrors: number;
  drops: number;
  retransmits: number;
  duplicates: number;
  timeouts: number;
  reordered: number;
  authErrors: number;
  replays: number;
  stale: number;
}

export abstract class SessionCore {
  state: SessionState = 'idle';
  peer: HelloValues | null = null;
  /** Id of the current session; 0 before any. */
  sessionId = 0;
  readonly layoutHash: number;
  protected readonly decoder_: FrameDecoder;
  protected readonly encoder_: FrameEncoder;
  /**
   * All link counters in one object, the decoder's extended with the session's (live: read them, do not
   * change them). A field, not a method: on a board each method costs memory.
   */
  readonly counters: SessionCounters;
  /** The clock's reading at this side's start: uptime counts from it. */
  protected readonly startMs_: number;
  // Fields below without an initialiser are set before they are read (goUp_, verify_); on a board each
  // initialiser costs memory.
  /** Padded key of the session (see macKey); null or unset in an unauthenticated session. */
  protected key_?: Uint8Array | null;
  /** Counter of the next frame this side sends; its low byte is the frame's sequence number. */
  protected tx_ = 0;
  /** Highest counter accepted from the peer in this session, -1 before any. */
  protected rxHigh_ = -1;
  /** Counter and full time of the frame last verified (set by verify_). */
  protected rxC_!: number;
  protected rxT_!: number;
  protected lastRxMs_!: number;
  private upTimer_?: Timer | null;
  private statusTimer_?: Timer | null;

  protected readonly o_: SessionOptions;
  protected readonly h_: SessionHandlers;
  /** MAC kind of the frames this side sends and of those it receives. */
  private readonly out_: number;
  private readonly in_: number;

  constructor(o: SessionOptions, h: SessionHandlers, isHost: boolean) {
    this.o_ = o;
    this.h_ = h;
    this.out_ = isHost ? MacKind.HostFrame : MacKind.NodeFrame;
    this.in_ = isHost ? MacKind.NodeFrame : MacKind.HostFrame;
    this.startMs_ = o.clock.now();
    this.layoutHash = o.layoutHash === undefined ? LAYOUT_HASH : o.layoutHash;
    // Both keep room before each frame for the MAC's prefix, so a frame is MACed where it lies.
    this.encoder_ = new FrameEncoder(o.crc, PROTOCOL_VERSION, Mac.Room, o.maxPayloadBytes);
    this.decoder_ = new FrameDecoder(o.crc, PROTOCOL_VERSION, (seq, id, buf, s, e) => {
      if (e - s < TRAILER_BYTES) this.counters.authErrors++;
      else if (id === MsgId.Hello) this.onHello_(buf, s, e - TRAILER_BYTES);
      else this.onFrame_(seq, id, buf, s, e - TRAILER_BYTES);
    }, Mac.Room, o.maxPayloadBytes);
    const c = this.decoder_.counters as SessionCounters;
    c.framesTx = 0;
    c.drops = 0;
    c.retransmits = 0;
    c.duplicates = 0;
    c.timeouts = 0;
    c.reordered = 0;
    c.authErrors = 0;
    c.replays = 0;
    c.stale = 0;
    this.counters = c;
  }

  /** Starts the session with a flush delimiter; the role then opens or announces it. */
  start(): void {
    if (this.state !== 'idle') return;
    this.h_.output(new Uint8Array(1));
    this.state = 'handshaking';
  }

  /** Stops timers (commands in flight fail); start() may be called again. */
  stop(): void {
    this.goDown_();
    this.state = 'idle';
  }

  /** Feeds received bytes. Ignored until start(). */
  receive(bytes: Uint8Array): void {
    if (this.state !== 'idle') this.decoder_.push(bytes);
  }

  /** Sends a telemetry message; false (nothing sent) while the session is not up. */
  send<T>(msgId: number, write: PayloadWriter<T>, m: T): boolean {
    if (this.state !== 'ready') return false;
    this.transmit_(this.frame_(msgId, write, m, false));
    return true;
  }

  /** Milliseconds since this side started, whole. The node's time base (SPEC.md section 3.3). */
  protected uptimeMs_(): number {
    return Math.floor(this.o_.clock.now() - this.startMs_);
  }

  /** The time a frame this side sends carries: node uptime (the host overrides with its estimate of it). */
  protected timeNow_(): number {
    return this.uptimeMs_();
  }

  /** The full time of a received frame from the low 16 bits it carries (each role knows where it lies). */
  protected abstract fullTime_(t16: number): number;

  /** A frame of this session: signed with the session key unless plain (or there is none). */
  protected frame_<T>(msgId: number, write: PayloadWriter<T>, m: T, plain: boolean): Uint8Array {
    const pe = write(this.encoder_.raw, Mac.Room + HEADER_BYTES, m);
    const t = this.timeNow_();
    return this.seal_(msgId, pe, t, plain ? null : this.key_, this.out_, this.tx_, t);
  }

  /**
   * Writes the header, the time and the tag (the MAC under kp of kind | a | b | header | payload, zeros
   * without kp) after the payload, which ends at raw[pe], and encodes the frame. Counts one frame sent.
   */
  protected seal_(msgId: number, pe: number, t: number, kp: Uint8Array | null | undefined, kind: number, a: number, b: number): Uint8Array {
    const raw = this.encoder_.raw;
    const seq = this.tx_ & 0xff;
    raw[Mac.Room] = PROTOCOL_VERSION;
    raw[Mac.Room + 1] = seq;
    raw[Mac.Room + 2] = msgId;
    wr16(raw, pe, t);
    const tag = kp ? this.tag_(kp, kind, a, b, raw, Mac.Room, pe) : null;
    for (let i = 0; i < TAG_BYTES; i++) raw[pe + 2 + i] = tag ? tag[i] : 0;
    this.tx_++;
    return this.encoder_.encode(seq, msgId, pe + TRAILER_BYTES - Mac.Room - HEADER_BYTES);
  }

  /**
   * HMAC-SHA256 under kp of: kind (1 byte), a and b (u32 LE each), then buf[at, pe) (a frame's header
   * and payload, or other input there). buf is an encoder's or decoder's buffer: Mac.Room bytes before
   * `at` are free for the rest of the MAC's input.
   */
  protected tag_(kp: Uint8Array, kind: number, a: number, b: number, buf: Uint8Array, at: number, pe: number): Uint8Array {
    const m = buf.subarray(at - Mac.Room, pe);
    m[Mac.Prefix] = kind;
    wr32(m, Mac.Prefix + 1, a);
    wr32(m, Mac.Prefix + 5, b);
    return hmacInPlace(this.o_.sha256 as Sha256Fn, kp, m, 9 + pe - at);
  }

  /**
   * The padded session key: HMAC(device key, 'S' | session id | host nonce | node nonce), SPEC.md
   * section 3.2. Computed in the encoder's buffer (no frame is being built meanwhile).
   */
  protected sessionKey_(dk: Uint8Array, sessionId: number, hl: number, hh: number, nl: number, nh: number): Uint8Array {
    const raw = this.encoder_.raw;
    wr32(raw, Mac.Room, hh);
    wr32(raw, Mac.Room + 4, nl);
    wr32(raw, Mac.Room + 8, nh);
    return macKey(this.tag_(dk, MacKind.SessionKey, sessionId, hl, raw, Mac.Room, Mac.Room + 12));
  }

  /** Whether the tag at frame[pe + 2, pe + 8) equals the first bytes of mac. */
  protected tagMatches_(mac: Uint8Array, frame: Uint8Array, pe: number): boolean {
    let diff = 0;
    for (let i = 0; i < TAG_BYTES; i++) diff |= mac[i] ^ frame[pe + 2 + i];
    return diff === 0;
  }

  /**
   * Verifies a received session frame (payload frame[start, pe)) under kp (null: no MAC in this session)
   * with `high` the highest counter accepted so far: infers the full counter from the sequence byte (the
   * value nearest above high - 128) and the full time from its low 16 bits, and checks the tag over
   * both. On success rxC_ and rxT_ hold them.
   */
  protected verify_(kp: Uint8Array | null | undefined, high: number, seq: number, frame: Uint8Array, start: number, pe: number): boolean {
    const d = (seq - high) & 0xff;
    const c = high + (d > 128 ? d - 256 : d);
    if (c < 0) return false;
    const t = this.fullTime_(rdU16(frame, pe));
    if (kp && !this.tagMatches_(this.tag_(kp, this.in_, c, t, frame, start - HEADER_BYTES, pe), frame, pe)) return false;
    this.rxC_ = c;
    this.rxT_ = t;
    return true;
  }

  protected transmit_(f: Uint8Array): void {
    this.counters.framesTx++;
    this.h_.output(f);
  }

  /** Starts a session under kp (null: unauthenticated): counters from zero, heartbeats, LinkStatus. */
  protected goUp_(kp: Uint8Array | null, peer: HelloValues | null): void {
    const t = this.o_.timings;
    this.goDown_();
    this.key_ = kp;
    this.tx_ = 0;
    this.rxHigh_ = -1;
    this.peer = peer;
    this.state = 'ready';
    this.lastRxMs_ = this.o_.clock.now();
    this.upTimer_ = this.o_.clock.every(t.heartbeatMs, () => this.tick_());
    if (t.linkStatusMs > 0) this.reportEvery_(t.linkStatusMs);
    if (this.h_.ready) this.h_.ready(peer);
  }

  // A method of its own: an arrow function using `this` in a branch the minifier turns into `a && (...)`
  // crashes Espruino 2v29 when skipped (see firmware/build/espruino-subset.ts).
  private reportEvery_(ms: number): void {
    this.statusTimer_ = this.o_.clock.every(ms, () => this.send(MsgId.LinkStatus, writeLinkStatus, this.counters));
  }

  /** Leaves the session: heartbeats stop and its key is forgotten. */
  protected goDown_(): void {
    if (this.upTimer_) this.upTimer_.cancel();
    if (this.statusTimer_) this.statusTimer_.cancel();
    this.upTimer_ = null;
    this.statusTimer_ = null;
    this.key_ = null;
  }

  /** The link went silent: the role decides what follows. */
  protected silence_(): void {
    this.goDown_();
    this.state = 'handshaking';
    if (this.h_.lost) this.h_.lost('silence');
  }

  private tick_(): void {
    if (this.o_.clock.now() - this.lastRxMs_ > this.o_.timings.linkTimeoutMs) return this.silence_();
    this.send(MsgId.Heartbeat, writeHeartbeat, { uptimeMs: this.uptimeMs_() });
  }

  // Abstract, so that a bundle carries no empty method for them.
  /** A Hello; payload buf[start, pe), trailer after it. */
  protected abstract onHello_(buf: Uint8Array, start: number, pe: number): void;

  /** Any other frame of our version; payload buf[start, pe), trailer after it. */
  protected abstract onFrame_(seq: number, msgId: number, buf: Uint8Array, start: number, pe: number): void;
}
