// The node's end of a session: it announces itself at boot, answers the host's Hello, and executes each
// command once, answering repeats with the answer it gave. What a firmware bundle carries.
import { MsgId, NackReason, writeAck, writeNack } from '../generated/wire-codec.ts';
import type { HelloValues } from '../generated/wire-codec.ts';
import type { SessionHandlers, SessionOptions } from './session-core.ts';
import { SessionCore } from './session-core.ts';

/** What a command handler returns: 0 to Ack, or nack(reason, fieldIndex) to refuse. */
export function nack(reason: number, fieldIndex?: number): number {
  return reason | ((fieldIndex === undefined ? 255 : fieldIndex) << 8);
}

export interface ResponderHandlers extends SessionHandlers {
  /** A new (not repeated) command; payload is buf[start, end). Return 0 to Ack or nack(...). */
  command(msgId: number, buf: Uint8Array, start: number, end: number): number;
}

export interface ResponderOptions extends SessionOptions {
  isCommand(msgId: number): boolean;
  /** Commands accepted before the handshake (those that only make a device safer, such as PumpStop). */
  acceptBeforeReady?(msgId: number): boolean;
}

interface Answered {
  seq: number;
  msgId: number;
  reply: number;
  tMs: number;
}

export class ResponderSession extends SessionCore {
  private answered_: Answered[] = [];

  private readonly ro_: ResponderOptions;
  private readonly rh_: ResponderHandlers;

  constructor(ro: ResponderOptions, rh: ResponderHandlers) {
    super(ro, rh);
    this.ro_ = ro;
    this.rh_ = rh;
  }

  override start(): void {
    if (this.state !== 'idle') return;
    super.start();
    this.sendHello_(0); // announces a (re)boot, with session id 0
  }

  protected override onHello_(peer: HelloValues): void {
    if (peer.isReply === 1) return;
    // Always answer, echoing the session id, so even an incompatible host learns what we are.
    const same = peer.sessionId === this.sessionId && this.state === 'ready';
    this.sessionId = peer.sessionId;
    this.sendHello_(1);
    if (same) return; // a repeat of the Hello that opened this session: keep its command memory
    this.goDown_();
    const why = this.incompatibility_(peer);
    if (why) {
      this.state = 'refused';
      return this.refuse_(why, peer);
    }
    this.goUp_(peer);
  }

  protected override goDown_(): void {
    super.goDown_();
    this.answered_ = [];
  }

  protected override onMessage_(seq: number, msgId: number, buf: Uint8Array, start: number, end: number, repeat: boolean): void {
    if (!this.ro_.isCommand(msgId)) return super.onMessage_(seq, msgId, buf, start, end, repeat);
    const now = this.o_.clock.now();
    const window = this.o_.timings.dedupeWindowMs;
    this.answered_ = this.answered_.filter((a) => now - a.tMs <= window);
    const again = this.answered_.find((a) => a.seq === seq && a.msgId === msgId);
    let reply: number;
    if (again) {
      this.c_.duplicates++;
      reply = again.reply;
    } else {
      const early = this.ro_.acceptBeforeReady;
      const allowed = this.state === 'ready' || (early !== undefined && early(msgId));
      reply = allowed ? this.rh_.command(msgId, buf, start, end) : nack(NackReason.NotReady);
      this.answered_.push({ seq, msgId, reply, tMs: now });
    }
    if (reply === 0) this.transmit_(this.frame_(MsgId.Ack, writeAck, { ackedSeq: seq, ackedMsgId: msgId }));
    else {
      this.transmit_(this.frame_(MsgId.Nack, writeNack, { ackedSeq: seq, ackedMsgId: msgId, reason: reply & 0xff, fieldIndex: (reply >> 8) & 0xff }));
    }
  }
}
