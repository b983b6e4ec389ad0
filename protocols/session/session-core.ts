// Sans-I/O session core shared by both ends: bytes and time in, bytes and events out. It numbers frames,
// spots repeated and missing ones, sends heartbeats, notices silence and keeps the link counters. The
// initiator (host) and responder (node) add the handshake role and the command direction they need, so a
// firmware bundle carries only the responder (see SPEC.md, "Session").
import type { Clock, Timer } from '../clock/clock.ts';
import type { Crc32Fn } from '../framing/crc32.ts';
import { HEADER_BYTES } from '../framing/frame-format.ts';
import { FrameDecoder, FrameEncoder } from '../framing/framer.ts';
import {
  LAYOUT_HASH, MsgId, NackReason, PROTOCOL_VERSION, readHello, writeHeartbeat, writeHello, writeLinkStatus,
} from '../generated/wire-codec.ts';
import type { HelloValues } from '../generated/wire-codec.ts';
import type { LinkTimings, SessionIdentity } from './session-config.ts';

export type SessionState = 'idle' | 'handshaking' | 'ready' | 'refused';

/** Writes a message's payload at b[o] and returns the offset after it (the generated write functions). */
export type PayloadWriter<T> = (b: Uint8Array, o: number, m: T) => number;

/** Only output is required: a node leaves out what it does not act on (each handler costs it memory). */
export interface SessionHandlers {
  /** Bytes to put on the wire. */
  output(bytes: Uint8Array): void;
  /** A message that is not session traffic (telemetry, LinkStatus); payload buf[start, end) valid only during the call. */
  message?(msgId: number, buf: Uint8Array, start: number, end: number): void;
  /** The handshake completed with a compatible peer. */
  ready?(peer: HelloValues): void;
  /** The session ended: 'silence' (nothing heard for the link timeout) or 'peer-restart'. */
  lost?(why: string): void;
  /** The peer is incompatible: a NackReason (version-mismatch or layout-mismatch) and its Hello when it sent one. */
  refused?(reason: number, peer: HelloValues | null): void;
}

export interface SessionOptions {
  clock: Clock;
  crc: Crc32Fn;
  identity: SessionIdentity;
  timings: LinkTimings;
  /** Overrides the catalogue's layout hash (tests of the refusal path only). */
  layoutHash?: number;
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
}

export class SessionCore {
  state: SessionState = 'idle';
  peer: HelloValues | null = null;
  /** Id of the current (or, while handshaking, proposed) session; 0 before any. */
  sessionId = 0;
  readonly layoutHash: number;
  protected readonly decoder_: FrameDecoder;
  protected readonly encoder_: FrameEncoder;
  /** All link counters in one object: the decoder's, extended with the session's. */
  protected readonly c_: SessionCounters;
  private readonly startMs_: number;
  /** Sequence number of the next new frame. */
  protected seq_ = 0;
  private lastPeerSeq_ = -1;
  /** One bit per sequence number received in the last half cycle, to spot repeats that arrive late. */
  private readonly recent_ = new Uint8Array(32);
  private lastRxMs_ = 0;
  private upTimer_: Timer | null = null;
  private statusTimer_: Timer | null = null;
  private reportedVersionErrors_ = 0;

  protected readonly o_: SessionOptions;
  protected readonly h_: SessionHandlers;

  constructor(o: SessionOptions, h: SessionHandlers) {
    this.o_ = o;
    this.h_ = h;
    this.startMs_ = o.clock.now();
    this.layoutHash = o.layoutHash === undefined ? LAYOUT_HASH : o.layoutHash;
    this.encoder_ = new FrameEncoder(o.crc, PROTOCOL_VERSION);
    this.decoder_ = new FrameDecoder(o.crc, PROTOCOL_VERSION, (seq, id, buf, s, e) => this.onFrame_(seq, id, buf, s, e));
    const c = this.decoder_.counters as SessionCounters;
    c.framesTx = 0;
    c.drops = 0;
    c.retransmits = 0;
    c.duplicates = 0;
    c.timeouts = 0;
    c.reordered = 0;
    this.c_ = c;
  }

  get ready(): boolean {
    return this.state === 'ready';
  }

  /** The link counters (live: read them, do not change them). */
  counters(): Readonly<SessionCounters> {
    return this.c_;
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
    if (this.state === 'idle') return;
    this.decoder_.push(bytes);
    const v = this.decoder_.counters.versionErrors;
    if (v !== this.reportedVersionErrors_) {
      this.reportedVersionErrors_ = v;
      this.refuse_(NackReason.VersionMismatch, null);
    }
  }

  /** Sends a telemetry message; false (nothing sent) while the session is not up. */
  send<T>(msgId: number, write: PayloadWriter<T>, m: T): boolean {
    if (this.state !== 'ready') return false;
    this.transmit_(this.frame_(msgId, write, m));
    return true;
  }

  protected frame_<T>(msgId: number, write: PayloadWriter<T>, m: T): Uint8Array {
    const end = write(this.encoder_.raw, HEADER_BYTES, m);
    const f = this.encoder_.encode(this.seq_, msgId, end - HEADER_BYTES);
    this.seq_ = (this.seq_ + 1) & 0xff;
    return f;
  }

  protected transmit_(f: Uint8Array): void {
    this.c_.framesTx++;
    this.h_.output(f);
  }

