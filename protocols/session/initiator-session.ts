// The host's end of a session: it opens sessions (Hello with a fresh nonce until an authenticated answer
// comes, a new session id each time), derives the session key, sends commands and retransmits them on
// the Clock until answered, and settles each only on an authenticated answer to it. It checks what the
// node says it is (version, layout, role, board, how it authenticates) and refuses what does not fit.
// Host only: firmware bundles never import it.
import type { Clock, Timer } from '../clock/clock.ts';
import { HEADER_BYTES } from '../framing/frame-format.ts';
import { FrameEncoder } from '../framing/framer.ts';
import { macKey } from '../integrity/hmac.ts';
import {
  AuthMode, MsgId, NackReason, PROTOCOL_VERSION, readAck, readHello, readNack, writeHeartbeat, writeHello,
} from '../generated/wire-codec.ts';
import type { HelloValues } from '../generated/wire-codec.ts';
import type { PayloadWriter, SessionHandlers, SessionOptions } from './session-core.ts';
import { Mac, MacKind, SessionCore } from './session-core.ts';
import type { SessionTimings } from './session-config.ts';

/** Outcome of a command: 0 when acknowledged, otherwise a NackReason code; and the lease the node applied. */
export type CommandDone = (result: number, appliedLeaseMs: number) => void;

/** Why the host will not talk to a node (refusal-text.ts says it in words). */
export type Refusal = 'version' | 'layout' | 'role' | 'board' | 'node-has-no-key' | 'no-key-in-keyring' | 'bench-but-keyed';

export interface InitiatorHandlers extends SessionHandlers {
  /** The node is not one to talk to; peer is its Hello when it sent one this side could read. */
  refused?(why: Refusal, peer: HelloValues | null): void;
}

export interface InitiatorOptions extends SessionOptions {
  clock: Clock;
  timings: SessionTimings;
  /**
   * First session id (then +1 per handshake). The host passes a random value so that a restarted host
   * process is never mistaken for a late frame of its previous session.
   */
  sessionIdSeed: number;
  /** A fresh random 32-bit number (nonces): a cryptographic source on a real host. */
  random(): number;
  /** The device key of a node by its unique id (Hello uniqueId), or null when the keyring has none. */
  keyFor(deviceId: string): Uint8Array | null;
}

interface InFlight {
  seq: number;
  msgId: number;
  frame: Uint8Array;
  tries: number;
  timer: Timer;
  done: CommandDone;
  /** The frame's time: the node's uptime when it was sent, at the latest. */
  sentMs: number;
  /** How many commands this session sent before it. */
  ordinal: number;
}

export class InitiatorSession extends SessionCore {
  get ready(): boolean {
    return this.state === 'ready';
  }

  /** Role and board the node must say it is (NodeRole, BoardId codes); undefined accepts any. */
  expectRole: number | undefined;
  expectBoard: number | undefined;
  /** False while the session is up unauthenticated (a node built in unauthenticated bench mode). */
  authenticated = false;
  /** The node whose Hello reply last failed authentication (wrong key), if any. */
  lastAuthFailure: string | null = null;
  /** Answers dropped as malformed (unreadable, or a Nack reason 0 or of the local range). */
  invalidAnswers = 0;
  /** Protocol version of the last frame dropped for its version (0 if none). */
  foreignVersion = 0;
  private inFlight_: InFlight[] = [];
  /** Commands sent in this session. */
  private sent_ = 0;
  private helloTimer_: Timer | null = null;
  private hellos_ = 0;
  /** The session id and nonce offered in the Hellos being sent. */
  private offerId_: number;
  private nonceLow_ = 0;
  private nonceHigh_ = 0;
  /** The node's time of the latest authentic frame, and this side's clock when it came. */
  private nodeMs_ = 0;
  private atMs_ = 0;
  private readonly v1_: FrameEncoder;
  /** One bit per counter value (mod 256) received, to spot repeats within the replay window. */
  private readonly recent_ = new Uint8Array(32);

  private readonly t_: SessionTimings;
  private readonly io_: InitiatorOptions;
  private readonly ih_: InitiatorHandlers;

