// One device's link on the host: opens its transport, runs the session over it, and keeps it alive:
//   opening -> handshaking -> ready -> (lost -> handshaking) ... and on a vanished port:
//   -> reconnecting (back-off) -> opening ...
// Every transition is an event; the session's counters survive reconnects. A failure to open or a
// refused peer is reported with what was found and what to do, and never blocks other devices. A session
// that comes up unauthenticated (a node built in bench mode) is flagged, and warned about, at every start.
import type { Clock, Timer } from '../../protocols/clock/clock.ts';
import type { HelloValues } from '../../protocols/generated/wire-codec.ts';
import type { InitiatorSession } from '../../protocols/session/initiator-session.ts';
import { MessageDispatch } from '../../protocols/host/message-dispatch.ts';
import { benchModeWarning } from '../../protocols/session/refusal-text.ts';
import type { Transport } from '../transport/transport.ts';
import { hostSession } from './host-session.ts';
import type { Keyring } from './keyring.ts';
import { TextSniffer } from './text-sniffer.ts';

export type LinkState = 'idle' | 'opening' | 'handshaking' | 'ready' | 'lost' | 'reconnecting' | 'refused' | 'closed';

export interface LinkEvents {
  state?(state: LinkState, detail: string): void;
  ready?(peer: HelloValues): void;
  /** Something a person must see: the session is unauthenticated (bench mode), at every start. */
  warning?(text: string): void;
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
  /** Device keys by device id: the keyring file (HOMEOSTAT_KEYRING or ~/.config/homeostat/keyring.json) by default. */
  keyring?: Keyring;
  /** Role and board (NodeRole, BoardId codes) the node must say it is; a device proxy sets the role. */
  expectRole?: number;
  expectBoard?: number;
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
  /**
   * The warning of an unauthenticated (bench mode) session while one is up, '' otherwise. Records must
   * carry it: anything recorded while it is set was commanded without authentication.
   */
  benchModeWarning = '';
  /** Text lines the device sent before any session: the Espruino REPL, or another program. */
  private readonly sniffer = new TextSniffer();
  private helloWatch: Timer | null = null;
  readonly session: InitiatorSession;
  /** The node's messages, decoded and range-checked once, by name: `link.messages.on('PumpStatus', ...)`. */
  readonly messages = new MessageDispatch();

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
      message: (id, buf, s, e) => this.messages.receive(id, buf, s, e),
      ready: (p) => {
        this.peer = p;
        this.attempt = 0;
        this.benchModeWarning = this.session.authenticated ? '' : benchModeWarning(p);
        this.set('ready', `session up with ${p.uniqueId}${this.benchModeWarning ? ` (${this.benchModeWarning})` : ''}`);
        if (this.benchModeWarning) this.emit((l) => l.warning && l.warning(this.benchModeWarning));
        this.emit((l) => l.ready && l.ready(p));
      },
      lost: (why) => {
        if (this.state === 'ready') this.set('lost', why);
        if (this.transport) this.set('handshaking', 'sending Hello');
      },
      refused: (why) => this.set('refused', why),
    }, { name: 'homeostat-host', sessionIdSeed: o.sessionIdSeed, keyring: o.keyring });
    this.session.expectRole = o.expectRole;
    this.session.expectBoard = o.expectBoard;
  }

  /** The node must say it is this role (a device proxy calls it: a pump proxy on a sensor's port is refused). */
  expectRole(role: number): void {
    this.session.expectRole = role;
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
    this.sniffer.reset();
    t.onBytes((b) => {
      if (this.transport !== t) return;
      if (this.state !== 'ready') this.sniffer.push(b);
      this.session.receive(b);
    });
    // If no session comes up, say what the device sent instead.
    if (this.helloWatch) this.helloWatch.cancel();
    this.helloWatch = this.o.clock.after(this.o.helloTimeoutMs ?? 3000, () => {
      if (this.state !== 'handshaking') return;
      const wrongKey = this.session.lastAuthFailure;
      this.lastProblem = wrongKey
        ? `${this.o.name}: the Hello of '${wrongKey}' fails authentication: the keyring's key for it is not the one it was flashed with (reflash it with \`homeostat flash --key-file\`, or correct the keyring)`
        : this.sniffer.first
          ? `${this.o.name} answers with text ("${this.sniffer.first}"), not homeostat frames: it runs the Espruino REPL or other firmware; flash it with \`homeostat flash\``
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
    if (state !== 'ready') this.benchModeWarning = '';
    if (state === 'refused' || state === 'lost') this.lastProblem = detail;
    this.emit((l) => l.state && l.state(state, detail));
  }

  private emit(fn: (l: LinkEvents) => void): void {
    for (const l of this.listeners) fn(l);
  }
}
