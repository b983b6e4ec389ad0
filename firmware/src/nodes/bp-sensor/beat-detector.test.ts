import { describe, expect, it } from 'vitest';
import { PressureQuality } from '../../../../protocols/generated/wire-codec.ts';
import type { Artifact, BeatTruth } from '../../../../hil/sim/arterial-waveform.ts';
import { ArterialWaveform } from '../../../../hil/sim/arterial-waveform.ts';
import type { Beat } from './beat-detector.ts';
import { BeatDetector } from './beat-detector.ts';

const RATE_HZ = 125;
/** The detector learns a new rhythm after eight agreeing beats (RELEARN_BEATS). */
const RELEARN_BEATS_IN_TEST = 8;

function detect(wave: ArterialWaveform, seconds: number): { beat: Beat; atS: number }[] {
  const out: { beat: Beat; atS: number }[] = [];
  let t = 0;
  const d = new BeatDetector(RATE_HZ, (beat) => out.push({ beat, atS: t }));
  for (let i = 0; i < seconds * RATE_HZ; i++) {
    t = i / RATE_HZ;
    const s = wave.sample(t);
    d.push(s.dropout ? -50 : s.pressureMmHg, s.dropout);
  }
  return out;
}

/** The true beat a detected one covers: it is reported one upstroke later, so half a cycle back is inside it. */
function truthAt(beats: BeatTruth[], atS: number, nominalRrS: number): BeatTruth {
  const t = atS - 0.5 * nominalRrS;
  return beats.find((b) => t >= b.startS && t < b.startS + 60 / b.heartRateBpm) ?? beats[0];
}

describe('beat detector on synthetic arterial waveforms with known truth', () => {
  const cases = [
    { systolicMmHg: 120, diastolicMmHg: 80, heartRateBpm: 72 },
    { systolicMmHg: 90, diastolicMmHg: 50, heartRateBpm: 110 },
    { systolicMmHg: 180, diastolicMmHg: 95, heartRateBpm: 48 },
  ];
  for (const c of cases) {
    it(`${c.systolicMmHg}/${c.diastolicMmHg} at ${c.heartRateBpm}/min with noise and 4% interval jitter: mean within 2 mmHg, rate within 1/min`, () => {
      const wave = new ArterialWaveform({ ...c, rrJitter: 0.04, noiseMmHg: 0.7, seed: c.heartRateBpm });
      const found = detect(wave, 60).slice(1); // the first report starts mid-beat
      expect(found.length).toBeGreaterThanOrEqual(c.heartRateBpm - 3); // a minute of beats, less the partial ones at either end
      for (const { beat, atS } of found) {
        const truth = truthAt(wave.beats, atS, 60 / c.heartRateBpm);
        expect(beat.quality, `flags at ${atS.toFixed(2)} s`).toBe(0);
        expect(Math.abs(beat.meanMmHg - truth.meanMmHg)).toBeLessThanOrEqual(2);
        expect(Math.abs(beat.heartRateBpm - truth.heartRateBpm)).toBeLessThanOrEqual(1);
        expect(Math.abs(beat.systolicMmHg - truth.systolicMmHg)).toBeLessThanOrEqual(3);
        expect(Math.abs(beat.diastolicMmHg - truth.diastolicMmHg)).toBeLessThanOrEqual(3);
      }
    });
  }

  function flagsDuring(artifact: Artifact): number[] {
    const wave = new ArterialWaveform({ systolicMmHg: 120, diastolicMmHg: 80, heartRateBpm: 75, noiseMmHg: 0.5 }, [artifact]);
    return detect(wave, artifact.startS + artifact.durationS + 10)
      .filter((b) => b.atS > artifact.startS + 1 && b.atS < artifact.startS + artifact.durationS + 0.5)
      .map((b) => b.beat.quality);
  }

  it('flags a flush spike', () => {
    const q = flagsDuring({ kind: 'flush', startS: 20, durationS: 8, pressureMmHg: 300 });
    expect(q.length).toBeGreaterThan(0);
    expect(q.every((x) => x & PressureQuality.FlushSpike)).toBe(true);
  });

  it('flags a lost signal (transducer unplugged: the ADC at its rail)', () => {
    const q = flagsDuring({ kind: 'dropout', startS: 20, durationS: 8 });
    expect(q.length).toBeGreaterThan(0);
    expect(q.every((x) => x & (PressureQuality.LostSignal | PressureQuality.FlatLine))).toBe(true);
  });

  it('flags a frozen value (as a flat line, or a lost signal for the reading that straddles the freeze)', () => {
    const q = flagsDuring({ kind: 'frozen', startS: 20, durationS: 8 });
    expect(q.length).toBeGreaterThan(0);
    expect(q.every((x) => x & (PressureQuality.FlatLine | PressureQuality.LostSignal))).toBe(true);
    expect(q.some((x) => x & PressureQuality.FlatLine)).toBe(true);
  });

  it('flags an over-damped line', () => {
    const q = flagsDuring({ kind: 'over-damped', startS: 20, durationS: 15, timeConstantS: 0.12 });
    expect(q.length).toBeGreaterThan(0);
    expect(q.filter((x) => x & PressureQuality.OverDamped).length / q.length).toBeGreaterThan(0.8);
  });

  it('leaves clean beats unflagged before and after an artifact', () => {
    const wave = new ArterialWaveform({ systolicMmHg: 120, diastolicMmHg: 80, heartRateBpm: 75, noiseMmHg: 0.5 }, [
      { kind: 'flush', startS: 20, durationS: 5, pressureMmHg: 300 },
    ]);
    const beats = detect(wave, 45);
    const clean = beats.filter((b) => (b.atS > 2 && b.atS < 19.5) || b.atS > 30);
    expect(clean.filter((b) => b.beat.quality !== 0).map((b) => `${b.atS.toFixed(2)}s:${b.beat.quality}`)).toEqual([]);
  });
});

