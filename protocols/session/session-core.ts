// Sans-I/O session core shared by both ends: bytes and time in, bytes and events out. It numbers frames,
// spots repeated and missing ones, sends heartbeats, notices silence and keeps the link counters. The
// initiator (host) and responder (node) add the handshake role and the command direction they need, so a
// firmware bundle carries only the responder (see SPEC.md, "Session").
import type { Clock, Timer } from '../clock/clock.ts';
import type { Crc32Fn } from '../framing/crc32.ts';
import { HEADER_BYTES } from '../framing/frame-format.ts';
import { FrameDecoder, FrameEncoder } from '../framing/framer.ts';
import {
  ACK_ID, HEARTBEAT_ID, HELLO_ID, LAYOUT_HASH, LINK_STATUS_ID, NACK_ID, NACK_REASON_LAYOUT_MISMATCH,
  NACK_REASON_VERSION_MISMATCH, PROTOCOL_VERSION, readHello, writeHeartbeat, writeHello, writeLinkStatus,
} from '../generated/wire-codec.ts';
import type { HelloValues } from '../generated/wire-codec.ts';
import type { SessionIdentity, SessionTimings } from './session-config.ts';

export type SessionState = 'idle' | 'handshaking' | 'ready' | 'refused';

/** Writes a message's payload at b[o] and returns the offset after it (the generated write functions). */
export type PayloadWriter<T> = (b: Uint8Array, o: number, m: T) => number;

export interface SessionHandlers {
  /** Bytes to put on the wire. */
  output(bytes: Uint8Array): void;
  /** A message that is not session traffic (telemetry, LinkStatus); payload buf[start, end) valid only during the call. */
  message(msgId: number, buf: Uint8Array, start: number, end: number): void;
  /** The handshake completed with a compatible peer. */
  ready(peer: HelloValues): void;
  /** The session ended: 'silence' (nothing heard for the link timeout) or 'peer-restart'. */
  lost(why: string): void;
  /** The peer is incompatible: a NackReason (version-mismatch or layout-mismatch) and its Hello when it sent one. */
  refused(reason: number, peer: HelloValues | null): void;
}

export interface SessionOptions {
  clock: Clock;
  crc: Crc32Fn;
  identity: SessionIdentity;
  timings: SessionTimings;
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
  protected readonly decoder: FrameDecoder;
  protected readonly encoder: FrameEncoder;
  protected readonly c = { framesTx: 0, drops: 0, retransmits: 0, duplicates: 0, timeouts: 0, reordered: 0 };
  private readonly startMs: number;
  /** Sequence number of the next new frame. */
  protected seq = 0;
  private lastPeerSeq = -1;
  /** Marks the sequence numbers received in the last half cycle, to spot repeats that arrive late. */
  private readonly recent = new Uint8Array(256);
  private lastRxMs = 0;
  private upTimer: Timer | null = null;
  private statusTimer: Timer | null = null;
  private reportedVersionErrors = 0;

  constructor(protected readonly o: SessionOptions, protected readonly h: SessionHandlers) {
    this.startMs = o.clock.now();
    this.layoutHash = o.layoutHash === undefined ? LAYOUT_HASH : o.layoutHash;
    this.encoder = new FrameEncoder(o.crc, PROTOCOL_VERSION);
    this.decoder = new FrameDecoder(o.crc, PROTOCOL_VERSION, (seq, id, buf, s, e) => this.onFrame(seq, id, buf, s, e));
  }

  get ready(): boolean {
    return this.state === 'ready';
  }

  /** Protocol version of the last frame dropped for its version (0 if none). */
  get foreignVersion(): number {
    return this.decoder.lastForeignVersion;
  }

  counters(): SessionCounters {
    const d = this.decoder.counters;
    const c = this.c;
    return {
      framesRx: d.frames, framesTx: c.framesTx, crcErrors: d.crcErrors, resyncs: d.resyncs, oversize: d.oversize,
      versionErrors: d.versionErrors, drops: c.drops, retransmits: c.retransmits, duplicates: c.duplicates,
      timeouts: c.timeouts, reordered: c.reordered,
    };
  }

  /** Starts the session with a flush delimiter; the role then opens or announces it. */
  start(): void {
    if (this.state !== 'idle') return;
    this.h.output(new Uint8Array(1));
    this.state = 'handshaking';
  }

  /** Stops timers (commands in flight fail); start() may be called again. */
  stop(): void {
    this.goDown();
    this.state = 'idle';
  }

  /** Feeds received bytes. Ignored until start(). */
  receive(bytes: Uint8Array): void {
    if (this.state === 'idle') return;
    this.decoder.push(bytes);
    const v = this.decoder.counters.versionErrors;
    if (v !== this.reportedVersionErrors) {
      this.reportedVersionErrors = v;
      this.h.refused(NACK_REASON_VERSION_MISMATCH, null);
    }
  }

  /** Sends a telemetry message; false (nothing sent) while the session is not up. */
  send<T>(msgId: number, write: PayloadWriter<T>, m: T): boolean {
    if (this.state !== 'ready') return false;
    this.transmit(this.frame(msgId, write, m));
    return true;
  }

