// The host's end of a session: it opens sessions (Hello until answered, a new session id each time), sends
// commands, retransmits them on the Clock until answered, and fails them on timeout or link loss.
// Host only: firmware bundles never import it.
import type { Timer } from '../clock/clock.ts';
import { MsgId, NackReason, readAck, readNack } from '../generated/wire-codec.ts';
import type { HelloValues } from '../generated/wire-codec.ts';
import type { PayloadWriter, SessionHandlers, SessionOptions } from './session-core.ts';
import { SessionCore } from './session-core.ts';
import type { SessionTimings } from './session-config.ts';

/** Outcome of a command: 0 when acknowledged, otherwise a NackReason code. */
export type CommandDone = (result: number) => void;

export interface InitiatorOptions extends SessionOptions {
  timings: SessionTimings;
  /**
   * First session id (then +1 per handshake). The host passes a random value so that a restarted host
   * process is never mistaken for a late frame of its previous session.
   */
  sessionIdSeed: number;
}

interface InFlight {
  seq: number;
  msgId: number;
  frame: Uint8Array;
  tries: number;
  timer: Timer;
  done: CommandDone;
}

export class InitiatorSession extends SessionCore {
  private inFlight_: InFlight[] = [];
  private helloTimer_: Timer | null = null;

  private readonly t_: SessionTimings;

  constructor(o: InitiatorOptions, h: SessionHandlers) {
    super(o, h);
    this.t_ = o.timings;
    this.sessionId = o.sessionIdSeed >>> 0;
  }

  /** Protocol version of the last frame dropped for its version (0 if none). */
  get foreignVersion(): number {
    return this.decoder_.lastForeignVersion;
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

  /** Sends a command; done(0) on Ack, done(reason) on Nack, timeout, link loss or a full queue. */
  sendCommand<T>(msgId: number, write: PayloadWriter<T>, m: T, done: CommandDone): void {
    if (this.state !== 'ready') return done(NackReason.NotReady);
    if (this.inFlight_.length >= this.t_.maxInFlight) return done(NackReason.QueueFull);
    const seq = this.seq_;
    const f = this.frame_(msgId, write, m);
    this.inFlight_.push({ seq, msgId, frame: f, tries: 1, timer: this.retryTimer_(seq, msgId), done });
    this.transmit_(f);
  }

  private handshake_(): void {
    this.state = 'handshaking';
    if (this.helloTimer_) return;
    this.sessionId = ((this.sessionId + 1) >>> 0) || 1;
    this.sendHello_(0);
    this.helloTimer_ = this.o_.clock.every(this.t_.helloRetryMs, () => this.sendHello_(0));
  }

  private stopHello_(): void {
    if (this.helloTimer_) this.helloTimer_.cancel();
    this.helloTimer_ = null;
  }

  protected override onHello_(peer: HelloValues): void {
    if (peer.isReply === 0) {
      // The node (re)started and announced itself. While opening, our Hello retries reach it anyway;
      // a session that was up is over and a new one opens.
      if (this.state !== 'ready') return;
      this.goDown_();
      this.handshake_();
      if (this.h_.lost) this.h_.lost('peer-restart');
      return;
    }
    if (peer.sessionId !== this.sessionId) return; // a late answer to an earlier handshake
    const why = this.incompatibility_(peer);
    if (why) {
      this.state = 'refused';
      return this.refuse_(why, peer);
    }
    if (this.state === 'ready') return;
    this.stopHello_();
    this.goUp_(peer);
  }

  protected override silence_(): void {
    super.silence_();
    this.handshake_();
  }

  /** Leaving the session fails every command in flight with link-lost. */
  protected override goDown_(): void {
    super.goDown_();
    const failed = this.inFlight_;
    this.inFlight_ = [];
    for (const e of failed) {
      e.timer.cancel();
      e.done(NackReason.LinkLost);
    }
  }

  protected override onAnswer_(msgId: number, buf: Uint8Array, start: number, end: number): void {
    const nackValues = msgId === MsgId.Nack ? readNack(buf, start, end) : null;
    const a = msgId === MsgId.Ack ? readAck(buf, start, end) : nackValues;
    if (!a) return; // unreadable: never taken for an Ack
    const e = this.inFlight_.find((x) => x.seq === a.ackedSeq && x.msgId === a.ackedMsgId);
    if (!e) return; // a late answer to a retransmission already answered
    this.remove_(e);
    e.done(nackValues ? nackValues.reason : 0);
  }

  private retryTimer_(seq: number, msgId: number): Timer {
    return this.o_.clock.after(this.t_.retransmitMs, () => this.retry_(seq, msgId));
  }

  private retry_(seq: number, msgId: number): void {
    const e = this.inFlight_.find((x) => x.seq === seq && x.msgId === msgId);
    if (!e) return;
    if (e.tries >= this.t_.maxTries) {
      this.remove_(e);
      this.c_.timeouts++;
      e.done(NackReason.Timeout);
      return;
    }
    e.tries++;
    this.c_.retransmits++;
    e.timer = this.retryTimer_(seq, msgId);
    this.transmit_(e.frame);
  }

  private remove_(e: InFlight): void {
    e.timer.cancel();
    this.inFlight_ = this.inFlight_.filter((x) => x !== e);
  }
}
