// Running virtual time under host code that awaits promises (opening a port, a command's answer): time
// moves in slices and pending promise callbacks run between slices, as they would between real ticks.

const turn = () => new Promise((r) => setImmediate(r));

interface Advanceable {
  advance(ms: number): void;
}

/** Advances the clock by ms in slices of sliceMs, letting promises settle after each. */
export async function advanceSettling(clock: Advanceable, ms: number, sliceMs = 10): Promise<void> {
  for (let t = 0; t < ms; t += sliceMs) {
    clock.advance(Math.min(sliceMs, ms - t));
    await turn();
  }
}

/**
 * Advances the clock in 10 ms slices until p settles or maxMs has passed; returns p. Still pending after
 * maxMs of virtual time is an error, not a wait: a promise held up by real work (a build, a child process)
 * would otherwise be awaited on a clock nobody advances any more, and hang.
 */
export async function settleOn<T>(clock: Advanceable, p: Promise<T>, maxMs: number): Promise<T> {
  let done = false;
  p.then(() => (done = true), () => (done = true));
  for (let t = 0; t < maxMs && !done; t += 10) await advanceSettling(clock, 10);
  if (!done) {
    throw new Error(`not settled within ${maxMs} ms of virtual time (the time ran out in a few real milliseconds: if the promise waits on real work, such as a firmware build, do that before virtual time starts)`);
  }
  return p;
}