  protected frame<T>(msgId: number, write: PayloadWriter<T>, m: T): Uint8Array {
    const end = write(this.encoder.raw, HEADER_BYTES, m);
    const f = this.encoder.encode(this.seq, msgId, end - HEADER_BYTES);
    this.seq = (this.seq + 1) & 0xff;
    return f;
  }

  protected transmit(f: Uint8Array): void {
    this.c.framesTx++;
    this.h.output(f);
  }

  protected sendHello(isReply: number): void {
    const id = this.o.identity;
    this.transmit(this.frame(HELLO_ID, writeHello, {
      protocolVersion: PROTOCOL_VERSION, layoutHash: this.layoutHash, nodeRole: id.nodeRole, boardId: id.boardId,
      firmwareMajor: id.firmwareMajor, firmwareMinor: id.firmwareMinor, firmwarePatch: id.firmwarePatch,
      uptimeMs: this.uptimeMs(), isReply, sessionId: this.sessionId, uniqueId: id.uniqueId,
    }));
  }

  protected uptimeMs(): number {
    return (this.o.clock.now() - this.startMs) >>> 0;
  }

  /** 0 when the peer may talk to us, else the NackReason that says why not. */
  protected incompatibility(peer: HelloValues): number {
    if (peer.protocolVersion !== PROTOCOL_VERSION) return NACK_REASON_VERSION_MISMATCH;
    if (peer.layoutHash !== this.layoutHash) return NACK_REASON_LAYOUT_MISMATCH;
    return 0;
  }

  protected goUp(peer: HelloValues): void {
    const t = this.o.timings;
    this.peer = peer;
    this.state = 'ready';
    this.lastRxMs = this.o.clock.now();
    if (!this.upTimer) this.upTimer = this.o.clock.every(t.heartbeatMs, () => this.tick());
    if (!this.statusTimer && t.linkStatusMs > 0) this.statusTimer = this.o.clock.every(t.linkStatusMs, () => this.sendLinkStatus());
    this.h.ready(peer);
  }

  /** Leaves the session: heartbeats stop and the sequence memory is cleared. */
  protected goDown(): void {
    if (this.upTimer) this.upTimer.cancel();
    if (this.statusTimer) this.statusTimer.cancel();
    this.upTimer = null;
    this.statusTimer = null;
    this.lastPeerSeq = -1;
  }

  /** The link went silent: the role decides what follows. */
  protected silence(): void {
    this.goDown();
    this.state = 'handshaking';
    this.h.lost('silence');
  }

  private tick(): void {
    if (this.o.clock.now() - this.lastRxMs > this.o.timings.linkTimeoutMs) return this.silence();
    this.transmit(this.frame(HEARTBEAT_ID, writeHeartbeat, { uptimeMs: this.uptimeMs() }));
  }

  private sendLinkStatus(): void {
    const c = this.counters();
    this.send(LINK_STATUS_ID, writeLinkStatus, {
      framesRx: c.framesRx, framesTx: c.framesTx, crcErrors: c.crcErrors, resyncs: c.resyncs, oversize: c.oversize,
      drops: c.drops, retransmits: c.retransmits, duplicates: c.duplicates,
    });
  }

  private onFrame(seq: number, msgId: number, buf: Uint8Array, start: number, end: number): void {
    this.lastRxMs = this.o.clock.now();
    // A forward gap means frames were lost; a number seen recently is a repeat; an older unseen one came late.
    let repeat = false;
    const recent = this.recent;
    if (this.lastPeerSeq < 0) {
      for (let i = 0; i < 256; i++) recent[i] = 0;
      this.lastPeerSeq = seq;
      recent[seq] = 1;
    } else {
      const d = (seq - this.lastPeerSeq) & 0xff;
      if (d === 0) repeat = true;
      else if (d < 128) {
        this.c.drops += d - 1;
        for (let i = 1; i <= d; i++) recent[(this.lastPeerSeq + i) & 0xff] = 0;
        this.lastPeerSeq = seq;
        recent[seq] = 1;
      } else if (recent[seq]) repeat = true;
      else {
        // Late, not lost: it was counted as a drop when the sequence jumped over it.
        recent[seq] = 1;
        this.c.reordered++;
        if (this.c.drops > 0) this.c.drops--;
      }
    }
    if (msgId === HELLO_ID) {
      const peer = readHello(buf, start, end);
      if (peer) this.onHello(peer);
      else this.h.refused(NACK_REASON_VERSION_MISMATCH, null); // too short to be our Hello
      return;
    }
    if (msgId === ACK_ID || msgId === NACK_ID) return this.onAnswer(msgId, buf, start, end);
    if (msgId === HEARTBEAT_ID) return;
    this.onMessage(seq, msgId, buf, start, end, repeat);
  }

  protected onHello(_peer: HelloValues): void {}

  protected onAnswer(_msgId: number, _buf: Uint8Array, _start: number, _end: number): void {}

  /** Any other message; the base delivers it once while the session is up. */
  protected onMessage(_seq: number, msgId: number, buf: Uint8Array, start: number, end: number, repeat: boolean): void {
    if (this.state !== 'ready') return;
    if (repeat) {
      this.c.duplicates++;
      return;
    }
    this.h.message(msgId, buf, start, end);
  }
}
