// Keeps a leased setting alive: sends it once, then again every third of the lease the device applied
// (which may be shorter than asked) until released. A renewal that fails (link lost, refused) ends the
// hold, so after a loss the device stays in the safe state it fell back to, and the therapy resumes only
// when someone commands it again.
import type { Clock, Timer } from '../../protocols/clock/clock.ts';

export class LeaseRenewal {
  private timer: Timer | null = null;

  constructor(private readonly clock: Clock) {}

  /** send resolves with the lease the device applied (0 or absent: the lease asked for). */
  async hold(send: () => Promise<number | void>, leaseMs: number): Promise<void> {
    this.release();
    const applied = await send();
    const lease = typeof applied === 'number' && applied > 0 ? applied : leaseMs;
    this.timer = this.clock.every(lease / 3, () => {
      send().catch(() => this.release());
    });
  }

  release(): void {
    if (this.timer) this.timer.cancel();
    this.timer = null;
  }
}
