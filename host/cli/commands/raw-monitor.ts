// `homeostat monitor --raw`: the line as it is, sending nothing: every byte received, 16 to a line in hex
// beside its printable characters. For a board that does not speak the protocol (the Espruino REPL, other
// firmware) or to watch a line without opening a session on it.
import type { Clock } from '../../../protocols/clock/clock.ts';
import type { Transport } from '../../transport/transport.ts';

export interface RawMonitorOptions {
  open: () => Promise<Transport>;
  clock: Clock;
  /** Stop after this long; 0 runs until stop(). */
  durationMs: number;
}

export interface RawMonitor {
  /** Settles when the monitor has ended, with the bytes received and what went wrong, if anything. */
  readonly ended: Promise<{ bytes: number; lastProblem: string }>;
  stop(): void;
}

const BYTES_PER_LINE = 16;

export function rawMonitor(o: RawMonitorOptions, print: (line: string) => void): RawMonitor {
  const t0 = o.clock.now();
  const at = () => `[${((o.clock.now() - t0) / 1000).toFixed(3).padStart(8)} s]`;
  let bytes = 0;
  let transport: Transport | null = null;
  let running = true;
  let finish: (r: { bytes: number; lastProblem: string }) => void = () => undefined;
  const ended = new Promise<{ bytes: number; lastProblem: string }>((resolve) => (finish = resolve));
  const stop = (lastProblem = '') => {
    if (!running) return;
    running = false;
    transport?.close();
    print(`${at()} ${bytes} bytes received`);
    finish({ bytes, lastProblem });
  };
  const show = (b: Uint8Array) => {
    bytes += b.length;
    for (let i = 0; i < b.length; i += BYTES_PER_LINE) {
      const row = b.subarray(i, i + BYTES_PER_LINE);
      const hexText = [...row].map((x) => x.toString(16).padStart(2, '0')).join(' ');
      const chars = [...row].map((x) => (x >= 0x20 && x <= 0x7e ? String.fromCharCode(x) : '.')).join('');
      print(`${at()} rx ${hexText.padEnd(BYTES_PER_LINE * 3 - 1)}  |${chars}|`);
    }
  };
  o.open().then(
    (t) => {
      if (!running) return t.close();
      transport = t;
      t.onBytes(show);
      t.onClose?.((why) => stop(why));
      print(`${at()} port open; sending nothing, showing every byte received`);
    },
    (e: Error) => {
      print(`${at()} ${e.message}`);
      stop(e.message);
    },
  );
  if (o.durationMs > 0) o.clock.after(o.durationMs, () => stop());
  return { ended, stop: () => stop() };
}