describe('beat detector at the signal\'s onset', () => {
  // A line connected (or a patient emulator set) after a flat start: the step onto the line is far steeper
  // than an upstroke, so the first beat may swallow the next one. Whatever the onset's phase, the beats
  // that follow it settle clean within a few seconds and stay so.
  for (let onsetS = 2; onsetS < 2.84; onsetS += 0.12) {
    it(`a steady 120/76 at 72/min from ${onsetS.toFixed(2)} s after a flat line: clean beats from 4 s after onset`, () => {
      const wave = new ArterialWaveform({ systolicMmHg: 120, diastolicMmHg: 76, heartRateBpm: 72, noiseMmHg: 0.5 });
      const out: { beat: Beat; atS: number }[] = [];
      let t = 0;
      const d = new BeatDetector(RATE_HZ, (beat) => out.push({ beat, atS: t }));
      for (let i = 0; i < 20 * RATE_HZ; i++) {
        t = i / RATE_HZ;
        d.push(t < onsetS ? 0 : wave.sample(t - onsetS).pressureMmHg, false);
      }
      const late = out.filter((b) => b.atS > onsetS + 4);
      expect(late.length).toBeGreaterThan(15);
      expect(late.filter((b) => b.beat.quality !== 0).map((b) => `${b.atS.toFixed(2)}s:${b.beat.quality}`)).toEqual([]);
    });
  }
});

