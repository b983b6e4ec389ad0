// The board's own time base on the plant's virtual clock. The firmware's timers, its getTime(), its pulse
// trains and its ADC sampling all run off the board's oscillator, which may run some ppm fast or slow
// against the plant (a crystal's tolerance, a warm board); a reset or a power loss cancels every timer of
// the boot that set it. With no drift, timers are the plant clock's own (same order, same instants).
import type { Timer } from '../../protocols/clock/clock.ts';
import type { VirtualClock } from '../../protocols/clock/virtual-clock.ts';

interface BoardTimer {
  /** Board time of the next firing. */
  dueMs: number;
  /** Board period; 0 for a one-shot timer. */
  periodMs: number;
  fn: () => void;
  plant: Timer;
}

export class BoardTime {
  private readonly live = new Set<BoardTimer>();
  private ratio = 1;
  private anchorPlantMs: number;
  private anchorBoardMs: number;

  constructor(private readonly clock: VirtualClock) {
    // The board's clock reads the plant's until a drift is set (a board is not reset to zero by a reboot:
    // nothing in the firmware depends on its origin).
    this.anchorPlantMs = clock.now();
    this.anchorBoardMs = clock.now();
  }

  /** How many board milliseconds pass per plant millisecond (1 + ppm / 1e6). */
  get rate(): number {
    return this.ratio;
  }

  /** The board's clock, ms. */
  now(): number {
    // Without drift, exactly the plant's time (no rounding through the anchors).
    if (this.ratio === 1 && this.anchorBoardMs === this.anchorPlantMs) return this.clock.now();
    return this.anchorBoardMs + (this.clock.now() - this.anchorPlantMs) * this.ratio;
  }

  /** Plant milliseconds that a span of board milliseconds lasts. */
  plantSpan(boardMs: number): number {
    return boardMs / this.ratio;
  }

  after(boardMs: number, fn: () => void): Timer {
    const t: BoardTimer = { dueMs: this.now() + Math.max(0, boardMs), periodMs: 0, fn, plant: { cancel: () => undefined } };
    this.arm(t, Math.max(0, boardMs) / this.ratio);
    return this.handle(t);
  }

  every(boardMs: number, fn: () => void): Timer {
    const t: BoardTimer = { dueMs: this.now() + boardMs, periodMs: boardMs, fn, plant: { cancel: () => undefined } };
    this.arm(t, boardMs / this.ratio);
    return this.handle(t);
  }

  /** Sets the drift and moves every live timer to the new rate, from where it stands. */
  setDriftPpm(ppm: number): void {
    this.anchorBoardMs = this.now();
    this.anchorPlantMs = this.clock.now();
    this.ratio = 1 + ppm / 1e6;
    for (const t of this.live) {
      t.plant.cancel();
      this.arm(t, Math.max(0, (t.dueMs - this.now()) / this.ratio));
    }
  }

  /** A reset or a power loss: no timer of this boot fires again. */
  cancelAll(): void {
    for (const t of this.live) t.plant.cancel();
    this.live.clear();
  }

  private handle(t: BoardTimer): Timer {
    return {
      cancel: () => {
        t.plant.cancel();
        this.live.delete(t);
      },
    };
  }

  /** Arms a timer whose next firing is firstMs of plant time from now (given, not derived, so that a fresh
   *  timer without drift is the plant clock's own to the last bit). */
  private arm(t: BoardTimer, firstMs: number): void {
    this.live.add(t);
    const fire = () => {
      if (t.periodMs > 0) t.dueMs += t.periodMs;
      else this.live.delete(t);
      t.fn();
    };
    if (t.periodMs === 0) {
      t.plant = this.clock.after(firstMs, fire);
    } else if (firstMs === t.periodMs / this.ratio) {
      // A fresh periodic timer: the plant clock's own periodic entry, as without a board time base.
      t.plant = this.clock.every(t.periodMs / this.ratio, fire);
    } else {
      // Re-armed mid-period: the rest of this period, then the period at the new rate.
      t.plant = this.clock.after(firstMs, () => {
        if (!this.live.has(t)) return;
        t.plant = this.clock.every(t.periodMs / this.ratio, fire);
        fire();
      });
    }
  }
}
