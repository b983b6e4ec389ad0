// `homeostat monitor`: for a bench engineer debugging a board. Opens a session with the device on a port
// and prints every message it sends, decoded with codes by name, the link's state changes and counters,
// and any plain text on the line (which is no frame); in hex mode also every frame's bytes, both ways.
// Commands typed while it runs: `stop` (PumpStop to a pump), `counters`, `quit`.
import { describePeer } from '../../../protocols/session/refusal-text.ts';
import { codeTable } from '../../../protocols/catalogue/codes.ts';
import type { Clock } from '../../../protocols/clock/clock.ts';
import { sendCommand } from '../../devices/device-command.ts';
import { DeviceLink } from '../../link/device-link.ts';
import type { Transport } from '../../transport/transport.ts';
import { hex, LineTap } from './line-tap.ts';
import { messageText } from './message-text.ts';

export interface MonitorOptions {
  name: string;
  open: () => Promise<Transport>;
  clock: Clock;
  /** Stop after this long; 0 runs until stop(). */
  durationMs: number;
  countersEveryMs: number;
  /** Print each frame's bytes in hex, received and sent. */
  hex?: boolean;
}

export interface MonitorOutcome {
  /** How many times a session came up. */
  sessions: number;
  /** What kept the link from working, in words, if anything did. */
  lastProblem: string;
}

export interface Monitor {
  readonly link: DeviceLink;
  /** Settles when the monitor has ended: its time is up, or stop() or `quit`. */
  readonly ended: Promise<MonitorOutcome>;
  /** Ends the monitor now (once; later calls give the same outcome). */
  stop(): MonitorOutcome;
  /** A line typed by the user. */
  command(line: string): void;
}

export const MONITOR_COMMANDS = 'commands: stop (PumpStop to a pump), counters, quit';

export function monitor(o: MonitorOptions, print: (line: string) => void): Monitor {
  const t0 = o.clock.now();
  const at = () => `[${((o.clock.now() - t0) / 1000).toFixed(3).padStart(8)} s]`;
  const say = (l: string) => print(`${at()} ${l}`);
  // Every byte passes the tap before the session sees it, so text and frames print in line order.
  const tap = new LineTap();
  const open = async (): Promise<Transport> => {
    const t = await o.open();
    return {
      write: (b) => {
        if (o.hex) say(`tx ${hex(b)}`);
        t.write(b);
      },
      onBytes: (h) => t.onBytes((b) => {
        for (const e of tap.push(b)) {
          if (e.kind === 'text') say(`text ${JSON.stringify(e.text)}`);
          else if (o.hex) say(`rx ${hex(e.bytes)}${e.valid ? '' : ' (no valid frame)'}`);
        }
        h(b);
      }),
      close: () => t.close(),
      onClose: t.onClose ? (h) => t.onClose!(h) : undefined,
    };
  };
  const link = new DeviceLink({ name: o.name, open, clock: o.clock });
  let sessions = 0;
  link.on({
    state: (s, detail) => say(`link ${s}: ${detail}`),
    ready: (p) => {
      sessions++;
      say(`peer ${describePeer(p)}, uptime ${p.uptimeMs} ms`);
    },
  });
  link.messages.onAny((m) => say(messageText(m)));
  link.messages.onRejected((r) => say(`undecodable message 0x${r.id.toString(16)}: ${r.detail}`));
  let countersShownAt: number | null = null;
  const counters = () => {
    countersShownAt = o.clock.now();
    say(`counters ${JSON.stringify(link.session.counters)}`);
  };
  const every = o.clock.every(o.countersEveryMs, counters);
  let finish: (r: MonitorOutcome) => void = () => undefined;
  const ended = new Promise<MonitorOutcome>((resolve) => (finish = resolve));
  let outcome: MonitorOutcome | null = null;
  const stop = (): MonitorOutcome => {
    if (outcome) return outcome;
    every.cancel();
    // Not twice in a row when the periodic counters have just been shown.
    if (countersShownAt === null || o.clock.now() - countersShownAt > 100) counters();
    outcome = { sessions, lastProblem: link.lastProblem };
    link.close();
    finish(outcome);
    return outcome;
  };
  if (o.durationMs > 0) o.clock.after(o.durationMs, () => void stop());
  link.start();

  const pumpRole = codeTable('NodeRole').values['infusion-pump'];
  const command = (line: string) => {
    const word = line.trim().toLowerCase();
    if (word === '') return;
    if (word === 'quit' || word === 'exit') return void stop();
    if (word === 'counters') return counters();
    if (word !== 'stop') return say(`unknown command '${line.trim()}'; ${MONITOR_COMMANDS}`);
    if (!link.ready || !link.peer) return say(`stop: no session with the device (link ${link.state}): nothing sent`);
    if (link.peer.nodeRole !== pumpRole) return say(`stop: the peer is ${describePeer(link.peer)}, not an infusion pump: nothing sent`);
    say('stop: sending PumpStop');
    sendCommand(link, 'PumpStop', {}).then(
      () => say('stop: PumpStop acknowledged: the pump is stopped'),
      (e: Error) => say(`stop: ${e.message}`),
    );
  };
  return { link, ended, stop, command };
}
