// The patient emulator's player: beats of the set pressures and rate, new settings at the next beat's foot,
// flat levels at once.
import { describe, expect, it } from 'vitest';
import { shapeMeanFraction } from '../../../../hil/sim/arterial-waveform.ts';
import { WaveformPlayer } from './waveform-player.ts';

/** Samples the player every stepMs from fromMs to toMs. */
function play(p: WaveformPlayer, fromMs: number, toMs: number, stepMs = 2): number[] {
  const out: number[] = [];
  for (let t = fromMs; t < toMs; t += stepMs) out.push(p.pressureMmHg(t));
  return out;
}

describe('waveform player', () => {
  it('plays beats whose peak, foot and mean are the ones set', () => {
    const p = new WaveformPlayer({ systolicMmHg: 120, diastolicMmHg: 80, heartRateBpm: 60 }, 0);
    const beat = play(p, 0, 1000, 1);
    expect(Math.max(...beat)).toBeGreaterThan(119.5);
    expect(Math.max(...beat)).toBeLessThan(125); // the dicrotic wave rides on the run-off, under the peak
    expect(beat[0]).toBeCloseTo(80, 6);
    expect(Math.min(...beat)).toBeGreaterThan(79.9);
    const mean = beat.reduce((a, b) => a + b, 0) / beat.length;
    expect(mean).toBeCloseTo(80 + 40 * shapeMeanFraction(60), 0);
  });

  it('takes a new beat setting at the next foot, not in the middle of a beat', () => {
    const p = new WaveformPlayer({ systolicMmHg: 120, diastolicMmHg: 80, heartRateBpm: 60 }, 0);
    play(p, 0, 500);
    p.set({ systolicMmHg: 160, diastolicMmHg: 100, heartRateBpm: 100 }, 500);
    expect(Math.max(...play(p, 500, 1000))).toBeLessThan(125);
    expect(p.current.systolicMmHg).toBe(120);
    const next = play(p, 1000, 1600);
    expect(next[0]).toBeCloseTo(100, 6);
    expect(Math.max(...next)).toBeGreaterThan(159);
    expect(p.current.heartRateBpm).toBe(100);
    // 100/min: the next foot 600 ms later.
    expect(p.pressureMmHg(1600)).toBeCloseTo(100, 6);
  });

  it('goes flat at once for a flush or a dropout, and beats again from the moment it is released', () => {
    const p = new WaveformPlayer({ systolicMmHg: 120, diastolicMmHg: 80, heartRateBpm: 60 }, 0);
    play(p, 0, 300);
    p.set({ systolicMmHg: 300, diastolicMmHg: 300, heartRateBpm: 0 }, 300);
    expect(play(p, 300, 2000).every((v) => v === 300)).toBe(true);
    p.set({ systolicMmHg: 120, diastolicMmHg: 80, heartRateBpm: 60 }, 2000);
    expect(p.pressureMmHg(2000)).toBeCloseTo(80, 6);
    expect(Math.max(...play(p, 2000, 3000))).toBeGreaterThan(119.5);
  });

  it('restarts at now after a long stall instead of replaying the beats it missed', () => {
    const p = new WaveformPlayer({ systolicMmHg: 120, diastolicMmHg: 80, heartRateBpm: 60 }, 0);
    p.pressureMmHg(0);
    expect(p.pressureMmHg(3_600_000)).toBeCloseTo(80, 6);
    expect(p.pressureMmHg(3_600_100)).toBeGreaterThan(115);
  });
});
