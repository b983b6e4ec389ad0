// The node's end of a session: it announces itself at boot, answers each Hello with its own nonce
// (authenticated with its device key), and commits to a new session only when a frame authenticated with
// the new session key arrives, so no unauthenticated frame ever ends a live session. It executes each
// authenticated command at most once and refuses one older than the last executed or than the age limit.
// These rules hold for every node: they live here, not in a node's command handler. What a firmware
// bundle carries.
import { rdU32 } from '../codec/wire-bytes.ts';
import { writeAck, writeHello, writeNack } from '../generated/wire-codec.ts';
import { AuthMode, HelloOffset, MsgId, NackReason, PROTOCOL_VERSION } from '../generated/wire-codec.ts';
import type { HelloValues } from '../generated/wire-codec.ts';
import { macKey } from '../integrity/hmac.ts';
import type { SessionHandlers, SessionOptions } from './session-core.ts';
import { Mac, MacKind, SessionCore } from './session-core.ts';

/** What a command handler returns to refuse: the reason and the index of the offending field. */
export function nack(reason: number, fieldIndex?: number): number {
  return reason | ((fieldIndex === undefined ? 255 : fieldIndex) << 8);
}

/** What a command handler returns to accept a leased command: the lease it applied (SPEC.md 3.7). */
export function ackLease(appliedLeaseMs: number): number {
  return Reply.AckLease + appliedLeaseMs;
}

// A const enum: the bundler writes the values in place (a top-level constant costs a board memory).
const enum Reply {
  /** ackLease(ms) is this plus ms; nack() values are below it. */
  AckLease = 0x10000,
  /** How far past this node's own clock a host's time estimate may lie (rounding and clock rates), ms. */
  AheadMs = 1000,
  /** A live node answers at most one Hello per this many ms (each answer costs two MACs). */
  HelloGapMs = 250,
  /** Answers remembered: as many as a host may have commands in flight (SPEC.md section 3.4). */
  AnswersKept = 8,
}

export interface ResponderHandlers extends SessionHandlers {
  /**
   * A new authenticated command, or an unauthenticated one acceptUnauthenticated allows; payload
   * buf[start, end). sentMs: when it was sent, on the session's clock (never later than the truth; the
   * time the command arrived when it is unauthenticated). Returns 0 to Ack, ackLease(ms) to Ack with
   * the lease applied, or nack(...).
   */
  command(msgId: number, buf: Uint8Array, start: number, end: number, sentMs: number): number;
}

export interface ResponderOptions extends SessionOptions {
  /** The commands this node executes; any other id a host sends is answered unknown-message. */
  isCommand(msgId: number): boolean;
  /** Device key as provisioned (16 to 64 bytes), or null when the node has none: it then refuses to actuate. */
  deviceKey: Uint8Array | null;
  /** Built in unauthenticated bench mode: no MAC either way, no protection (SPEC.md section 3.8). */
  bench: boolean;
  /** Commands obeyed without authentication: a stop, where the device's setting says it is safe. */
  acceptUnauthenticated?(msgId: number): boolean;
  /** A fresh random unsigned 32-bit number (nonces). */
  random(): number;
}

interface Answered {
  c: number;
  reply: number;
}

export class ResponderSession extends SessionCore {
  // No initialisers where unset does the same (on a board each costs memory): open_ sets the answers before
  // any command is read, and an unset reply, its id and time match no Hello and hold back none (NaN < gap
  // is false).
  /** The answers to the last ANSWERS_KEPT commands, to answer a retransmission again. */
  private answered_!: Answered[];
  /** Counter of the last command answered in this session, -1 before any. */
  private lastAnswered_!: number;
  private readonly devKey_: Uint8Array | null;
  /** Key and id of the session offered in the last Hello answered, until a frame under that key commits it. */
  private pendingKey_?: Uint8Array | null;
  private pendingId_!: number;
  /** The last Hello reply sent, resent as is when its Hello comes again (a retry), and when it went out. */
  private reply_?: Uint8Array | null;
  private replyId_?: number;
  private replyMs_?: number;
  /** This node's Hello: its identity, filled in with time, session and nonce for each one sent. */
  readonly hello: HelloValues;

