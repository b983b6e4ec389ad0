// Keeps a leased setting alive: sends it once, then again every third of its lease until released. A
// renewal that fails (link lost, refused) ends the hold, so after a loss the device stays in the safe state
// it fell back to, and the therapy resumes only when someone commands it again.
import type { Clock, Timer } from '../../protocols/clock/clock.ts';

export class LeaseRenewal {
  private timer: Timer | null = null;

  constructor(private readonly clock: Clock) {}

  async hold(send: () => Promise<void>, leaseMs: number): Promise<void> {
    this.release();
    await send();
    this.timer = this.clock.every(leaseMs / 3, () => {
      send().catch(() => this.release());
    });
  }

  release(): void {
    if (this.timer) this.timer.cancel();
    this.timer = null;
  }
}
