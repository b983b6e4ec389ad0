// Wires between emulated boards, as on a bench where one board plays the patient to the others: a level
// output (DAC, or PWM behind an RC low-pass) into another board's ADC, and a pulse output (a pump's step
// pin) into another board's digital input, whose setWatch then sees every edge.
import type { Timer } from '../../protocols/clock/clock.ts';
import type { VirtualClock } from '../../protocols/clock/virtual-clock.ts';
import type { BoardEmulator, PinState } from './board-emulator.ts';

/** One end of a wire: a board and one of its pins. */
export interface PinEnd {
  board: BoardEmulator;
  pin: string;
}

/** How far back an ADC may ask for a level: its sampler hands over a buffer of past samples (well under this). */
const LEVEL_HISTORY_MS = 5000;

/**
 * The level `from` outputs, read by `to`'s analog input. The ADC's Waveform fills a buffer with samples
 * taken at past instants, so the wire keeps the recent levels and answers each instant with the level
 * written then, not the latest. A PWM output is taken as filtered to its duty (an RC corner far below the
 * PWM frequency, far above what the sensor samples).
 */
export function wireLevel(clock: VirtualClock, from: PinEnd, to: PinEnd): void {
  const changesMs: number[] = [clock.now()];
  const levels: number[] = [from.board.pin(from.pin).duty];
  from.board.onOutput(from.pin, (p) => {
    changesMs.push(clock.now());
    levels.push(p.duty);
    // Drop what no sampler can ask for any more, keeping the level in force at the cut.
    let drop = 0;
    while (drop < changesMs.length - 1 && changesMs[drop + 1] <= clock.now() - LEVEL_HISTORY_MS) drop++;
    if (drop > 64) {
      changesMs.splice(0, drop);
      levels.splice(0, drop);
    }
  });
  to.board.analogSource(to.pin, (tMs) => {
    for (let i = changesMs.length - 1; i >= 0; i--) if (changesMs[i] <= tMs) return levels[i];
    return levels[0];
  });
}

/**
 * The pulses `from` outputs, delivered to `to`'s digital input as edges: a pulse train (analogWrite with a
 * frequency) gives one rising and one falling edge per period, at the instants its pulses complete, so the
 * edges counted match the pulses the sending board put out; a level written gives one edge. A train
 * written again (a pump renewing its rate) keeps its phase, as the board's PWM timer does.
 */
export function wirePulses(clock: VirtualClock, from: PinEnd, to: PinEnd): void {
  let first: Timer | null = null;
  let train: Timer | null = null;
  let periodMs = 0;
  /** When the current pulse began, as if the train had run since then at periodMs. */
  let pulseStartMs = 0;
  const pulse = () => {
    pulseStartMs = clock.now();
    to.board.setDigital(to.pin, true);
    to.board.setDigital(to.pin, false);
  };
  from.board.onOutput(from.pin, (p: PinState) => {
    const done = periodMs > 0 ? (clock.now() - pulseStartMs) / periodMs : 0;
    if (first) first.cancel();
    if (train) train.cancel();
    first = train = null;
    if (p.pwmHz <= 0) {
      periodMs = 0;
      to.board.setDigital(to.pin, p.out === 1);
      return;
    }
    // The train runs off the sending board's oscillator.
    periodMs = 1000 / (p.pwmHz * from.board.clockRate);
    const toNextMs = (1 - done) * periodMs;
    pulseStartMs = clock.now() - done * periodMs;
    first = clock.after(toNextMs, () => {
      pulse();
      train = clock.every(periodMs, pulse);
    });
  });
}
