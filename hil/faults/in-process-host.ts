// A host built inside a simulation, on virtual time, with the faults of a host process: it is built on
// HostEdges (the clock and the transports it is given) and every event reaches it through them, so killing
// it, hanging it or slowing it needs nothing from its code. kill() silences its edges for good (a dead
// process's timers never fire, its port is gone with it); restart() builds a new host on new edges.
import type { Clock, Timer } from '../../protocols/clock/clock.ts';
import type { Transport } from '../../host/transport/transport.ts';
import type { HostFaultTarget } from './host-faults.ts';

/** The edges one host instance is built on. */
export class HostEdges {
  dead = false;
  hung = false;
  delayMs = 0;
  private backlog: (() => void)[] = [];
  readonly clock: Clock;

  constructor(private readonly plant: Clock) {
    this.clock = {
      now: () => plant.now(),
      after: (ms, fn) => this.timer((run) => plant.after(ms, run), fn, false),
      every: (ms, fn) => this.timer((run) => plant.every(ms, run), fn, true),
    };
  }

  /** The transport as the host sees it: bytes in arrive as events of the host, bytes out leave only while it lives. */
  transport(t: Transport): Transport {
    return {
      write: (b) => {
        if (!this.dead) t.write(b);
      },
      onBytes: (h) => t.onBytes((b) => this.dispatch(() => h(b))),
      close: () => t.close(),
      onClose: (h) => t.onClose?.((why) => this.dispatch(() => h(why))),
    };
  }

  /** An opener (for DeviceLink) whose transports are the host's. */
  opener(open: () => Promise<Transport>): () => Promise<Transport> {
    return async () => this.transport(await open());
  }

  kill(): void {
    this.dead = true;
    this.backlog = [];
  }

  hang(): void {
    this.hung = true;
  }

  /** The loop is free again: what queued up runs now, in order. */
  resume(): void {
    this.hung = false;
    const queued = this.backlog;
    this.backlog = [];
    for (const fn of queued) this.dispatch(fn);
  }

  private timer(schedule: (run: () => void) => Timer, fn: () => void, periodic: boolean): Timer {
    let cancelled = false;
    let queued = false;
    // A periodic timer missed while the loop was blocked runs once when it frees, as Node's do.
    const run = () => {
      if (cancelled || (periodic && queued)) return;
      queued = true;
      this.dispatch(() => {
        queued = false;
        if (!cancelled) fn();
      });
    };
    const t = schedule(run);
    return {
      cancel: () => {
        cancelled = true;
        t.cancel();
      },
    };
  }

  private dispatch(fn: () => void): void {
    if (this.dead) return;
    if (this.hung) this.backlog.push(fn);
    else if (this.delayMs > 0) this.plant.after(this.delayMs, () => this.handleNow(fn));
    else fn();
  }

  /** A slowed event, due now: it still waits out a hang and dies with its host. */
  private handleNow(fn: () => void): void {
    if (this.dead) return;
    if (this.hung) this.backlog.push(fn);
    else fn();
  }
}

export class InProcessHost implements HostFaultTarget {
  edges!: HostEdges;
  starts = 0;

  /** build: makes one host on the edges given (its links, its loop) and starts it. */
  constructor(private readonly plant: Clock, private readonly build: (edges: HostEdges) => void) {
    this.restart();
  }

  kill(): void {
    this.edges.kill();
  }

  restart(): void {
    if (this.edges && !this.edges.dead) throw new Error('the host is still running: kill it before starting another');
    this.edges = new HostEdges(this.plant);
    this.starts++;
    this.build(this.edges);
  }

  hang(): void {
    this.edges.hang();
  }

  resume(): void {
    this.edges.resume();
  }

  slow(delayMs: number): void {
    this.edges.delayMs = delayMs;
  }
}
