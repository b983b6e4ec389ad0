// The one source of time for every core (docs/architecture.md#seams). Bindings: SystemClock on the host,
// the Espruino binding on a board, VirtualClock in simulation and tests.

export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since an arbitrary origin; never goes backwards. */
  now(): number;
  /** Calls fn once, delayMs from now. */
  after(delayMs: number, fn: () => void): Timer;
  /** Calls fn every periodMs, first periodMs from now, until cancelled. */
  every(periodMs: number, fn: () => void): Timer;
}

/** What a node's cores need of a clock: no one-shot timers (so a board's binding need not carry them). */
export type PeriodicClock = Pick<Clock, 'now' | 'every'>;
