// A device that can be unplugged and plugged back in: while unplugged its port vanishes (opening fails,
// the open transport closes with a reason), as a USB serial device does when it is pulled or resets.
// Wraps the real opener of the port; never part of a real transport.
import type { Transport } from '../../host/transport/transport.ts';

export class Unpluggable {
  plugged = true;
  opens = 0;
  private current: { close(reason: string): void } | null = null;

  constructor(private readonly openInner: () => Promise<Transport>, private readonly name = 'device') {}

  /** An opener for DeviceLink: fails while unplugged, as opening a vanished port does. */
  open = async (): Promise<Transport> => {
    if (!this.plugged) throw new Error(`${this.name}: no such device (unplugged)`);
    const inner = await this.openInner();
    this.opens++;
    let closeHandler: ((reason: string) => void) | null = null;
    let alive = true;
    const t: Transport = {
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
    return t;
  };

  unplug(): void {
    this.plugged = false;
    if (this.current) this.current.close(`${this.name} disconnected`);
  }

  plugIn(): void {
    this.plugged = true;
  }
}
