// Sans-I/O session: bytes and time in, bytes and events out. It runs on the host and, unchanged, in
// firmware. It numbers frames, acknowledges commands, retransmits on the injected Clock, drops duplicates,
// exchanges heartbeats, detects a lost link and performs the Hello handshake (see SPEC.md, "Session").
import type { Clock, Timer } from '../clock/clock.ts';
import type { Crc32Fn } from '../framing/crc32.ts';
import { HEADER_BYTES } from '../framing/frame-format.ts';
import { FrameDecoder, FrameEncoder } from '../framing/framer.ts';
import {
  ACK_ID, HEARTBEAT_ID, HELLO_ID, LAYOUT_HASH, LINK_STATUS_ID, NACK_ID, NACK_REASON_LINK_LOST,
  NACK_REASON_NOT_READY, NACK_REASON_QUEUE_FULL, NACK_REASON_TIMEOUT, PROTOCOL_VERSION,
  readAck, readHello, readNack, writeAck, writeHeartbeat, writeHello, writeLinkStatus, writeNack,
} from '../generated/wire-codec.ts';
import type { HelloValues } from '../generated/wire-codec.ts';
import type { SessionIdentity, SessionTimings } from './session-config.ts';

export type SessionState = 'idle' | 'handshaking' | 'ready' | 'refused';

/** Outcome of a command: 0 when acknowledged, otherwise a NackReason code. */
export type CommandDone = (result: number) => void;

/** What a command handler returns: 0 to Ack, or nack(reason, fieldIndex). */
export function nack(reason: number, fieldIndex?: number): number {
  return reason | ((fieldIndex === undefined ? 255 : fieldIndex) << 8);
}

export interface SessionHandlers {
  /** Bytes to put on the wire. */
  output(bytes: Uint8Array): void;
  /** A new (not duplicate) command; payload is buf[start, end). Return 0 to Ack or nack(...). */
  command(msgId: number, buf: Uint8Array, start: number, end: number): number;
  /** Any other non-session message (telemetry); payload valid only during the call. */
  message(msgId: number, buf: Uint8Array, start: number, end: number): void;
  /** The handshake completed with a compatible peer. */
  ready(peer: HelloValues): void;
  /** The peer went silent past the link timeout, or restarted. */
  lost(why: string): void;
  /** The peer is incompatible; `why` says what differs and what to do. */
  refused(why: string): void;
}

export interface SessionOptions {
  clock: Clock;
  crc: Crc32Fn;
  identity: SessionIdentity;
  timings: SessionTimings;
  /** The host initiates (sends Hello until answered); a node responds. */
  initiator: boolean;
  isCommand(msgId: number): boolean;
  /** Commands a node accepts before the handshake (such as PumpStop); none by default. */
  acceptBeforeReady?(msgId: number): boolean;
  /** Overrides the catalogue's layout hash (tests of the refusal path only). */
  layoutHash?: number;
  /**
   * Initiator only: first session id (then +1 per handshake). The host passes a random value so a restarted
   * host process is never mistaken for a late frame of its previous session.
   */
  sessionIdSeed?: number;
}

interface InFlight {
  seq: number;
  msgId: number;
  frame: Uint8Array;
  tries: number;
  timer: Timer;
  done: CommandDone;
}

interface Seen {
  seq: number;
  msgId: number;
  reply: number;
  tMs: number;
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

export class Session {
  state: SessionState = 'idle';
  peer: HelloValues | null = null;
  private readonly decoder: FrameDecoder;
  private readonly encoder: FrameEncoder;
  private readonly startMs: number;
  private readonly layoutHash: number;
  private seq = 0;
  private lastPeerSeq = -1;
  private readonly recent = new Uint8Array(256);
  private lastRxMs = 0;
  private inFlight: InFlight[] = [];
  private seen: Seen[] = [];
  private helloTimer: Timer | null = null;
  private upTimer: Timer | null = null;
  private statusTimer: Timer | null = null;
  private reportedVersionErrors = 0;
  /** Id of the current (or, while handshaking, proposed) session; 0 before any. */
  private sessionId = 0;
  private c = { framesTx: 0, drops: 0, retransmits: 0, duplicates: 0, timeouts: 0, reordered: 0 };