  constructor(o: InitiatorOptions, h: InitiatorHandlers) {
    super(o, h, true);
    this.t_ = o.timings;
    this.io_ = o;
    this.ih_ = h;
    this.offerId_ = o.sessionIdSeed >>> 0;
    this.v1_ = new FrameEncoder(o.crc, 1);
    this.decoder_.onForeign = (raw, start, end) => this.onForeign_(raw, start, end);
  }

  override start(): void {
    if (this.state !== 'idle') return;
    super.start();
    this.handshake_();
  }

  override stop(): void {
    this.stopHello_();
    super.stop();
  }

  /** Sends a command; done(0, lease) on Ack, done(reason, 0) on Nack, timeout, link loss or a full queue. */
  sendCommand<T>(msgId: number, write: PayloadWriter<T>, m: T, done: CommandDone): void {
    if (this.state !== 'ready') return done(NackReason.NotReady, 0);
    // At most maxInFlight commands since the oldest one still unanswered: a node remembers the answers
    // to that many, so any command this side may still send again is among them (SPEC.md section 3.4).
    const oldest = this.inFlight_.length ? this.inFlight_[0].ordinal : this.sent_;
    if (this.sent_ - oldest >= this.t_.maxInFlight) return done(NackReason.QueueFull, 0);
    // Answers name a command by its sequence byte: never two in flight with the same one.
    while (this.inFlight_.some((x) => x.seq === (this.tx_ & 0xff))) this.tx_++;
    const seq = this.tx_ & 0xff;
    const pe = write(this.encoder_.raw, Mac.Room + HEADER_BYTES, m);
    const t = this.timeNow_();
    const f = this.seal_(msgId, pe, t, this.key_, MacKind.HostFrame, this.tx_, t);
    this.inFlight_.push({ seq, msgId, frame: f, tries: 1, timer: this.retryTimer_(seq, msgId), done, sentMs: t, ordinal: this.sent_++ });
    this.transmit_(f);
  }

  /** The host's estimate of the node's uptime now: never later than the truth (SPEC.md section 3.3). */
  protected override timeNow_(): number {
    return this.nodeMs_ + Math.floor(this.o_.clock.now() - this.atMs_);
  }

  /** A node frame's time is its uptime: the value nearest this side's estimate. */
  protected override fullTime_(t16: number): number {
    const e = this.timeNow_();
    return e + ((((t16 - e) & 0xffff) ^ 0x8000) - 0x8000);
  }

  /** Opens a new session (Hellos until answered). A session already up stays up until the new one opens. */
  private handshake_(): void {
    if (this.state !== 'ready') this.state = 'handshaking';
    if (this.helloTimer_) return;
    this.offerId_ = ((this.offerId_ + 1) >>> 0) || 1;
    this.nonceLow_ = this.io_.random() >>> 0;
    this.nonceHigh_ = this.io_.random() >>> 0;
    this.hellos_ = 0;
    // The timer first: an answer may come back before sendHello_ returns (a transport that delivers at once).
    this.helloTimer_ = this.o_.clock.every(this.t_.helloRetryMs, () => this.sendHello_());
    this.sendHello_();
  }

  private sendHello_(): void {
    const id = this.o_.identity;
    const v = {
      protocolVersion: PROTOCOL_VERSION, layoutHash: this.layoutHash, nodeRole: id.nodeRole, boardId: id.boardId,
      firmwareMajor: id.firmwareMajor, firmwareMinor: id.firmwareMinor, firmwarePatch: id.firmwarePatch,
      uptimeMs: this.uptimeMs_(), isReply: 0, sessionId: this.offerId_, uniqueId: id.uniqueId,
    };
    const pe = writeHello(this.encoder_.raw, Mac.Room + HEADER_BYTES, { ...v, nonceLow: this.nonceLow_, nonceHigh: this.nonceHigh_, authMode: AuthMode.HmacSha256 });
    this.transmit_(this.seal_(MsgId.Hello, pe, this.timeNow_(), null, 0, 0, 0));
    // A node of protocol version 1 drops version-2 frames unread: ask it in its own version what it is
    // (with layout hash 0, so that it answers and refuses, opening nothing).
    if (++this.hellos_ % 4 === 3) {
      const end = writeHello(this.v1_.raw, HEADER_BYTES, { ...v, protocolVersion: 1, layoutHash: 0 });
      this.transmit_(this.v1_.encode(0, MsgId.Hello, end - HEADER_BYTES));
    }
  }

