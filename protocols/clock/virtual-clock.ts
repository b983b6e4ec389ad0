// A clock whose time moves only when told: an event queue (binary heap ordered by due time, then by the
// order timers were set) with advance / runUntil. Timers due at the same instant fire in the order set.
import type { Clock, Timer } from './clock.ts';

/** A timer in the queue; it is its own handle (no closure per timer: simulations set millions of them). */
class Entry implements Timer {
  cancelled = false;
  constructor(public dueMs: number, public order: number, readonly periodMs: number, readonly fn: () => void) {}
  cancel(): void {
    this.cancelled = true;
  }
}

export class VirtualClock implements Clock {
  private heap: Entry[] = [];
  private tMs: number;
  private nextOrder = 0;

  constructor(startMs = 0) {
    this.tMs = startMs;
  }

  now(): number {
    return this.tMs;
  }

  after(delayMs: number, fn: () => void): Timer {
    return this.schedule(delayMs, 0, fn);
  }

  every(periodMs: number, fn: () => void): Timer {
    if (!(periodMs > 0)) throw new Error(`every() needs a period above 0 ms, got ${periodMs}`);
    return this.schedule(periodMs, periodMs, fn);
  }

  /** Number of timers still waiting. */
  get pending(): number {
    return this.heap.filter((e) => !e.cancelled).length;
  }

  /** Due time of the next live timer, or undefined when none is waiting. */
  nextDueMs(): number | undefined {
    this.dropCancelledTop();
    return this.heap.length > 0 ? this.heap[0].dueMs : undefined;
  }

  /** Runs every timer due up to and including tMs, then sets the time to tMs. */
  runUntil(tMs: number): void {
    if (tMs < this.tMs) throw new Error(`cannot run the clock back from ${this.tMs} ms to ${tMs} ms`);
    for (;;) {
      this.dropCancelledTop();
      const top = this.heap[0];
      if (!top || top.dueMs > tMs) break;
      this.pop();
      this.tMs = top.dueMs;
      if (top.periodMs > 0) {
        top.dueMs += top.periodMs;
        top.order = this.nextOrder++;
        this.push(top);
      }
      top.fn();
    }
    this.tMs = tMs;
  }

  advance(deltaMs: number): void {
    this.runUntil(this.tMs + deltaMs);
  }

  /** Runs timers until none is left (time stays at the last one) or until maxMs (time becomes maxMs). */
  runUntilIdle(maxMs = Number.MAX_SAFE_INTEGER): number {
    for (;;) {
      const due = this.nextDueMs();
      if (due === undefined) return this.tMs;
      if (due > maxMs) {
        this.runUntil(Math.max(this.tMs, maxMs));
        return this.tMs;
      }
      this.runUntil(due);
    }
  }

  private schedule(delayMs: number, periodMs: number, fn: () => void): Timer {
    const entry = new Entry(this.tMs + Math.max(0, delayMs), this.nextOrder++, periodMs, fn);
    this.push(entry);
    return entry;
  }

  private dropCancelledTop(): void {
    while (this.heap.length > 0 && this.heap[0].cancelled) this.pop();
  }

  private before(a: Entry, b: Entry): boolean {
    return a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.order < b.order);
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(e, h[parent])) break;
      h[i] = h[parent];
      i = parent;
    }
    h[i] = e;
  }

  private pop(): Entry | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      // Sift the last entry down from the root, moving smaller children up (no swaps, no allocation).
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = l < h.length && this.before(h[l], last) ? l : -1;
        if (r < h.length && this.before(h[r], m < 0 ? last : h[m])) m = r;
        if (m < 0) break;
        h[i] = h[m];
        i = m;
      }
      h[i] = last;
    }
    return top;
  }
}
