// What nodes and drivers may touch of the board. One binding (espruino-hal.ts) maps it onto Espruino's
// globals; the emulator provides those same globals, so one bundle runs on both.
import type { PeriodicClock } from '../../../protocols/clock/clock.ts';

export type { PeriodicClock, Timer } from '../../../protocols/clock/clock.ts';

/** A byte stream to the host. */
export interface Uart {
  write(bytes: Uint8Array): void;
  onData(handler: (bytes: Uint8Array) => void): void;
}

/** What every node needs. */
export interface Hal {
  /** Periodic timers only: no node needs a one-shot one (and each closure costs a board memory). */
  clock: PeriodicClock;
  uart: Uart;
  watchdogStart(timeoutMs: number): void;
  watchdogKick(): void;
  /** The board's serial number, or a fixed name where it has none. */
  serial(): string;
  crc32(buf: Uint8Array, start: number, end: number): number;
  /** A file of the board's flash storage (Espruino's Storage), as bytes; undefined when absent. */
  storageRead(name: string): Uint8Array | undefined;
  /** A random 32-bit number from the board's noise source (nonces). */
  random32(): number;
}

/**
 * Buffered analog sampling: calls onBuffer with `count` samples taken at rateHz, over and over, without a
 * JavaScript call per sample. Samples are 16-bit (0..65535 = 0..1 of full scale), handed over in the
 * sampler's own buffer so no copy is kept. Separate from Hal so that nodes without it do not carry it.
 */
export type AnalogSampler = (pin: string, rateHz: number, count: number, onBuffer: (samples: Uint16Array) => void) => void;

/**
 * A level output, 0..1 of full scale: hardware PWM of the given frequency (behind an RC filter) or a DAC where
 * the pin has one. Separate from Pins so that nodes without it do not carry it.
 */
export type AnalogOut = (pin: string, fraction: number) => void;

/** A native forward FFT in place (n a power of two), leaving X[k] / n in (re, im) as Espruino's E.FFT does. */
export type Fft = (re: Float32Array, im: Float32Array) => void;

/** Pin access, for nodes that drive or read pins one value at a time. */
export interface Pins {
  /** Analog input, 0..1 of full scale. */
  analogRead(pin: string): number;
  digitalRead(pin: string): boolean;
  digitalWrite(pin: string, high: boolean): void;
  /** A train of step pulses at stepsPerSecond on a pin (0 stops it). */
  stepOut(pin: string, stepsPerSecond: number): void;
}
