// Two transports joined back to back on a Clock, like a serial cable: bytes arrive after a latency and,
// when a byte rate is set, no faster than the line could carry them (10 bit times per byte for 8N1).
import type { Clock } from '../../protocols/clock/clock.ts';
import type { Transport } from './transport.ts';

export interface MemoryLineOptions {
  latencyMs: number;
  /** Line speed in bytes per second; 0 means unlimited. 115200 baud 8N1 is 11520 bytes/s. */
  bytesPerSecond: number;
}

class MemoryEnd implements Transport {
  peer!: MemoryEnd;
  private handler: ((bytes: Uint8Array) => void) | null = null;
  private lineFreeAtMs = 0;
  closed = false;

  constructor(private readonly clock: Clock, private readonly line: MemoryLineOptions) {}

  write(bytes: Uint8Array): void {
    if (this.closed) throw new Error('write on a closed in-memory transport');
    const copy = Uint8Array.from(bytes);
    const now = this.clock.now();
    const sendMs = this.line.bytesPerSecond > 0 ? (copy.length * 1000) / this.line.bytesPerSecond : 0;
    this.lineFreeAtMs = Math.max(now, this.lineFreeAtMs) + sendMs;
    const peer = this.peer;
    this.clock.after(this.lineFreeAtMs - now + this.line.latencyMs, () => peer.deliver(copy));
  }

  onBytes(handler: (bytes: Uint8Array) => void): void {
    this.handler = handler;
  }

  close(): void {
    this.closed = true;
  }

  private deliver(bytes: Uint8Array): void {
    if (!this.closed && this.handler) this.handler(bytes);
  }
}

export function memoryTransportPair(clock: Clock, line: MemoryLineOptions = { latencyMs: 1, bytesPerSecond: 0 }): [Transport, Transport] {
  const a = new MemoryEnd(clock, line);
  const b = new MemoryEnd(clock, line);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