  constructor(private readonly o: SessionOptions, private readonly h: SessionHandlers) {
    this.startMs = o.clock.now();
    this.layoutHash = o.layoutHash === undefined ? LAYOUT_HASH : o.layoutHash;
    this.sessionId = !o.initiator ? 0 : o.sessionIdSeed === undefined ? 1 : o.sessionIdSeed >>> 0;
    this.encoder = new FrameEncoder(o.crc, PROTOCOL_VERSION);
    this.decoder = new FrameDecoder(o.crc, PROTOCOL_VERSION, (seq, id, buf, s, e) => this.onFrame(seq, id, buf, s, e));
  }

  get ready(): boolean {
    return this.state === 'ready';
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

  /** Starts the session: a flush delimiter, then Hello (the initiator repeats it until answered). */
  start(): void {
    if (this.state !== 'idle') return;
    this.h.output(new Uint8Array(1));
    this.handshake();
    if (!this.o.initiator) this.sendHello(0); // announces a (re)boot to the host, with session id 0
  }

  /** Stops timers and fails commands in flight; the session can be started again. */
  stop(): void {
    this.goDown();
    this.stopTimer('helloTimer');
    this.state = 'idle';
  }

  /** Feeds received bytes. */
  receive(bytes: Uint8Array): void {
    if (this.state === 'idle') return; // not started: a node still booting hears nothing
    this.decoder.push(bytes);
    const v = this.decoder.counters.versionErrors;
    if (v !== this.reportedVersionErrors) {
      this.reportedVersionErrors = v;
      this.h.refused(
        'peer speaks protocol version ' + this.decoder.lastForeignVersion + ' but this side speaks ' + PROTOCOL_VERSION +
          ': update the firmware or the host so both use the same homeostat version',
      );
    }
  }

  /** Sends a telemetry message; false (nothing sent) while the session is not up. */
  send<T>(msgId: number, write: (b: Uint8Array, o: number, m: T) => number, m: T): boolean {
    if (this.state !== 'ready') return false;
    this.transmit(this.frame(msgId, write, m));
    return true;
  }

  /** Sends a command; done(0) on Ack, done(reason) on Nack, timeout, link loss or a full queue. */
  sendCommand<T>(msgId: number, write: (b: Uint8Array, o: number, m: T) => number, m: T, done: CommandDone): void {
    if (this.state !== 'ready') return done(NACK_REASON_NOT_READY);
    if (this.inFlight.length >= this.o.timings.maxInFlight) return done(NACK_REASON_QUEUE_FULL);
    const seq = this.seq;
    const f = this.frame(msgId, write, m);
    const entry: InFlight = { seq, msgId, frame: f, tries: 1, timer: this.retryTimer(seq, msgId), done };
    this.inFlight.push(entry);
    this.transmit(f);
  }

  private retryTimer(seq: number, msgId: number): Timer {
    return this.o.clock.after(this.o.timings.retransmitMs, () => this.retry(seq, msgId));
  }

  private retry(seq: number, msgId: number): void {
    const e = this.findInFlight(seq, msgId);
    if (!e) return;
    if (e.tries >= this.o.timings.maxTries) {
      this.removeInFlight(e);
      this.c.timeouts++;
      e.done(NACK_REASON_TIMEOUT);
      return;
    }
    e.tries++;
    this.c.retransmits++;
    e.timer = this.retryTimer(seq, msgId);
    this.transmit(e.frame);
  }

  private findInFlight(seq: number, msgId: number): InFlight | undefined {
    return this.inFlight.find((e) => e.seq === seq && e.msgId === msgId);
  }

  private removeInFlight(e: InFlight): void {
    e.timer.cancel();
    this.inFlight = this.inFlight.filter((x) => x !== e);
  }

  private frame<T>(msgId: number, write: (b: Uint8Array, o: number, m: T) => number, m: T): Uint8Array {
    const end = write(this.encoder.raw, HEADER_BYTES, m);
    const f = this.encoder.encode(this.seq, msgId, end - HEADER_BYTES);
    this.seq = (this.seq + 1) & 0xff;
    return f;
  }

  private transmit(f: Uint8Array): void {
    this.c.framesTx++;
    this.h.output(f);
  }

  private sendHello(isReply: number): void {
    const id = this.o.identity;
    this.transmit(this.frame(HELLO_ID, writeHello, {
      protocolVersion: PROTOCOL_VERSION, layoutHash: this.layoutHash, nodeRole: id.nodeRole, boardId: id.boardId,
      firmwareMajor: id.firmwareMajor, firmwareMinor: id.firmwareMinor, firmwarePatch: id.firmwarePatch,
      uptimeMs: this.uptimeMs(), isReply, sessionId: this.sessionId, uniqueId: id.uniqueId,
    }));
  }

  private uptimeMs(): number {
    return (this.o.clock.now() - this.startMs) >>> 0;
  }

  private handshake(): void {
    this.state = 'handshaking';
    if (this.o.initiator && !this.helloTimer) {
      this.sessionId = ((this.sessionId + 1) >>> 0) || 1;
      this.sendHello(0);
      this.helloTimer = this.o.clock.every(this.o.timings.helloRetryMs, () => this.sendHello(0));
    }
  }

  private stopTimer(name: 'helloTimer' | 'upTimer' | 'statusTimer'): void {
    const t = this[name];
    if (t) t.cancel();
    this[name] = null;
  }

  private goUp(peer: HelloValues): void {
    this.stopTimer('helloTimer');
    this.peer = peer;
    this.state = 'ready';
    this.lastRxMs = this.o.clock.now();
    if (!this.upTimer) this.upTimer = this.o.clock.every(this.o.timings.heartbeatMs, () => this.tick());
    if (!this.statusTimer && this.o.timings.linkStatusMs > 0) {
      this.statusTimer = this.o.clock.every(this.o.timings.linkStatusMs, () => this.sendLinkStatus());
    }
    this.h.ready(peer);
  }

  /** Leaves the ready state: timers stop and every command in flight fails with link-lost. */
  private goDown(): void {
    this.stopTimer('upTimer');
    this.stopTimer('statusTimer');
    const failed = this.inFlight;
    this.inFlight = [];
    this.seen = [];
    this.lastPeerSeq = -1;
    for (const e of failed) {
      e.timer.cancel();
      e.done(NACK_REASON_LINK_LOST);
    }
  }

  private tick(): void {
    if (this.o.clock.now() - this.lastRxMs > this.o.timings.linkTimeoutMs) {
      this.goDown();
      this.handshake();
      this.h.lost('no frame from the peer for more than ' + this.o.timings.linkTimeoutMs + ' ms');
      return;
    }
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
    // Sequence bookkeeping: a forward gap means frames were lost; a step back means reordering or a repeat.
    // `recent` marks the sequence numbers received in the last half cycle, to spot repeats that arrive late.
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
    if (msgId === HELLO_ID) return this.onHello(buf, start, end);
    if (msgId === ACK_ID || msgId === NACK_ID) return this.onAnswer(msgId, buf, start, end);
    if (msgId === HEARTBEAT_ID || msgId === LINK_STATUS_ID) {
      if (msgId === LINK_STATUS_ID && this.state === 'ready') this.h.message(msgId, buf, start, end);
      return;
    }
    if (this.o.isCommand(msgId)) return this.onCommand(seq, msgId, buf, start, end);
    if (this.state !== 'ready') return;
    if (repeat) {
      this.c.duplicates++;
      return;
    }
    this.h.message(msgId, buf, start, end);
  }

  private onHello(buf: Uint8Array, start: number, end: number): void {
    const peer = readHello(buf, start, end);
    if (!peer) return this.h.refused('peer sent a Hello too short to read: it does not speak this protocol');
    const why = this.incompatibility(peer);
    if (this.o.initiator) {
      if (peer.isReply === 0) {
        // The node (re)started and announced itself: open a new session.
        const wasUp = this.state === 'ready';
        this.goDown();
        this.state = 'idle';
        this.handshake();
        if (wasUp) this.h.lost('peer restarted (uptime ' + peer.uptimeMs + ' ms)');
        return;
      }
      if (peer.sessionId !== this.sessionId) return; // a late answer to an earlier handshake
      if (why) {
        this.state = 'refused';
        return this.h.refused(why);
      }
      if (this.state !== 'ready') this.goUp(peer);
      return;
    }
    if (peer.isReply === 1) return;
    // Responder: always answer (echoing the session id), so an incompatible initiator learns what we are.
    const same = peer.sessionId === this.sessionId && this.state === 'ready';
    this.sessionId = peer.sessionId;
    this.sendHello(1);
    if (same) return; // a repeat of the Hello that opened this session: keep its duplicate memory
    if (why) {
      this.goDown();
      this.state = 'refused';
      return this.h.refused(why);
    }
    // A new session: forget the previous one's sequence numbers and commands.
    this.goDown();
    this.goUp(peer);
  }

  private incompatibility(peer: HelloValues): string {
    if (peer.protocolVersion !== PROTOCOL_VERSION) {
      return 'peer ' + describe(peer) + ' speaks protocol version ' + peer.protocolVersion + ', this side ' + PROTOCOL_VERSION +
        ': use the same homeostat version on both sides';
    }
    if (peer.layoutHash !== this.layoutHash) {
      return 'peer ' + describe(peer) + ' was built from a different message catalogue (layout hash 0x' + hex8(peer.layoutHash) +
        ', this side 0x' + hex8(this.layoutHash) + '): rebuild and flash its firmware from this homeostat version';
    }
    return '';
  }

  private onAnswer(msgId: number, buf: Uint8Array, start: number, end: number): void {
    const nackValues = msgId === NACK_ID ? readNack(buf, start, end) : null;
    const a = msgId === NACK_ID ? nackValues : readAck(buf, start, end);
    if (!a) return; // unreadable: never taken for an Ack
    const e = this.findInFlight(a.ackedSeq, a.ackedMsgId);
    if (!e) return; // a late answer to a retransmission already answered
    this.removeInFlight(e);
    e.done(nackValues ? nackValues.reason : 0);
  }

  private onCommand(seq: number, msgId: number, buf: Uint8Array, start: number, end: number): void {
    const now = this.o.clock.now();
    const window = this.o.timings.dedupeWindowMs;
    this.seen = this.seen.filter((s) => now - s.tMs <= window);
    const dup = this.seen.find((s) => s.seq === seq && s.msgId === msgId);
    let reply: number;
    if (dup) {
      this.c.duplicates++;
      reply = dup.reply;
    } else {
      const allowed = this.state === 'ready' || (this.o.acceptBeforeReady !== undefined && this.o.acceptBeforeReady(msgId));
      reply = allowed ? this.h.command(msgId, buf, start, end) : nack(NACK_REASON_NOT_READY);
      this.seen.push({ seq, msgId, reply, tMs: now });
    }
    if (reply === 0) this.transmit(this.frame(ACK_ID, writeAck, { ackedSeq: seq, ackedMsgId: msgId }));
    else {
      this.transmit(this.frame(NACK_ID, writeNack, {
        ackedSeq: seq, ackedMsgId: msgId, reason: reply & 0xff, fieldIndex: (reply >> 8) & 0xff,
      }));
    }
  }
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

function describe(p: HelloValues): string {
  return "'" + p.uniqueId + "' (role " + p.nodeRole + ', board ' + p.boardId + ', firmware ' + p.firmwareMajor + '.' +
    p.firmwareMinor + '.' + p.firmwarePatch + ')';
}