describe('beat detector when the rhythm changes', () => {
  const flagsAfter = (rate: (tS: number) => number, rrJitter: number, seconds: number) => {
    const wave = new ArterialWaveform({ systolicMmHg: 120, diastolicMmHg: 80, heartRateBpm: 70, beatRateBpm: rate, rrJitter, noiseMmHg: 0.5, seed: 3 });
    return detect(wave, seconds).filter((b) => b.atS > 2);
  };

  it('learns a heart rate that stepped from 70 to 110/min: irregular for a few beats, then clean again, rate right', () => {
    const beats = flagsAfter((t) => (t < 30 ? 70 : 110), 0.02, 70);
    const after = beats.filter((b) => b.atS > 30.5);
    const irregular = after.filter((b) => b.beat.quality & PressureQuality.IrregularBeat);
    expect(irregular.length).toBeGreaterThan(0); // the step itself is seen
    expect(irregular.length).toBeLessThanOrEqual(10);
    const settled = after.filter((b) => b.atS > 40);
    expect(settled.filter((b) => b.beat.quality !== 0).map((b) => `${b.atS.toFixed(2)}s:${b.beat.quality}`)).toEqual([]);
    for (const b of settled) expect(Math.abs(b.beat.heartRateBpm - 110)).toBeLessThanOrEqual(4);
  });

  it('learns a rate that fell from 100 to 60/min as well', () => {
    const beats = flagsAfter((t) => (t < 30 ? 100 : 60), 0.02, 80);
    expect(beats.filter((b) => b.atS > 45 && b.beat.quality !== 0).length).toBe(0);
  });

  it('keeps flagging a truly irregular rhythm (intervals varying by up to 45%): it never agrees long enough to be learnt', () => {
    const beats = flagsAfter(() => 70, 0.45, 120);
    const late = beats.filter((b) => b.atS > 20);
    const irregular = late.filter((b) => b.beat.quality & PressureQuality.IrregularBeat).length;
    expect(irregular / late.length).toBeGreaterThan(0.3);
  });
});

describe('beat detector after a short run of fast beats', () => {
  it('keeps its rhythm: a run of four or five beats at 110/min is flagged, and the 70/min beats after it are clean at once', () => {
    // 70/min, with beats 30.0 .. 32.7 s at 110/min (four or five beats, fewer than the eight that teach a new rhythm), then 70/min again.
    const wave = new ArterialWaveform({ systolicMmHg: 120, diastolicMmHg: 80, heartRateBpm: 70, beatRateBpm: (t) => (t >= 30 && t < 32.7 ? 110 : 70), rrJitter: 0.02, noiseMmHg: 0.5, seed: 5 });
    const beats = detect(wave, 60).filter((b) => b.atS > 2);
    const run = wave.beats.filter((b) => b.heartRateBpm > 90);
    expect(run.length).toBeGreaterThanOrEqual(4);
    expect(run.length).toBeLessThan(RELEARN_BEATS_IN_TEST);
    const end = run.at(-1)!.startS + 60 / run.at(-1)!.heartRateBpm;
    expect(beats.filter((b) => b.atS > 30 && b.atS < end + 0.5).some((b) => b.beat.quality & PressureQuality.IrregularBeat)).toBe(true);
    // The first normal beat is reported at the upstroke after it (about end + 0.86 s): clean, as all after it.
    expect(beats.filter((b) => b.atS > end + 0.5 && b.beat.quality !== 0).map((b) => `${b.atS.toFixed(2)}s:${b.beat.quality}`)).toEqual([]);
  });

  it('a line opened to the patient after a dead stretch and zeroing learns from the beats, not from the step onto the line', () => {
    // The ADC at its rail for 2 s, the transducer open to air (0 mmHg) for 3 s, then the patient. The step up
    // from the dead line and the one onto the patient are no beats' upstrokes: no reference may come of them.
    for (const [systolicMmHg, diastolicMmHg] of [[60, 35], [85, 55], [130, 90]]) {
      const found: { beat: Beat; atS: number }[] = [];
      let t = 0;
      const d = new BeatDetector(RATE_HZ, (beat) => found.push({ beat, atS: t }));
      const wave = new ArterialWaveform({ systolicMmHg, diastolicMmHg, heartRateBpm: 75, noiseMmHg: 0.5, seed: 1 });
      for (let i = 0; i < 40 * RATE_HZ; i++) {
        t = i / RATE_HZ;
        if (t < 2) d.push(-50, true);
        else if (t < 5) d.push((i % 3) * 0.1, false);
        else d.push(wave.sample(t).pressureMmHg, false);
      }
      const later = found.filter((f) => f.atS > 12);
      expect(later.length).toBeGreaterThan(30);
      expect(later.filter((f) => f.beat.quality !== 0).map((f) => f.beat.quality), `${systolicMmHg}/${diastolicMmHg}`).toEqual([]);
    }
  });
});
