// A host as its own process, for the PIL and HIL levels: started from a script, killed with SIGKILL and
// started again with the same arguments, hung with SIGSTOP (nothing of it runs: the event loop is blocked,
// bytes wait in the tty's buffer) until SIGCONT, and slowed by stopping it for delayMs out of every
// delayMs + runMs, so each event waits up to delayMs. Signals, so the host's code has no fault switch.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { owned } from '../../host/process/owned-children.ts';
import type { HostFaultTarget } from './host-faults.ts';

export class HostProcess implements HostFaultTarget {
  proc: ChildProcess | null = null;
  starts = 0;
  private out = '';
  private slowTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  /** runMs: how long a slowed host runs between stops. */
  constructor(private readonly script: string, private readonly args: string[], private readonly runMs = 20) {}

  /** Everything the host printed, over all its starts. */
  output(): string {
    return this.out;
  }

  start(): void {
    if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) throw new Error('the host process is already running');
    const p = owned(spawn(process.execPath, ['--import', 'tsx', this.script, ...this.args], { stdio: ['ignore', 'pipe', 'pipe'] }));
    p.stdout!.on('data', (d: Buffer) => (this.out += d.toString()));
    p.stderr!.on('data', (d: Buffer) => (this.out += d.toString()));
    this.proc = p;
    this.starts++;
  }

  kill(): void {
    this.slow(0);
    this.signal('SIGKILL');
  }

  restart(): void {
    this.start();
  }

  hang(): void {
    this.signal('SIGSTOP');
    this.stopped = true;
  }

  resume(): void {
    this.stopped = false;
    this.signal('SIGCONT');
  }

  slow(delayMs: number): void {
    if (this.slowTimer) clearTimeout(this.slowTimer);
    this.slowTimer = null;
    if (delayMs <= 0) {
      if (!this.stopped) this.signal('SIGCONT');
      return;
    }
    const cycle = () => {
      if (!this.stopped) this.signal('SIGSTOP');
      this.slowTimer = setTimeout(() => {
        if (!this.stopped) this.signal('SIGCONT');
        this.slowTimer = setTimeout(cycle, this.runMs);
      }, delayMs);
    };
    cycle();
  }

  private signal(s: NodeJS.Signals): void {
    if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(s);
  }
}
