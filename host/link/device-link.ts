// One device's link on the host: opens its transport, runs the session over it, and keeps it alive:
//   opening -> handshaking -> ready -> (lost -> handshaking) ... and on a vanished port:
//   -> reconnecting (back-off) -> opening ...
// Every transition is an event; the session's counters survive reconnects. A failure to open or a
// refused peer is reported with what was found and what to do, and never blocks other devices.
import type { Clock, Timer } from '../../protocols/clock/clock.ts';
import type { HelloValues } from '../../protocols/generated/wire-codec.ts';
import type { InitiatorSession } from '../../protocols/session/initiator-session.ts';
import type { Transport } from '../transport/transport.ts';
import { hostSession } from './host-session.ts';
import { ReadlineParser } from '@serialport/parser-readline';

export type LinkState = 'idle' | 'opening' | 'handshaking' | 'ready' | 'lost' | 'reconnecting' | 'refused' | 'closed';

export interface LinkEvents {
  state?(state: LinkState, detail: string): void;
  message?(msgId: number, buf: Uint8Array, start: number, end: number): void;
  ready?(peer: HelloValues): void;
}

export interface DeviceLinkOptions {
  name: string;
  open: () => Promise<Transport>;
  clock: Clock;
  /** Waits between reconnection attempts, the last repeated. */
  backoffMs?: number[];
  /** How long a handshake may take before the link says what it heard instead. */
  helloTimeoutMs?: number;
  sessionIdSeed?: number;
}

const DEFAULT_BACKOFF_MS = [100, 250, 500, 1000, 2000, 5000];

export class DeviceLink {
  state: LinkState = 'idle';
  /** The latest problem, in words (an open error, a refusal, a loss). */
  lastProblem = '';
  peer: HelloValues | null = null;
  private transport: Transport | null = null;
  private attempt = 0;
  private retry: Timer | null = null;
  private readonly listeners: LinkEvents[] = [];
  /** Text lines the device sent before any session: the Espruino REPL, or another program. */
  private textSeen = '';
  private sniffer: ReadlineParser | null = null;
  private helloWatch: Timer | null = null;
  readonly session: InitiatorSession;

  constructor(private readonly o: DeviceLinkOptions) {
    // One session for the link's life, written to whichever transport is current.
    const relay: Transport = {
      write: (b) => {
        if (this.transport) this.transport.write(b);
      },
      onBytes: () => undefined,
      close: () => undefined,
    };
    this.session = hostSession(relay, o.clock, {
      message: (id, buf, s, e) => this.emit((l) => l.message && l.message(id, buf, s, e)),
      ready: (p) => {
        this.peer = p;
        this.attempt = 0;
        this.set('ready', `session up with ${p.uniqueId}`);
        this.emit((l) => l.ready && l.ready(p));
      },
      lost: (why) => {
        if (this.state === 'ready') this.set('lost', why);
        if (this.transport) this.set('handshaking', 'sending Hello');
      },
      refused: (why) => this.set('refused', why),
    }, { name: 'homeostat-host', sessionIdSeed: o.sessionIdSeed });
  }

  on(listener: LinkEvents): void {
    this.listeners.push(listener);
  }

  get ready(): boolean {
    return this.state === 'ready';
  }

  start(): void {
    if (this.state !== 'idle' && this.state !== 'closed') return;
    void this.connect();
  }

  close(): void {
    if (this.retry) this.retry.cancel();
    this.session.stop();
    if (this.transport) this.transport.close();
    this.transport = null;
    this.set('closed', 'closed by the host');
  }

  private async connect(): Promise<void> {
    this.set('opening', `opening ${this.o.name}`);
    let t: Transport;
    try {
      t = await this.o.open();
    } catch (e) {
      this.lastProblem = (e as Error).message;
      return this.scheduleReconnect((e as Error).message);
    }
    if (this.state === 'closed') {
      t.close();
      return;
    }
    this.transport = t;
    this.textSeen = '';
    this.sniffer = new ReadlineParser({ delimiter: '\n', encoding: 'latin1' });
    this.sniffer.on('data', (line: string) => {
      const clean = line.replace(/\r/g, '').trim();
      // Printable lines are not homeostat frames (those are binary): remember the first telling one.
      if (!this.textSeen && clean.length >= 3 && /^[\x20-\x7e]+$/.test(clean)) this.textSeen = clean.slice(0, 80);
    });
    t.onBytes((b) => {
      if (this.transport !== t) return;
      if (this.state !== 'ready' && this.sniffer) this.sniffer.write(Buffer.from(b));
      this.session.receive(b);
    });
    // If no session comes up, say what the device sent instead.
    if (this.helloWatch) this.helloWatch.cancel();
    this.helloWatch = this.o.clock.after(this.o.helloTimeoutMs ?? 3000, () => {
      if (this.state !== 'handshaking') return;
      this.lastProblem = this.textSeen
        ? `${this.o.name} answers with text ("${this.textSeen}"), not homeostat frames: it runs the Espruino REPL or other firmware; flash it with \`homeostat flash\``
        : `${this.o.name} sends no Hello: check the port, the baud rate and that the node is powered`;
      this.set('handshaking', this.lastProblem);
    });
    if (t.onClose) {
      t.onClose((reason) => {
        if (this.transport !== t) return;
        this.transport = null;
        this.session.stop();
        this.lastProblem = reason;
        this.scheduleReconnect(reason);
      });
    }
    this.set('handshaking', 'sending Hello');
    this.session.start();
  }

  private scheduleReconnect(why: string): void {
    if (this.state === 'closed') return;
    const steps = this.o.backoffMs ?? DEFAULT_BACKOFF_MS;
    const wait = steps[Math.min(this.attempt, steps.length - 1)];
    this.attempt++;
    this.set('reconnecting', `${why}; trying again in ${wait} ms (attempt ${this.attempt})`);
    this.retry = this.o.clock.after(wait, () => void this.connect());
  }

  private set(state: LinkState, detail: string): void {
    this.state = state;
    if (state === 'refused' || state === 'lost') this.lastProblem = detail;
    this.emit((l) => l.state && l.state(state, detail));
  }

  private emit(fn: (l: LinkEvents) => void): void {
    for (const l of this.listeners) fn(l);
  }
}
