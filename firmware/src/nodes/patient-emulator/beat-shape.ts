// The shape of one arterial beat, shared by the simulated line (hil/sim/arterial-waveform.ts) and the
// patient-emulator board, so a sensor sees the same beats on the bench as in simulation. Generic [U]: a
// 0.1 s quarter-sine upstroke and an exponential run-off with a small dicrotic wave.

/** The systolic upstroke lasts about 0.1 s whatever the rate; the run-off fills the rest of the cycle. */
export const UPSTROKE_S = 0.1;
export const RUNOFF_K = 2.5;
export const RUNOFF_END = Math.exp(-RUNOFF_K);

/** Shape of one beat of length rrS at time t into it: 0 at the diastolic foot, 1 at the systolic peak. */
export function beatShape(t: number, rrS: number): number {
  if (t < UPSTROKE_S) return Math.sin((Math.PI / 2) * (t / UPSTROKE_S));
  const u = (t - UPSTROKE_S) / (rrS - UPSTROKE_S);
  const runoff = (Math.exp(-RUNOFF_K * u) - RUNOFF_END) / (1 - RUNOFF_END);
  // The dicrotic wave: a narrow bump 0.2 s after the upstroke (negligible beyond 0.2 s from its centre).
  const d = (t - UPSTROKE_S - 0.2) / 0.05;
  return d > -4 && d < 4 ? runoff + 0.08 * Math.exp(-d * d) : runoff;
}