  private readonly ro_: ResponderOptions;
  private readonly rh_: ResponderHandlers;

  constructor(ro: ResponderOptions, rh: ResponderHandlers) {
    super(ro, rh, false);
    this.ro_ = ro;
    this.rh_ = rh;
    this.devKey_ = ro.deviceKey && ro.sha256 ? macKey(ro.deviceKey) : null;
    const authMode = ro.bench ? AuthMode.UnauthenticatedBench : this.devKey_ ? AuthMode.HmacSha256 : AuthMode.None;
    // The identity object becomes the Hello (a node has one of each).
    this.hello = Object.assign(ro.identity, { protocolVersion: PROTOCOL_VERSION, layoutHash: this.layoutHash, authMode }) as HelloValues;
  }

  override start(): void {
    if (this.state !== 'idle') return;
    super.start();
    this.transmit_(this.hello_(0, 0, 0, null)); // announces a (re)boot: session id and nonce 0
  }

  /**
   * Own Hello, with the session id and nonce already set in this.hello; signed under kp as a reply to
   * the host's nonce (hl, hh) when kp is given.
   */
  private hello_(isReply: number, hl: number, hh: number, kp: Uint8Array | null): Uint8Array {
    const h = this.hello;
    const t = this.uptimeMs_();
    h.uptimeMs = t;
    h.isReply = isReply;
    return this.seal_(MsgId.Hello, writeHello(this.encoder_.raw, Mac.Room + 3, h), t, kp, MacKind.HelloReply, hl, hh);
  }

  /** A host frame's time is its estimate of this node's uptime, never far ahead of it: the latest such value. */
  protected override fullTime_(t16: number): number {
    const top = this.uptimeMs_() + Reply.AheadMs;
    return top - ((top - t16) & 0xffff);
  }

  protected override onHello_(buf: Uint8Array, start: number, pe: number): void {
    // What a node needs of a host's Hello, read in place (its uniqueId is skipped, not decoded).
    const nonceAt = start + HelloOffset.UniqueId + 1 + buf[start + HelloOffset.UniqueId];
    if (nonceAt > pe || buf[start + HelloOffset.IsReply]) return;
    const sessionId = rdU32(buf, start + HelloOffset.SessionId);
    const now = this.o_.clock.now();
    // A retry of the Hello last answered gets the same answer, so that it opens the same session. A live
    // node answers at most one Hello per Reply.HelloGapMs: each costs it MACs.
    const again = sessionId === this.replyId_ && this.reply_;
    if (now - (this.replyMs_ as number) < Reply.HelloGapMs && (again || this.state === 'ready')) return;
    this.replyMs_ = now;
    if (again) return this.transmit_(again);
    // Version 2 with the same catalogue, and a nonce: anything else is answered (so the host learns what
    // this node is) and opens nothing.
    const fits = buf[start] === PROTOCOL_VERSION && rdU32(buf, start + HelloOffset.LayoutHash) === this.layoutHash && nonceAt + 8 <= pe;
    const kp = fits ? this.devKey_ : null;
    const hl = rdU32(buf, nonceAt);
    const hh = rdU32(buf, nonceAt + 4);
    const h = this.hello;
    const nl = (h.nonceLow = kp ? this.ro_.random() : 0);
    const nh = (h.nonceHigh = kp ? this.ro_.random() : 0);
    h.sessionId = sessionId;
    const reply = this.hello_(1, hl, hh, kp);
    this.replyId_ = sessionId;
    this.reply_ = fits ? reply : null;
    this.transmit_(reply);
    if (!fits) return;
    if (this.ro_.bench) {
      this.sessionId = sessionId;
      this.open_(null);
    } else if (kp) {
      this.pendingKey_ = this.sessionKey_(kp, sessionId, hl, hh, nl, nh);
      this.pendingId_ = sessionId;
    }
  }

