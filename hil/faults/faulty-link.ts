// A device's serial link as the host finds it, with the faults of the cable and the USB bus: it wraps the
// real opener of the port. The port appears at a path under the device's USB serial number; it can be
// unplugged (the port vanishes: opening fails, the open transport closes with a reason), plugged back in,
// come back under another path with the same serial number (re-enumeration), and the line can be damaged
// (bit errors, drops, duplicates, garbage, delay, a wrong baud rate on the host's side). Damage is on the
// line, so it applies to every transport opened through it, across reconnections. Never part of a real
// transport.
import type { Clock } from '../../protocols/clock/clock.ts';
import type { PortInfo } from '../../host/ports/serial-ports.ts';
import type { Transport } from '../../host/transport/transport.ts';
import { FaultyTransport, NO_FAULTS } from './faulty-transport.ts';
import type { Faults } from './faulty-transport.ts';
import { activeFault } from './fault-timing.ts';
import type { ActiveFault } from './fault-timing.ts';

export interface FaultyLinkOptions {
  /** The device's name in errors. */
  name: string;
  /** Where the port first appears. */
  path: string;
  /** The USB serial number the port is listed with (the same after re-enumeration). */
  serialNumber: string;
  /** The line's baud rate (for a wrong-baud fault). */
  lineBaud: number;
  seed: number;
  /** Needed for delay faults. */
  clock?: Clock;
}

/** Line damage a fault adds: rates combine as independent events, delays add up, the latest baud wins. */
export type LineDamage = Partial<Omit<Faults, 'wrongBaud'>> & { hostBaud?: number };

export class FaultyLink {
  plugged = true;
  opens = 0;
  path: string;
  private readonly o: FaultyLinkOptions;
  private current: { close(reason: string): void } | null = null;
  private readonly damages: LineDamage[] = [];
  private readonly open_: FaultyTransport[] = [];

  constructor(private readonly openInner: () => Promise<Transport>, options: Partial<FaultyLinkOptions> = {}) {
    this.o = { name: 'device', path: '/dev/ttyACM0', serialNumber: 'emulated', lineBaud: 115200, seed: 1, ...options };
    this.path = this.o.path;
  }

  /** The ports udev would list now: this one at its current path while plugged in. */
  ports(): PortInfo[] {
    return this.plugged ? [{ path: this.path, serialNumber: this.o.serialNumber }] : [];
  }

  /** An opener for DeviceLink that finds the device wherever it is; fails while it is unplugged. */
  open = (): Promise<Transport> => this.openPath(this.path);

  /** Opens the port at a path, as a host that remembers the path does; fails if the device is not there. */
  openPath = async (path: string): Promise<Transport> => {
    if (!this.plugged || path !== this.path) throw new Error(`${this.o.name}: cannot open ${path}: no such device${this.plugged ? '' : ' (unplugged)'}`);
    const inner = await this.openInner();
    this.opens++;
    let closeHandler: ((reason: string) => void) | null = null;
    let alive = true;
    const gated: Transport = {
      write: (bytes) => {
        if (alive) inner.write(bytes);
      },
      onBytes: (h) => inner.onBytes((b) => {
        if (alive) h(b);
      }),
      close: () => {
        alive = false;
        inner.close();
      },
      onClose: (h) => {
        closeHandler = h;
      },
    };
    this.current = {
      close: (reason) => {
        if (!alive) return;
        alive = false;
        if (closeHandler) closeHandler(reason);
      },
    };
    const t = new FaultyTransport(gated, this.effective(), this.o.seed + this.opens, this.o.clock);
    this.open_.push(t);
    return t;
  };

  /** Pulls the cable: the port vanishes and the open transport closes. */
  unplug(): void {
    this.plugged = false;
    if (this.current) this.current.close(`${this.o.name} disconnected`);
  }

  /** Plugs it back in, at the same path or (re-enumerated) at another. */
  plugIn(atPath = this.path): void {
    this.path = atPath;
    this.plugged = true;
  }

  /** The path the port would get next time round (ttyACM0 -> ttyACM1). */
  nextPath(): string {
    const m = this.path.match(/^(.*?)(\d+)$/);
    return m ? `${m[1]}${Number(m[2]) + 1}` : `${this.path}-1`;
  }

  /** Adds damage to the line until removed. */
  impair(d: LineDamage): ActiveFault {
    this.damages.push(d);
    this.refresh();
    return activeFault(() => {
      this.damages.splice(this.damages.indexOf(d), 1);
      this.refresh();
    });
  }

  /** What was injected on every transport opened so far. */
  get injected(): FaultyTransport['injected'] {
    const sum = { bitFlips: 0, drops: 0, duplicates: 0, garbageBursts: 0 };
    for (const t of this.open_) for (const k of Object.keys(sum) as (keyof typeof sum)[]) sum[k] += t.injected[k];
    return sum;
  }

  private effective(): Faults {
    const either = (k: 'bitErrorRate' | 'dropRate' | 'duplicateRate' | 'garbageRate') => 1 - this.damages.reduce((p, d) => p * (1 - (d[k] ?? 0)), 1);
    const baud = this.damages.filter((d) => d.hostBaud !== undefined).at(-1)?.hostBaud;
    return {
      ...NO_FAULTS,
      bitErrorRate: either('bitErrorRate'), dropRate: either('dropRate'), duplicateRate: either('duplicateRate'), garbageRate: either('garbageRate'),
      delayMs: this.damages.reduce((s, d) => s + (d.delayMs ?? 0), 0),
      wrongBaud: baud === undefined ? undefined : { hostBaud: baud, lineBaud: this.o.lineBaud },
    };
  }

  private refresh(): void {
    const f = this.effective();
    for (const t of this.open_) t.setFaults(f);
  }
}