  private stopHello_(): void {
    if (this.helloTimer_) this.helloTimer_.cancel();
    this.helloTimer_ = null;
  }

  protected override onHello_(buf: Uint8Array, start: number, pe: number): void {
    const p = readHello(buf, start, pe);
    if (!p) return;
    if (!p.isReply) {
      // A node announcing a (re)boot. Unauthenticated, so it ends nothing: it is a reason to open a session.
      if (this.state === 'ready') this.handshake_();
      return;
    }
    if (!this.helloTimer_ || p.sessionId !== this.offerId_) return; // a late answer to an earlier handshake
    const why = this.refusal_(p);
    if (why) return this.refuse_(why, p);
    if (p.authMode === AuthMode.UnauthenticatedBench) return this.open_(null, p);
    const dk = macKey(this.io_.keyFor(p.uniqueId) as Uint8Array);
    if (!this.tagMatches_(this.tag_(dk, MacKind.HelloReply, this.nonceLow_, this.nonceHigh_, buf, start - HEADER_BYTES, pe), buf, pe)) {
      this.counters.authErrors++;
      this.lastAuthFailure = p.uniqueId;
      return;
    }
    this.open_(this.sessionKey_(dk, this.offerId_, this.nonceLow_, this.nonceHigh_, p.nonceLow ?? 0, p.nonceHigh ?? 0), p);
  }

  private refusal_(p: HelloValues): Refusal | null {
    if (p.protocolVersion !== PROTOCOL_VERSION) return 'version';
    if (p.layoutHash !== this.layoutHash) return 'layout';
    if (this.expectRole !== undefined && p.nodeRole !== this.expectRole) return 'role';
    if (this.expectBoard !== undefined && p.boardId !== this.expectBoard) return 'board';
    const keyed = this.io_.keyFor(p.uniqueId) !== null;
    if (p.authMode === AuthMode.UnauthenticatedBench) return keyed ? 'bench-but-keyed' : null;
    if (p.authMode !== AuthMode.HmacSha256) return 'node-has-no-key';
    return keyed ? null : 'no-key-in-keyring';
  }

  private refuse_(why: Refusal, peer: HelloValues | null): void {
    this.stopHello_();
    this.goDown_();
    this.state = 'refused';
    if (this.ih_.refused) this.ih_.refused(why, peer);
  }

  /** The new session is open: a session up until now ends, and a first frame under the new key commits the node. */
  private open_(kp: Uint8Array | null, p: HelloValues): void {
    this.stopHello_();
    // A node's uptime never goes back: an answer behind the time it showed before says it restarted, and
    // everything of the session up until now (a rate, a lease) is gone with it.
    if (this.state === 'ready' && p.uptimeMs < this.nodeMs_) {
      this.goDown_();
      this.state = 'handshaking';
      if (this.h_.lost) this.h_.lost('peer-restart');
    }
    this.recent_.fill(0);
    this.sent_ = 0;
    this.sessionId = this.offerId_;
    this.authenticated = kp !== null;
    this.nodeMs_ = p.uptimeMs;
    this.atMs_ = this.o_.clock.now();
    this.goUp_(kp, p);
    this.send(MsgId.Heartbeat, writeHeartbeat, { uptimeMs: this.uptimeMs_() });
  }

  /** A frame of another protocol version: a node that needs other firmware (unless a session is up). */
  private onForeign_(raw: Uint8Array, start: number, end: number): void {
    this.foreignVersion = raw[start];
    if (this.state === 'ready' || this.state === 'refused') return;
    this.refuse_('version', raw[start + 2] === MsgId.Hello ? readHello(raw, start + HEADER_BYTES, end) : null);
  }

  protected override silence_(): void {
    super.silence_();
    this.handshake_();
  }

  /** Leaving the session fails every command in flight with link-lost: whether it was executed is unknown. */
  protected override goDown_(): void {
    super.goDown_();
    const failed = this.inFlight_;
    this.inFlight_ = [];
    for (const e of failed) {
      e.timer.cancel();
      e.done(NackReason.LinkLost, 0);
    }
  }

