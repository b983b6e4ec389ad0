// `homeostat monitor`: for a bench engineer debugging a board. Opens a session with the device on a port
// and prints every message it sends, decoded, with the link's state changes and counters.
import { decodePayload } from '../../../protocols/host/host-codec.ts';
import { describePeer } from '../../../protocols/session/refusal-text.ts';
import type { Clock } from '../../../protocols/clock/clock.ts';
import { DeviceLink } from '../../link/device-link.ts';
import type { Transport } from '../../transport/transport.ts';

export interface MonitorOptions {
  name: string;
  open: () => Promise<Transport>;
  clock: Clock;
  /** Stop after this long; 0 runs until interrupted. */
  durationMs: number;
  countersEveryMs: number;
}

export function monitor(o: MonitorOptions, print: (line: string) => void): Promise<DeviceLink> {
  const link = new DeviceLink({ name: o.name, open: o.open, clock: o.clock });
  const t0 = o.clock.now();
  const at = () => `[${((o.clock.now() - t0) / 1000).toFixed(3).padStart(8)} s]`;
  link.on({
    state: (s, detail) => print(`${at()} link ${s}: ${detail}`),
    ready: (p) => print(`${at()} peer ${describePeer(p)}, uptime ${p.uptimeMs} ms`),
    message: (id, buf, s, e) => {
      try {
        const m = decodePayload(id, buf, s, e);
        print(`${at()} ${m.name} ${JSON.stringify(m.values)}`);
      } catch (err) {
        print(`${at()} undecodable message 0x${id.toString(16)}: ${(err as Error).message}`);
      }
    },
  });
  const counters = () => print(`${at()} counters ${JSON.stringify(link.session.counters())}`);
  const every = o.clock.every(o.countersEveryMs, counters);
  link.start();
  return new Promise((resolve) => {
    if (o.durationMs > 0) {
      o.clock.after(o.durationMs, () => {
        every.cancel();
        counters();
        link.close();
        resolve(link);
      });
    }
  });
}
