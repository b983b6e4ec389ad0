// The host's end of a session: it opens sessions (Hello until answered, a new session id each time), sends
// commands, retransmits them on the Clock until answered, and fails them on timeout or link loss.
// Host only: firmware bundles never import it.
import type { Timer } from '../clock/clock.ts';
import {
  ACK_ID, NACK_ID, NACK_REASON_LINK_LOST, NACK_REASON_NOT_READY, NACK_REASON_QUEUE_FULL, NACK_REASON_TIMEOUT,
  readAck, readNack,
} from '../generated/wire-codec.ts';
import type { HelloValues } from '../generated/wire-codec.ts';
import type { PayloadWriter, SessionHandlers, SessionOptions } from './session-core.ts';
import { SessionCore } from './session-core.ts';

/** Outcome of a command: 0 when acknowledged, otherwise a NackReason code. */
export type CommandDone = (result: number) => void;

export interface InitiatorOptions extends SessionOptions {
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
  private inFlight: InFlight[] = [];
  private helloTimer: Timer | null = null;

  constructor(o: InitiatorOptions, h: SessionHandlers) {
    super(o, h);
    this.sessionId = o.sessionIdSeed >>> 0;
  }

  override start(): void {
    if (this.state !== 'idle') return;
    super.start();
    this.handshake();
  }

  override stop(): void {
    this.stopHello();
    super.stop();
  }

  /** Sends a command; done(0) on Ack, done(reason) on Nack, timeout, link loss or a full queue. */
  sendCommand<T>(msgId: number, write: PayloadWriter<T>, m: T, done: CommandDone): void {
    if (this.state !== 'ready') return done(NACK_REASON_NOT_READY);
    if (this.inFlight.length >= this.o.timings.maxInFlight) return done(NACK_REASON_QUEUE_FULL);
    const seq = this.seq;
    const f = this.frame(msgId, write, m);
    this.inFlight.push({ seq, msgId, frame: f, tries: 1, timer: this.retryTimer(seq, msgId), done });
    this.transmit(f);
  }

  private handshake(): void {
    this.state = 'handshaking';
    if (this.helloTimer) return;
    this.sessionId = ((this.sessionId + 1) >>> 0) || 1;
    this.sendHello(0);
    this.helloTimer = this.o.clock.every(this.o.timings.helloRetryMs, () => this.sendHello(0));
  }

  private stopHello(): void {
    if (this.helloTimer) this.helloTimer.cancel();
    this.helloTimer = null;
  }

  protected override onHello(peer: HelloValues): void {
    if (peer.isReply === 0) {
      // The node (re)started and announced itself. While opening, our Hello retries reach it anyway;
      // a session that was up is over and a new one opens.
      if (this.state !== 'ready') return;
      this.goDown();
      this.handshake();
      this.h.lost('peer-restart');
      return;
    }
    if (peer.sessionId !== this.sessionId) return; // a late answer to an earlier handshake
    const why = this.incompatibility(peer);
    if (why) {
      this.state = 'refused';
      return this.h.refused(why, peer);
    }
    if (this.state === 'ready') return;
    this.stopHello();
    this.goUp(peer);
  }

  protected override silence(): void {
    super.silence();
    this.handshake();
  }

  /** Leaving the session fails every command in flight with link-lost. */
  protected override goDown(): void {
    super.goDown();
    const failed = this.inFlight;
    this.inFlight = [];
    for (const e of failed) {
      e.timer.cancel();
      e.done(NACK_REASON_LINK_LOST);
    }
  }

  protected override onAnswer(msgId: number, buf: Uint8Array, start: number, end: number): void {
    const nackValues = msgId === NACK_ID ? readNack(buf, start, end) : null;
    const a = msgId === ACK_ID ? readAck(buf, start, end) : nackValues;
    if (!a) return; // unreadable: never taken for an Ack
    const e = this.inFlight.find((x) => x.seq === a.ackedSeq && x.msgId === a.ackedMsgId);
    if (!e) return; // a late answer to a retransmission already answered
    this.remove(e);
    e.done(nackValues ? nackValues.reason : 0);
  }

  private retryTimer(seq: number, msgId: number): Timer {
    return this.o.clock.after(this.o.timings.retransmitMs, () => this.retry(seq, msgId));
  }

  private retry(seq: number, msgId: number): void {
    const e = this.inFlight.find((x) => x.seq === seq && x.msgId === msgId);
    if (!e) return;
    if (e.tries >= this.o.timings.maxTries) {
      this.remove(e);
      this.c.timeouts++;
      e.done(NACK_REASON_TIMEOUT);
      return;
    }
    e.tries++;
    this.c.retransmits++;
    e.timer = this.retryTimer(seq, msgId);
    this.transmit(e.frame);
  }

  private remove(e: InFlight): void {
    e.timer.cancel();
    this.inFlight = this.inFlight.filter((x) => x !== e);
  }
}