  protected override onFrame_(seq: number, msgId: number, buf: Uint8Array, start: number, pe: number): void {
    if (this.state === 'ready' && this.verify_(this.key_, this.rxHigh_, seq, buf, start, pe)) return this.accepted_(msgId, buf, start, pe);
    // A node without a session cannot sign its not-ready answer: unauthenticated, it still says "open a session".
    if (this.state === 'ready' && msgId === MsgId.Nack && pe - start >= 3 && buf[start + 2] === NackReason.NotReady) this.handshake_();
    else if (this.state === 'ready') this.counters.authErrors++;
  }

  private accepted_(msgId: number, buf: Uint8Array, start: number, pe: number): void {
    const now = this.o_.clock.now();
    if (!this.fresh_(this.rxC_)) {
      this.counters.replays++;
      return;
    }
    // Only a frame never heard before shows the node alive: a replayed one must not hide a lost link.
    this.lastRxMs_ = now;
    if (this.rxT_ > this.timeNow_()) {
      this.nodeMs_ = this.rxT_;
      this.atMs_ = now;
    }
    if (msgId === MsgId.Ack || msgId === MsgId.Nack) this.onAnswer_(msgId, buf, start, pe);
    else if (msgId !== MsgId.Heartbeat && this.h_.message) this.h_.message(msgId, buf, start, pe);
  }

  private onAnswer_(msgId: number, buf: Uint8Array, start: number, end: number): void {
    const nk = msgId === MsgId.Nack ? readNack(buf, start, end) : null;
    const ack = msgId === MsgId.Ack ? readAck(buf, start, end) : null;
    const a = ack ?? nk;
    // Reason 0 and the local codes never travel: such a Nack is malformed, never taken for an Ack.
    if (!a || (nk && (nk.reason === 0 || nk.reason >= 250))) {
      this.invalidAnswers++;
      return;
    }
    // An answer is made after its command arrived: one older than the command answers an earlier one.
    const e = this.inFlight_.find((x) => x.seq === a.ackedSeq && x.msgId === a.ackedMsgId && this.rxT_ >= x.sentMs);
    if (!e) return;
    this.remove_(e);
    if (nk && nk.reason === NackReason.NotReady) this.handshake_();
    e.done(nk ? nk.reason : 0, ack ? ack.appliedLeaseMs ?? 0 : 0);
  }

  /** Marks counter c received; false when it was received already (a repeat or a replay). */
  private fresh_(c: number): boolean {
    const high = this.rxHigh_;
    if (c > high) {
      if (high >= 0) this.counters.drops += c - high - 1;
      for (let i = high < c - 256 ? c - 256 : high + 1; i < c; i++) this.mark_(i, 0);
      this.rxHigh_ = c;
    } else if (this.recent_[(c & 0xff) >> 3] & (1 << (c & 7))) return false;
    else {
      // Late, not lost: it was counted as a drop when the counter jumped over it.
      this.counters.reordered++;
      if (this.counters.drops > 0) this.counters.drops--;
    }
    this.mark_(c, 1);
    return true;
  }

  private mark_(c: number, on: number): void {
    const bit = 1 << (c & 7);
    const i = (c & 0xff) >> 3;
    this.recent_[i] = on ? this.recent_[i] | bit : this.recent_[i] & ~bit;
  }

  private retryTimer_(seq: number, msgId: number): Timer {
    return this.io_.clock.after(this.t_.retransmitMs, () => this.retry_(seq, msgId));
  }

  private retry_(seq: number, msgId: number): void {
    const e = this.inFlight_.find((x) => x.seq === seq && x.msgId === msgId);
    if (!e) return;
    if (e.tries >= this.t_.maxTries) {
      this.remove_(e);
      this.counters.timeouts++;
      e.done(NackReason.Timeout, 0);
      return;
    }
    e.tries++;
    this.counters.retransmits++;
    e.timer = this.retryTimer_(seq, msgId);
    this.transmit_(e.frame);
  }

  private remove_(e: InFlight): void {
    e.timer.cancel();
    this.inFlight_ = this.inFlight_.filter((x) => x !== e);
  }
}
