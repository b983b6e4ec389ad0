// Sensor faults on the arterial line model: the noise step adds the stated noise only while it lasts, a
// fault applied to a running line acts from then until removed, and scenario files keep their format.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../protocols/clock/virtual-clock.ts';
import { ArterialWaveform } from '../sim/arterial-waveform.ts';
import { loadScenario, scenarioSchema } from '../sim/scenarios/scenario.ts';
import { applySensorFault, sensorFaultArtifact, sensorFaultSchema } from './sensor-faults.ts';

const line = (artifacts = [] as ReturnType<typeof sensorFaultArtifact>[]) =>
  new ArterialWaveform({ systolicMmHg: 120, diastolicMmHg: 80, heartRateBpm: 60, seed: 3 }, artifacts);

/** Standard deviation of the difference from the clean line over [fromS, toS). */
function addedNoiseSd(wave: ArterialWaveform, clean: ArterialWaveform, fromS: number, toS: number): number {
  let acc = 0;
  let n = 0;
  for (let t = fromS; t < toS; t += 0.004, n++) acc += (wave.sample(t).pressureMmHg - clean.sample(t).pressureMmHg) ** 2;
  return Math.sqrt(acc / n);
}

describe('sensor faults', () => {
  it('a noise step adds noise of the stated standard deviation during its window only', () => {
    const f = sensorFaultSchema.parse({ kind: 'noise-step', atMin: 0.5, durationS: 20, noiseMmHg: 8 });
    const wave = line([sensorFaultArtifact(f)]);
    const clean = line();
    expect(addedNoiseSd(wave, clean, 0, 30)).toBe(0);
    expect(addedNoiseSd(wave, clean, 30, 50)).toBeCloseTo(8, 0);
    expect(addedNoiseSd(wave, clean, 50, 60)).toBe(0);
  });

  it('applied to a running line, a fault acts from the moment applied until removed', () => {
    const clock = new VirtualClock();
    const wave = line();
    clock.advance(10_000);
    const fault = applySensorFault(wave, sensorFaultSchema.parse({ kind: 'offset', atMin: 0, durationS: 5, offsetMmHg: 7.4 }), clock);
    const clean = line();
    expect(wave.sample(9.9).pressureMmHg).toBe(clean.sample(9.9).pressureMmHg);
    expect(wave.sample(12).pressureMmHg - clean.sample(12).pressureMmHg).toBeCloseTo(7.4, 9);
    clock.advance(5000);
    fault.remove();
    expect(wave.sample(15.5).pressureMmHg).toBe(clean.sample(15.5).pressureMmHg);
  });

  it('the shipped scenario files still parse; a bad noise step is refused naming its field', () => {
    const s = loadScenario(new URL('../sim/scenarios/stress.scenario.json', import.meta.url).pathname);
    expect(s.artifacts.map((a) => a.kind)).toEqual(['flush', 'over-damped', 'offset', 'dropout', 'frozen']);
    expect(s.artifacts[0]).toEqual({ kind: 'flush', atMin: 18, durationS: 15, pressureMmHg: 250 });
    const bad = scenarioSchema.safeParse({ ...s, artifacts: [{ kind: 'noise-step', atMin: 1, durationS: 10, noiseMmHg: -2 }] });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0].path).toEqual(['artifacts', 0, 'noiseMmHg']);
  });
});
