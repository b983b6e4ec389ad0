// The bp-sensor firmware as built for the Pico, run unchanged in the board emulator: a synthetic arterial
// waveform on its ADC pin, a host session on its USB port.
import { describe, expect, it } from 'vitest';
import { AlarmCode, MsgId, PressureQuality, readAlarm, readPressureBeat, readPressureWaveform, writePressureWaveformRequest } from '../../../../protocols/generated/wire-codec.ts';
import { emulatedNode } from '../../../../hil/emulator/emulated-node.ts';
import type { Artifact } from '../../../../hil/sim/arterial-waveform.ts';
import { ArterialWaveform } from '../../../../hil/sim/arterial-waveform.ts';
import { attachTransducer } from '../../../../hil/sim/pressure-transducer.ts';
import type { BpSensorBoardConfig } from '../../board-config.ts';

async function sensorRig(artifacts: Artifact[] = []) {
  const n = await emulatedNode('bp-sensor', 'pico');
  const cfg = n.boardConfig.nodes['bp-sensor'] as BpSensorBoardConfig;
  const wave = new ArterialWaveform({ systolicMmHg: 125, diastolicMmHg: 75, heartRateBpm: 68, rrJitter: 0.03, noiseMmHg: 0.5, seed: 9 }, artifacts);
  attachTransducer(n.board, cfg, wave);
  const beats = () =>
    n.received.filter((r) => r.id === MsgId.PressureBeat).map((r) => ({ ...readPressureBeat(r.payload, 0, r.payload.length)!, atMs: r.tMs }));
  return { ...n, wave, beats };
}

describe('bp-sensor firmware in the emulator', () => {
  it('reports every beat with mean within 2 mmHg and rate within 1/min of the truth', async () => {
    const n = await sensorRig();
    n.clock.advance(60_000);
    expect(n.events).toEqual(['ready emu-pico']);
    expect(n.board.errors).toEqual([]);
    const beats = n.beats().filter((b) => b.atMs > 3000);
    expect(beats.length).toBeGreaterThan(60);
    for (const b of beats) {
      // Reported at the next upstroke (plus one ADC buffer and the line): the beat half a cycle before.
      const t = (b.tMs - 200) / 1000 - 0.5 * (60 / 68);
      const truth = n.wave.beats.find((x) => t >= x.startS && t < x.startS + 60 / x.heartRateBpm)!;
      expect(b.quality).toBe(0);
      expect(Math.abs(b.meanMmHg - truth.meanMmHg)).toBeLessThanOrEqual(2);
      expect(Math.abs(b.heartRateBpm - truth.heartRateBpm)).toBeLessThanOrEqual(1);
    }
  });

  it('flags a flush spike and a dropout, and raises then clears the lost-signal alarm', async () => {
    const n = await sensorRig([
      { kind: 'flush', startS: 20, durationS: 6, pressureMmHg: 300 },
      { kind: 'dropout', startS: 40, durationS: 8 },
    ]);
    n.clock.advance(70_000);
    const during = (fromS: number, toS: number) => n.beats().filter((b) => b.tMs > fromS * 1000 && b.tMs < toS * 1000);
    expect(during(21, 26).length).toBeGreaterThan(0);
    expect(during(21, 26).every((b) => b.quality & PressureQuality.FlushSpike)).toBe(true);
    expect(during(41, 48).length).toBeGreaterThan(0);
    expect(during(41, 48).every((b) => b.quality & (PressureQuality.LostSignal | PressureQuality.FlatLine))).toBe(true);
    expect(during(52, 70).every((b) => b.quality === 0)).toBe(true);
    const alarms = n.received.filter((r) => r.id === MsgId.Alarm).map((r) => readAlarm(r.payload, 0, r.payload.length)!);
    expect(alarms.filter((a) => a.code === AlarmCode.PressureLostSignal).map((a) => a.state)).toEqual([1, 0]);
  });

  it('sends the requested raw samples in batches, calibrated to mmHg', async () => {
    const n = await sensorRig();
    n.clock.advance(2000);
    let result = -1;
    n.host.sendCommand(MsgId.PressureWaveformRequest, writePressureWaveformRequest, { sampleCount: 250 }, (r) => {
      result = r;
    });
    n.clock.advance(3000);
    expect(result).toBe(0);
    const batches = n.received.filter((r) => r.id === MsgId.PressureWaveform).map((r) => readPressureWaveform(r.payload, 0, r.payload.length)!);
    expect(batches.map((b) => b.samplesMmHg.length)).toEqual([100, 100, 50]);
    expect(batches[0].samplePeriodUs).toBe(8000);
    for (const b of batches) {
      b.samplesMmHg.forEach((p, i) => {
        const truth = n.wave.sample((b.tMs + i * 8) / 1000).pressureMmHg;
        expect(Math.abs(p - truth)).toBeLessThan(5); // sensor noise and 16-bit ADC steps
      });
    }
  });
});