  private open_(kp: Uint8Array | null): void {
    this.answered_ = [];
    this.lastAnswered_ = -1;
    this.pendingKey_ = null;
    this.goUp_(kp, null);
  }

  protected override onFrame_(seq: number, msgId: number, buf: Uint8Array, start: number, pe: number): void {
    const live = this.state === 'ready';
    let ok = live && this.verify_(this.key_, this.rxHigh_, seq, buf, start, pe);
    const pk = this.pendingKey_;
    if (!ok && pk && this.verify_(pk, -1, seq, buf, start, pe)) {
      // The first frame under the key offered in our last Hello reply: that session replaces any other.
      this.sessionId = this.pendingId_;
      this.open_(pk);
      ok = true;
    }
    if (!ok) {
      const un = this.ro_.acceptUnauthenticated;
      if (un && un(msgId)) this.answerCommand_(seq, msgId, this.rh_.command(msgId, buf, start, pe, this.o_.clock.now()), true);
      // Without a session nothing can be authenticated: say so, so that a host that lost it opens another.
      else if (!live && msgId > MsgId.Alarm) this.answerCommand_(seq, msgId, nack(NackReason.NotReady), true);
      else this.counters.authErrors++;
      return;
    }
    // Authenticated (counter rxC_, time rxT_). A command is executed only when it is newer than the last
    // one answered and younger than the age limit: any copy of a command already answered is either
    // among the answers kept (and answered again) or refused. So each is executed once at most.
    const c = this.rxC_;
    if (c > this.rxHigh_) {
      if (this.rxHigh_ >= 0) this.counters.drops += c - this.rxHigh_ - 1;
      this.rxHigh_ = c;
      // Only a frame never heard before shows the host alive: a replayed one must not hide a lost link.
      this.lastRxMs_ = this.o_.clock.now();
    } else this.counters.reordered++;
    // Heartbeat, Ack, Nack, LinkStatus (a node keeps no record of the host's counters).
    if (msgId <= MsgId.LinkStatus) return;
    // Anything else a host sends is a command to this node.
    const again = this.answered_.find((a) => a.c === c);
    if (again) {
      this.counters.duplicates++;
      return this.answerCommand_(c, msgId, again.reply, false);
    }
    let reply: number;
    if (c <= this.lastAnswered_ || this.uptimeMs_() - this.rxT_ > this.o_.timings.maxCommandAgeMs) {
      // Refused, and not remembered: a later copy is refused again.
      this.counters.stale++;
      return this.answerCommand_(c, msgId, nack(NackReason.Stale), false);
    }
    if (!this.ro_.isCommand(msgId)) reply = nack(NackReason.UnknownMessage);
    else reply = this.rh_.command(msgId, buf, start, pe, this.rxT_ + this.startMs_);
    this.lastAnswered_ = c;
    if (this.answered_.push({ c, reply }) > Reply.AnswersKept) this.answered_.shift();
    this.answerCommand_(c, msgId, reply, false);
  }

  /** Answers a command whose sequence number (or counter) is seq; plain: without a tag. */
  private answerCommand_(seq: number, msgId: number, reply: number, plain: boolean): void {
    const ackedSeq = seq & 0xff;
    if (reply === 0 || reply >= Reply.AckLease) {
      this.transmit_(this.frame_(MsgId.Ack, writeAck, { ackedSeq, ackedMsgId: msgId, appliedLeaseMs: reply ? reply - Reply.AckLease : 0 }, plain));
    } else {
      this.transmit_(this.frame_(MsgId.Nack, writeNack, { ackedSeq, ackedMsgId: msgId, reason: reply & 0xff, fieldIndex: (reply >> 8) & 0xff }, plain));
    }
  }
}