  protected sendHello_(isReply: number): void {
    const id = this.o_.identity;
    this.transmit_(this.frame_(MsgId.Hello, writeHello, {
      protocolVersion: PROTOCOL_VERSION, layoutHash: this.layoutHash, nodeRole: id.nodeRole, boardId: id.boardId,
      firmwareMajor: id.firmwareMajor, firmwareMinor: id.firmwareMinor, firmwarePatch: id.firmwarePatch,
      uptimeMs: this.uptimeMs_(), isReply, sessionId: this.sessionId, uniqueId: id.uniqueId,
    }));
  }

  protected uptimeMs_(): number {
    return (this.o_.clock.now() - this.startMs_) >>> 0;
  }

  protected refuse_(reason: number, peer: HelloValues | null): void {
    if (this.h_.refused) this.h_.refused(reason, peer);
  }

  /** 0 when the peer may talk to us, else the NackReason that says why not. */
  protected incompatibility_(peer: HelloValues): number {
    if (peer.protocolVersion !== PROTOCOL_VERSION) return NackReason.VersionMismatch;
    if (peer.layoutHash !== this.layoutHash) return NackReason.LayoutMismatch;
    return 0;
  }

  protected goUp_(peer: HelloValues): void {
    const t = this.o_.timings;
    this.peer = peer;
    this.state = 'ready';
    this.lastRxMs_ = this.o_.clock.now();
    if (!this.upTimer_) this.upTimer_ = this.o_.clock.every(t.heartbeatMs, () => this.tick_());
    if (!this.statusTimer_ && t.linkStatusMs > 0) this.statusTimer_ = this.o_.clock.every(t.linkStatusMs, () => this.sendLinkStatus_());
    if (this.h_.ready) this.h_.ready(peer);
  }

  /** Leaves the session: heartbeats stop and the sequence memory is cleared. */
  protected goDown_(): void {
    if (this.upTimer_) this.upTimer_.cancel();
    if (this.statusTimer_) this.statusTimer_.cancel();
    this.upTimer_ = null;
    this.statusTimer_ = null;
    this.lastPeerSeq_ = -1;
  }

  /** The link went silent: the role decides what follows. */
  protected silence_(): void {
    this.goDown_();
    this.state = 'handshaking';
    if (this.h_.lost) this.h_.lost('silence');
  }

  private tick_(): void {
    if (this.o_.clock.now() - this.lastRxMs_ > this.o_.timings.linkTimeoutMs) return this.silence_();
    this.transmit_(this.frame_(MsgId.Heartbeat, writeHeartbeat, { uptimeMs: this.uptimeMs_() }));
  }

  private sendLinkStatus_(): void {
    this.send(MsgId.LinkStatus, writeLinkStatus, this.c_); // LinkStatus carries eight of the counters
  }

  private onFrame_(seq: number, msgId: number, buf: Uint8Array, start: number, end: number): void {
    this.lastRxMs_ = this.o_.clock.now();
    // A forward gap means frames were lost; a number seen recently is a repeat; an older unseen one came late.
    let repeat = false;
    if (this.lastPeerSeq_ < 0) {
      for (let i = 0; i < 32; i++) this.recent_[i] = 0;
      this.lastPeerSeq_ = seq;
      this.mark_(seq, 1);
    } else {
      const d = (seq - this.lastPeerSeq_) & 0xff;
      if (d === 0) repeat = true;
      else if (d < 128) {
        this.c_.drops += d - 1;
        for (let i = 1; i <= d; i++) this.mark_(this.lastPeerSeq_ + i, 0);
        this.lastPeerSeq_ = seq;
        this.mark_(seq, 1);
      } else if (this.recent_[seq >> 3] & (1 << (seq & 7))) repeat = true;
      else {
        // Late, not lost: it was counted as a drop when the sequence jumped over it.
        this.mark_(seq, 1);
        this.c_.reordered++;
        if (this.c_.drops > 0) this.c_.drops--;
      }
    }
    if (msgId === MsgId.Hello) {
      const peer = readHello(buf, start, end);
      if (peer) this.onHello_(peer);
      else this.refuse_(NackReason.VersionMismatch, null); // too short to be our Hello
      return;
    }
    if (msgId === MsgId.Ack || msgId === MsgId.Nack) return this.onAnswer_(msgId, buf, start, end);
    if (msgId === MsgId.Heartbeat) return;
    this.onMessage_(seq, msgId, buf, start, end, repeat);
  }

  private mark_(seq: number, on: number): void {
    const bit = 1 << (seq & 7);
    const i = (seq >> 3) & 31;
    this.recent_[i] = on ? this.recent_[i] | bit : this.recent_[i] & ~bit;
  }

  protected onHello_(_peer: HelloValues): void {}

  protected onAnswer_(_msgId: number, _buf: Uint8Array, _start: number, _end: number): void {}

  /** Any other message; the base delivers it once while the session is up. */
  protected onMessage_(_seq: number, msgId: number, buf: Uint8Array, start: number, end: number, repeat: boolean): void {
    if (this.state !== 'ready') return;
    if (repeat) {
      this.c_.duplicates++;
      return;
    }
    if (this.h_.message) this.h_.message(msgId, buf, start, end);
  }
}
