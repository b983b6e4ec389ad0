// Wraps any transport and damages what passes through it, in both directions: bit errors, dropped and
// duplicated chunks, bursts of garbage, delay, and a host reading and writing at the wrong baud rate.
// Seeded, so a failing run can be replayed. Never part of a real transport.
import type { Transport } from '../../host/transport/transport.ts';
import { seededRandom } from '../../protocols/testing/seeded-random.ts';
import type { Clock } from '../../protocols/clock/clock.ts';
import { readAtBaud } from './uart-resample.ts';

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
  /** The host's port is set to hostBaud while the line runs at lineBaud (8N1 both). */
  wrongBaud?: { hostBaud: number; lineBaud: number };
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
    this.damage(bytes, (b) => this.later(() => this.inner.write(b)), 'to-device');
  }

  onBytes(handler: (bytes: Uint8Array) => void): void {
    this.inner.onBytes((bytes) => this.damage(bytes, (b) => this.later(() => handler(b)), 'to-host'));
  }

  private later(fn: () => void): void {
    const d = this.faults.delayMs ?? 0;
    if (d > 0 && this.clock) this.clock.after(d, fn);
    else fn();
  }

  close(): void {
    this.inner.close();
  }

  onClose(handler: (reason: string) => void): void {
    if (this.inner.onClose) this.inner.onClose(handler);
  }

  private damage(bytes: Uint8Array, onward: (b: Uint8Array) => void, way: 'to-device' | 'to-host'): void {
    const f = this.faults;
    const wb = f.wrongBaud;
    // The receiving UART reads what the wire carries at its own rate: a Linux tty turns framing errors into 0x00.
    const pass = !wb ? onward : way === 'to-device'
      ? (b: Uint8Array) => onward(readAtBaud(b, wb.hostBaud, wb.lineBaud, null))
      : (b: Uint8Array) => onward(readAtBaud(b, wb.lineBaud, wb.hostBaud, 0));
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
