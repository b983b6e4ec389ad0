// Wraps any transport and damages what passes through it, in both directions: bit errors, dropped and
// duplicated chunks, bursts of garbage. Seeded, so a failing run can be replayed. Never part of a real
// transport.
import type { Transport } from '../../host/transport/transport.ts';
import { seededRandom } from '../../protocols/testing/seeded-random.ts';
import type { Clock } from '../../protocols/clock/clock.ts';

export interface Faults {
  /** Probability that each bit written is flipped. */
  bitErrorRate: number;
  /** Probability that a write is lost whole. */
  dropRate: number;
  /** Probability that a write is sent twice. */
  duplicateRate: number;
  /** Probability that random bytes are sent before a write. */
  garbageRate: number;
  /** Extra delay of every chunk, ms (needs a clock); chunks keep their order. */
  delayMs?: number;
}

export const NO_FAULTS: Faults = { bitErrorRate: 0, dropRate: 0, duplicateRate: 0, garbageRate: 0 };

export class FaultyTransport implements Transport {
  private readonly random: () => number;
  readonly injected = { bitFlips: 0, drops: 0, duplicates: 0, garbageBursts: 0 };

  constructor(private readonly inner: Transport, private faults: Faults, seed: number, private readonly clock?: Clock) {
    this.random = seededRandom(seed);
  }

  setFaults(faults: Faults): void {
    this.faults = faults;
  }

  write(bytes: Uint8Array): void {
    this.damage(bytes, (b) => this.later(() => this.inner.write(b)));
  }

  onBytes(handler: (bytes: Uint8Array) => void): void {
    this.inner.onBytes((bytes) => this.damage(bytes, (b) => this.later(() => handler(b))));
  }

  private later(fn: () => void): void {
    const d = this.faults.delayMs ?? 0;
    if (d > 0 && this.clock) this.clock.after(d, fn);
    else fn();
  }

  close(): void {
    this.inner.close();
  }

  private damage(bytes: Uint8Array, pass: (b: Uint8Array) => void): void {
    const f = this.faults;
    if (this.random() < f.garbageRate) {
      const junk = new Uint8Array(1 + Math.floor(this.random() * 40)).map(() => Math.floor(this.random() * 256));
      this.injected.garbageBursts++;
      pass(junk);
    }
    if (this.random() < f.dropRate) {
      this.injected.drops++;
      return;
    }
    const out = Uint8Array.from(bytes);
    if (f.bitErrorRate > 0) {
      for (let i = 0; i < out.length; i++) {
        for (let bit = 0; bit < 8; bit++) {
          if (this.random() < f.bitErrorRate) {
            out[i] ^= 1 << bit;
            this.injected.bitFlips++;
          }
        }
      }
    }
    pass(out);
    if (this.random() < f.duplicateRate) {
      this.injected.duplicates++;
      pass(out);
    }
  }
}
